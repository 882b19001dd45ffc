//! The scrambled matrix: the device shows digits 1–9 in a fresh random order, the user types the
//! *positions* of the PIN's digits on the host, so the host (and whatever runs on it) never
//! learns the PIN. Positions are those of a numeric keypad: 7 8 9 on top, 1 2 3 at the bottom.

use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::pin::secret::MAX_PIN_DIGITS;
use crate::pin::{Pin, PinError};

/// Digits 1–9 in a random order, one per keypad position; zeroized on drop (it maps the
/// positions the host saw back to the PIN).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct PinMatrix {
    /// `digits[p - 1]`: the ASCII digit shown at position `p`.
    digits: [u8; 9],
}

impl PinMatrix {
    /// A fresh permutation (Fisher–Yates) from the device's CSPRNG: a new one for every entry,
    /// so positions typed once say nothing about the next time.
    pub fn shuffled<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut digits = *b"123456789";
        for i in (1..digits.len()).rev() {
            // A 64-bit draw scaled to 0..=i: the bias is below 2⁻⁶⁰, and no loop can spin on a
            // broken generator.
            let j = ((u128::from(rng.next_u64()) * (i as u128 + 1)) >> 64) as usize;
            digits.swap(i, j.min(i));
        }
        PinMatrix { digits }
    }

    /// The matrix with digit `d` at position `d` (tests and the display's self-check).
    #[must_use]
    pub fn identity() -> Self {
        PinMatrix { digits: *b"123456789" }
    }

    /// The ASCII digit at keypad position `position` (1–9).
    #[must_use]
    pub fn digit_at(&self, position: u8) -> Option<u8> {
        self.digits.get(usize::from(position).checked_sub(1)?).copied()
    }

    /// The keypad position (1–9) of ASCII digit `digit`.
    #[must_use]
    pub fn position_of(&self, digit: u8) -> Option<u8> {
        self.digits.iter().position(|&d| d == digit).map(|i| i as u8 + 1)
    }

    /// The grid as the display draws it, top row first: positions 7 8 9, then 4 5 6, then 1 2 3.
    #[must_use]
    pub fn rows(&self) -> [[u8; 3]; 3] {
        let at = |p: u8| self.digit_at(p).unwrap_or(b'?');
        [[at(7), at(8), at(9)], [at(4), at(5), at(6)], [at(1), at(2), at(3)]]
    }

    /// The PIN the typed positions (each 1–9) stand for.
    ///
    /// # Errors
    /// [`PinError::Position`] for a position outside 1–9, [`PinError::Length`] outside 4–9
    /// positions.
    pub fn pin_from_positions(&self, positions: &[u8]) -> Result<Pin, PinError> {
        if positions.len() > MAX_PIN_DIGITS {
            return Err(PinError::Length);
        }
        let mut digits = zeroize::Zeroizing::new([0u8; MAX_PIN_DIGITS]);
        for (slot, &position) in digits.iter_mut().zip(positions) {
            *slot = self.digit_at(position).ok_or(PinError::Position)?;
        }
        Pin::new(digits.get(..positions.len()).ok_or(PinError::Length)?)
    }
}

impl core::fmt::Debug for PinMatrix {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PinMatrix(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::pin::test_rng::Lcg;

    #[test]
    fn each_matrix_is_a_permutation_and_positions_map_back_to_the_pin() {
        let mut rng = Lcg(1);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let matrix = PinMatrix::shuffled(&mut rng);
            let mut sorted = matrix.digits;
            sorted.sort_unstable();
            assert_eq!(&sorted, b"123456789");
            let positions: std::vec::Vec<u8> =
                b"97315".iter().map(|&d| matrix.position_of(d).unwrap()).collect();
            assert_eq!(matrix.pin_from_positions(&positions).unwrap().as_bytes(), b"97315");
            seen.insert(matrix.digits);
        }
        assert!(seen.len() > 190, "matrices repeat: {} distinct of 200", seen.len());
    }

    #[test]
    fn every_digit_lands_in_every_position_about_equally() {
        let mut rng = Lcg(9);
        let mut counts = [[0u32; 9]; 9];
        for _ in 0..9_000 {
            let matrix = PinMatrix::shuffled(&mut rng);
            for (position, digit) in matrix.digits.iter().enumerate() {
                counts[position][usize::from(digit - b'1')] += 1;
            }
        }
        // 1,000 expected per cell; 4.5 standard deviations either side.
        assert!(counts.iter().flatten().all(|&c| (860..=1140).contains(&c)), "{counts:?}");
    }

    #[test]
    fn rows_are_a_keypad_and_bad_positions_are_refused() {
        let matrix = PinMatrix::identity();
        assert_eq!(matrix.rows(), [*b"789", *b"456", *b"123"]);
        assert_eq!(matrix.pin_from_positions(&[1, 2, 3, 0]), Err(PinError::Position));
        assert_eq!(matrix.pin_from_positions(&[1, 2, 3, 10]), Err(PinError::Position));
        assert_eq!(matrix.pin_from_positions(&[1, 2, 3]), Err(PinError::Length));
        assert_eq!(matrix.pin_from_positions(&[1; 10]), Err(PinError::Length));
        assert_eq!(std::format!("{matrix:?}"), "PinMatrix(<redacted>)");
    }
}

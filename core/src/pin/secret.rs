//! The PIN itself: 4 to 9 digits from 1 to 9, zeroized on drop, never printed.

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::pin::PinError;

/// Fewest digits of a PIN.
pub const MIN_PIN_DIGITS: usize = 4;
/// Most digits of a PIN: the matrix has nine cells, and a longer PIN adds little against a
/// device that wipes after 16 tries.
pub const MAX_PIN_DIGITS: usize = 9;

/// A PIN: ASCII digits `1`–`9` (as the matrix shows them; there is no 0).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Pin {
    digits: [u8; MAX_PIN_DIGITS],
    len: u8,
}

impl Pin {
    /// A PIN from its ASCII digits.
    ///
    /// # Errors
    /// [`PinError::Length`] outside 4–9 digits, [`PinError::Digit`] for a byte outside `1`–`9`.
    pub fn new(digits: &[u8]) -> Result<Self, PinError> {
        if !(MIN_PIN_DIGITS..=MAX_PIN_DIGITS).contains(&digits.len()) {
            return Err(PinError::Length);
        }
        if !digits.iter().all(|d| (b'1'..=b'9').contains(d)) {
            return Err(PinError::Digit);
        }
        let mut pin = Pin { digits: [0; MAX_PIN_DIGITS], len: digits.len() as u8 };
        pin.digits.get_mut(..digits.len()).ok_or(PinError::Length)?.copy_from_slice(digits);
        Ok(pin)
    }

    /// The ASCII digits.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.digits.get(..usize::from(self.len)).unwrap_or_default()
    }
}

/// Constant time: a wipe code is compared with each PIN entered.
impl PartialEq for Pin {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && bool::from(self.digits.ct_eq(&other.digits))
    }
}

impl Eq for Pin {}

impl core::fmt::Debug for Pin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_to_nine_digits_one_to_nine_and_never_printed() {
        assert_eq!(Pin::new(b"1234").unwrap().as_bytes(), b"1234");
        assert_eq!(Pin::new(b"123456789").unwrap().as_bytes(), b"123456789");
        assert_eq!(Pin::new(b"123"), Err(PinError::Length));
        assert_eq!(Pin::new(b"1234567891"), Err(PinError::Length));
        assert_eq!(Pin::new(b"1230"), Err(PinError::Digit));
        assert_eq!(Pin::new(b"12a4"), Err(PinError::Digit));
        assert_eq!(std::format!("{:?}", Pin::new(b"1234").unwrap()), "Pin(<redacted>)");
        assert_ne!(Pin::new(b"1234").unwrap(), Pin::new(b"12345").unwrap());
        assert_eq!(Pin::new(b"9876").unwrap(), Pin::new(b"9876").unwrap());
    }
}

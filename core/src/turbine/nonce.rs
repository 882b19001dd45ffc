//! The token nonce: 16 random bytes, 32 hex digits on the wire.

use core::fmt;

use rand_core::CryptoRng;

/// Length of a nonce in bytes.
pub const NONCE_LEN: usize = 16;
/// Length of a nonce on the wire: hex digits.
pub const NONCE_HEX_LEN: usize = 2 * NONCE_LEN;

/// A token nonce (`n`): 16 bytes that make each token unique within the replay window.
///
/// Parsing accepts upper- and lower-case hex; the bytes, not the spelling, identify the nonce,
/// so the same nonce written in another case is still a replay.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nonce([u8; NONCE_LEN]);

impl Nonce {
    /// A nonce from its raw bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; NONCE_LEN]) -> Self {
        Nonce(bytes)
    }

    /// A fresh nonce drawn from a cryptographically secure generator.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut bytes);
        Nonce(bytes)
    }

    /// Parses exactly 32 hex digits (either case); anything else is `None`.
    #[must_use]
    pub fn from_hex(hex_digits: &[u8]) -> Option<Self> {
        if hex_digits.len() != NONCE_HEX_LEN {
            return None;
        }
        let mut bytes = [0u8; NONCE_LEN];
        hex::decode_to_slice(hex_digits, &mut bytes).ok()?;
        Some(Nonce(bytes))
    }

    /// The raw bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; NONCE_LEN] {
        &self.0
    }

    /// The wire form: 32 lower-case hex digits, as Python's `secrets.token_hex(16)` writes them.
    #[must_use]
    pub fn to_hex(&self) -> [u8; NONCE_HEX_LEN] {
        let mut out = [0u8; NONCE_HEX_LEN];
        crate::text::encode_lower(&self.0, &mut out);
        out
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nonce({self})")
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::text::write_lower(f, &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_case_insensitivity() {
        let n = Nonce::from_hex(b"0CE396A2590C9BFAC6785F8D9725E521").unwrap();
        assert_eq!(&n.to_hex(), b"0ce396a2590c9bfac6785f8d9725e521");
        assert_eq!(Nonce::from_hex(b"0ce396a2590c9bfac6785f8d9725e521"), Some(n));
    }

    #[test]
    fn wrong_lengths_and_digits_are_refused() {
        assert!(Nonce::from_hex(b"0ce396a2590c9bfac6785f8d9725e52").is_none());
        assert!(Nonce::from_hex(b"0ce396a2590c9bfac6785f8d9725e5211").is_none());
        assert!(Nonce::from_hex(b"g5850acc60547846ddd459586031b6aa").is_none());
        assert!(Nonce::from_hex(b"").is_none());
    }
}

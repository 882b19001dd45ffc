//! API key identifiers (`kid`).

use core::fmt;

/// Longest key id signet stores or mints, in bytes.
///
/// Turbine's ids are hex strings of 16 to 40 characters; 64 leaves room for other schemes
/// while keeping a key ring entry small.
pub const MAX_KEY_ID_LEN: usize = 64;

/// An API key id: 1 to [`MAX_KEY_ID_LEN`] printable ASCII characters other than `"` and `\`.
///
/// The restriction makes the id appear verbatim in JSON, so a minted payload is byte-identical
/// to what Python's `json.dumps` writes for the same id, with no escaping to get wrong.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(heapless::String<MAX_KEY_ID_LEN>);

/// Why a string cannot be a [`KeyId`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyIdError {
    /// The id is empty.
    Empty,
    /// The id is longer than [`MAX_KEY_ID_LEN`] bytes.
    TooLong,
    /// The id holds a character outside printable ASCII, or `"` or `\`.
    InvalidCharacter,
}

impl fmt::Display for KeyIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyIdError::Empty => "key id is empty",
            KeyIdError::TooLong => "key id is too long",
            KeyIdError::InvalidCharacter => "key id holds a character that is not allowed",
        })
    }
}

impl core::error::Error for KeyIdError {}

impl KeyId {
    /// Checks and copies a key id.
    ///
    /// # Errors
    /// [`KeyIdError`] if the id is empty, too long or holds a character that is not allowed.
    pub fn new(id: &str) -> Result<Self, KeyIdError> {
        if id.is_empty() {
            return Err(KeyIdError::Empty);
        }
        if id.len() > MAX_KEY_ID_LEN {
            return Err(KeyIdError::TooLong);
        }
        if !id.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\') {
            return Err(KeyIdError::InvalidCharacter);
        }
        let mut s = heapless::String::new();
        s.push_str(id).map_err(|_| KeyIdError::TooLong)?;
        Ok(KeyId(s))
    }

    /// An id of lower-case hex digits, which is always valid (at most [`MAX_KEY_ID_LEN`] long).
    pub(crate) fn from_hex_digits<const N: usize>(digits: &[u8; N]) -> Self {
        const { assert!(N > 0 && N <= MAX_KEY_ID_LEN) };
        let mut s = heapless::String::new();
        for &digit in digits {
            // Within capacity by the assertion above.
            let _ = s.push(char::from(digit));
        }
        KeyId(s)
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl TryFrom<&str> for KeyId {
    type Error = KeyIdError;
    fn try_from(id: &str) -> Result<Self, KeyIdError> {
        KeyId::new(id)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({:?})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn accepts_printable_ascii_up_to_the_limit() {
        assert_eq!(KeyId::new("e792e6d8c4bd2122").unwrap().as_str(), "e792e6d8c4bd2122");
        let longest = "a".repeat(MAX_KEY_ID_LEN);
        assert!(KeyId::new(&longest).is_ok());
    }

    #[test]
    fn refuses_empty_long_and_unsafe_ids() {
        assert_eq!(KeyId::new(""), Err(KeyIdError::Empty));
        assert_eq!(KeyId::new(&"a".repeat(MAX_KEY_ID_LEN + 1)), Err(KeyIdError::TooLong));
        for bad in ["a\"b", "a\\b", "tab\t", "é"] {
            assert_eq!(KeyId::new(bad), Err(KeyIdError::InvalidCharacter), "{bad:?}");
        }
    }
}

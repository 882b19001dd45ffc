//! Why a PIN operation failed.

/// Why a PIN operation failed. `Display` is the text the device and the host show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinError {
    /// Fewer than 4 or more than 9 digits.
    Length,
    /// A digit outside 1–9 (the matrix has no 0).
    Digit,
    /// A matrix position outside 1–9.
    Position,
    /// The PIN does not open the device's keys.
    WrongPin,
    /// A sealed entry does not open: altered, moved to another name, or sealed under other keys.
    Entry,
    /// Stored keys that cannot be read (an iteration count out of range).
    Malformed,
    /// A secret too long to seal.
    TooLong,
}

impl PinError {
    /// The documented text.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            PinError::Length => "a PIN has 4 to 9 digits",
            PinError::Digit => "a PIN's digits are 1 to 9",
            PinError::Position => "positions are 1 to 9",
            PinError::WrongPin => "wrong PIN",
            PinError::Entry => "a sealed secret does not open",
            PinError::Malformed => "stored PIN keys are malformed",
            PinError::TooLong => "secret too long to seal",
        }
    }
}

impl core::fmt::Display for PinError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for PinError {}

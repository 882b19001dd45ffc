//! The small fields of an order: its side and outcome.

use serde::{Deserialize, Serialize};

use crate::turbine::order::error::OrderError;

/// Buy or sell (`uint8` 0 or 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    /// 0.
    Buy,
    /// 1.
    Sell,
}

impl Side {
    /// 0 → buy, 1 → sell.
    ///
    /// # Errors
    /// [`OrderError::Side`] for anything else.
    pub const fn from_u8(value: u8) -> Result<Self, OrderError> {
        match value {
            0 => Ok(Side::Buy),
            1 => Ok(Side::Sell),
            _ => Err(OrderError::Side),
        }
    }

    /// The `uint8` the hash covers.
    #[must_use]
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// `buy` or `sell`, as the cancel endpoint's `side` parameter.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        }
    }
}

/// The outcome traded (`uint8` 0 or 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// 0.
    Yes,
    /// 1.
    No,
}

impl Outcome {
    /// 0 → YES, 1 → NO.
    ///
    /// # Errors
    /// [`OrderError::Outcome`] for anything else.
    pub const fn from_u8(value: u8) -> Result<Self, OrderError> {
        match value {
            0 => Ok(Outcome::Yes),
            1 => Ok(Outcome::No),
            _ => Err(OrderError::Outcome),
        }
    }

    /// The `uint8` the hash covers.
    #[must_use]
    pub const fn as_u8(self) -> u8 {
        self as u8
    }
}

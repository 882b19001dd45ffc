//! Why an order was refused.

use core::fmt;

/// Why an order could not be built, read, signed or verified. `Display` is the text a server
/// answers with (400 for every variant but [`OrderError::BufferTooSmall`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrderError {
    /// The market id is empty, longer than 64 hex digits, or not hex.
    MarketId,
    /// The price is outside 1..=999999 (millionths).
    Price,
    /// The size is zero.
    Size,
    /// The expiration is zero (or beyond what a Unix time holds here).
    Expiration,
    /// The side is neither 0 (buy) nor 1 (sell).
    Side,
    /// The outcome is neither 0 (YES) nor 1 (NO).
    Outcome,
    /// A field is missing from the order.
    MissingField(&'static str),
    /// A field has the wrong type, or a value this implementation does not hold (a number
    /// beyond 128 bits, an address that is not one).
    InvalidField(&'static str),
    /// The body is not a JSON object of `order` and `signature` with the order's fields: not
    /// JSON, another shape, or a field unknown or repeated.
    Body,
    /// The signature is not 65 bytes of hex, or no key recovers from it.
    SignatureEncoding,
    /// The signature was made by another wallet, or over another order, chain or contract.
    WrongSigner,
    /// Signing: the order's trader is not the signing wallet.
    NotTrader,
    /// The output buffer is too small.
    BufferTooSmall,
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::MarketId => f.write_str("market id must be 1 to 64 hex digits"),
            OrderError::Price => f.write_str("price must be between 1 and 999999"),
            OrderError::Size => f.write_str("size must be positive"),
            OrderError::Expiration => f.write_str("expiration must be a positive Unix time"),
            OrderError::Side => f.write_str("side must be 0 (buy) or 1 (sell)"),
            OrderError::Outcome => f.write_str("outcome must be 0 (YES) or 1 (NO)"),
            OrderError::MissingField(name) => write!(f, "missing order field: {name}"),
            OrderError::InvalidField(name) => write!(f, "invalid order field: {name}"),
            OrderError::Body => {
                f.write_str("order body must be {\"order\": {...}, \"signature\": \"0x...\"}")
            }
            OrderError::SignatureEncoding => f.write_str("invalid signature encoding"),
            OrderError::WrongSigner => f.write_str("order signature is not by its trader"),
            OrderError::NotTrader => f.write_str("the order's trader is not this wallet"),
            OrderError::BufferTooSmall => f.write_str("buffer too small"),
        }
    }
}

impl core::error::Error for OrderError {}

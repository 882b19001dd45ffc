//! Why a permit, approval, redemption or an order's extras were refused.

use core::fmt;

/// Why a message could not be read, signed or verified. `Display` is the text a server answers
/// with (400 for every variant but [`PermitError::BufferTooSmall`] and
/// [`PermitError::NotOwner`], which are the caller's own mistakes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PermitError {
    /// The body is not a JSON object of the SDK's shape: not JSON, another shape, or a member
    /// unknown or repeated.
    Body(&'static str),
    /// A member is missing.
    MissingField(&'static str),
    /// A member has the wrong type or a value out of its range.
    InvalidField(&'static str),
    /// The chain is not one whose contracts are known (84532, 137, 43114).
    UnknownChain,
    /// A redemption names more index sets than [`MAX_INDEX_SETS`](super::MAX_INDEX_SETS), or
    /// none.
    IndexSets,
    /// `r` or `s` is not `0x` and 64 hex digits, or `v` is not 27 or 28.
    SignatureEncoding,
    /// The signature was made by another wallet, or over other fields, another nonce, chain or
    /// contract.
    WrongSigner,
    /// `bot_id` is empty, longer than 64 bytes, or not printable ASCII.
    BotId,
    /// `extra_fee_bps` is not an integer from 0 to 10,000.
    ExtraFee,
    /// Signing: the message's owner is not the signing wallet.
    NotOwner,
    /// The output buffer is too small.
    BufferTooSmall,
}

impl fmt::Display for PermitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PermitError::Body(shape) => write!(f, "body must be {shape}"),
            PermitError::MissingField(name) => write!(f, "missing field: {name}"),
            PermitError::InvalidField(name) => write!(f, "invalid field: {name}"),
            PermitError::UnknownChain => f.write_str("chainId must be 84532, 137 or 43114"),
            PermitError::IndexSets => f.write_str("indexSets must hold 1 to 8 decimal strings"),
            PermitError::SignatureEncoding => {
                f.write_str("invalid signature encoding: r and s must be 0x and 64 hex digits, v 27 or 28")
            }
            PermitError::WrongSigner => f.write_str("signature is not by the owner"),
            PermitError::BotId => f.write_str("bot_id must be 1 to 64 printable ASCII characters"),
            PermitError::ExtraFee => f.write_str("extra_fee_bps must be an integer from 0 to 10000"),
            PermitError::NotOwner => f.write_str("the message's owner is not this wallet"),
            PermitError::BufferTooSmall => f.write_str("buffer too small"),
        }
    }
}

impl core::error::Error for PermitError {}

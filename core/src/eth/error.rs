//! Why an address or wallet signature was refused.

use core::fmt;

/// Why an address or wallet signature was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EthError {
    /// Not `0x` and 40 hex digits, or mixed case without a valid EIP-55 checksum.
    InvalidAddress,
    /// Not `0x` and 65 bytes of hex, `v` outside {0, 1, 27, 28}, `r` or `s` zero or not below
    /// the group order, or no public key recovers from it.
    InvalidSignatureEncoding,
    /// The signature is well formed but was made by another wallet or over another message.
    SignatureMismatch,
    /// Bytes that should be a secp256k1 private key are not one (zero, too large, wrong length).
    InvalidPrivateKey,
}

impl fmt::Display for EthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EthError::InvalidAddress => "invalid address",
            EthError::InvalidSignatureEncoding => "invalid signature encoding",
            EthError::SignatureMismatch => "signature does not match address",
            EthError::InvalidPrivateKey => "invalid private key",
        })
    }
}

impl core::error::Error for EthError {}

//! Ethereum wallet signatures: EIP-55 addresses, EIP-191 `personal_sign` and signer recovery.
//!
//! Everything streams through Keccak-256 on the stack; k256 is used without precomputed tables
//! so the same code fits a signing device's RAM.

mod address;
mod personal_sign;
mod typed_data;
mod wallet;

use core::fmt;

pub use address::{ADDRESS_TEXT_LEN, Address};
pub use personal_sign::{ETH_SIGNATURE_LEN, EthSignature, eip191_hash, recover_address, recover_prehash};
pub(crate) use typed_data::hex_literal;
pub use typed_data::{DOMAIN_TYPE_HASH, Eip712Domain, StructHasher, typed_data_digest};
pub use wallet::WalletKey;

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

/// Keccak-256 of the concatenation of `parts`, without a buffer for the whole input.
pub(crate) fn keccak256(parts: &[&[u8]]) -> [u8; 32] {
    use sha3::{Digest, Keccak256};
    let mut hasher = Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

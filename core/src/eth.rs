//! Ethereum wallet signatures: EIP-55 addresses, EIP-191 `personal_sign` and signer recovery.
//!
//! Everything streams through Keccak-256 on the stack; k256 is used without precomputed tables
//! so the same code fits a signing device's RAM.

mod address;
mod error;
mod keccak;
mod personal_sign;
mod typed_data;
mod wallet;

pub use address::{ADDRESS_TEXT_LEN, Address};
pub use error::EthError;
pub(crate) use keccak::keccak256;
pub use personal_sign::{ETH_SIGNATURE_LEN, EthSignature, eip191_hash, recover_address, recover_prehash};
pub(crate) use typed_data::hex_literal;
pub use typed_data::{DOMAIN_TYPE_HASH, Eip712Domain, StructHasher, typed_data_digest};
pub use wallet::WalletKey;

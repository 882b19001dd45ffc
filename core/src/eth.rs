//! Ethereum wallet keys and signatures: EIP-55 addresses, EIP-191 `personal_sign`, EIP-712
//! typed-data hashing, signer recovery, and the HD wallet (BIP-39 mnemonics and seeds, BIP-32
//! derivation at MetaMask's `m/44'/60'/0'/0/i`).
//!
//! Everything streams through Keccak-256 on the stack; k256 is used without precomputed tables
//! so the same code fits a signing device's RAM.

mod address;
mod bip32;
mod error;
mod hd_error;
mod keccak;
mod mnemonic;
mod nfkd;
mod personal_sign;
mod typed_data;
mod uint256;
mod wallet;
mod wordlist;

pub use address::{ADDRESS_TEXT_LEN, Address};
pub use bip32::{DerivationPath, HARDENED, MAX_PATH_DEPTH, MAX_PATH_LEN};
pub use error::EthError;
pub use hd_error::HdError;
pub(crate) use keccak::keccak256;
pub use mnemonic::{
    MAX_PASSPHRASE_LEN, MAX_PHRASE_LEN, MAX_WORDS, Mnemonic, Passphrase, SEED_ROUNDS, Seed, WordCount,
};
pub use nfkd::{NFKD_UNICODE_VERSION, is_nfkd};
pub use personal_sign::{ETH_SIGNATURE_LEN, EthSignature, eip191_hash, recover_address, recover_prehash};
pub(crate) use typed_data::hex_literal;
pub use typed_data::{DOMAIN_TYPE_HASH, Eip712Domain, StructHasher, typed_data_digest};
pub use uint256::{U256, U256_DECIMAL_LEN};
pub use wallet::WalletKey;
pub use wordlist::{english_index, english_word};

//! # signet-core
//!
//! Signed API credentials without `std`, without allocation and without panics on any input:
//! Turbine's Ed25519 bearer tokens, minted on a device or client and verified on a server.
//!
//! The core does no I/O. Time comes in as [`UnixTime`], randomness as a `rand_core` CSPRNG,
//! keys through [`KeyStore`] and replay state through [`ReplayGuard`]; tokens are written into
//! caller buffers whose sizes are the exported `MAX_*_LEN` constants.
//!
//! ```
//! use ed25519_dalek::SigningKey;
//! use signet_core::{
//!     AuthError, Claims, KeyId, KeyRecord, KeyRing, MAX_TOKEN_LEN, Nonce, NonceCache, UnixTime,
//!     Verifier, mint,
//! };
//!
//! // The client: its key id and private key come from registration.
//! let key = SigningKey::from_bytes(&[7; 32]);
//! let kid = KeyId::new("e792e6d8c4bd2122")?;
//! let now = UnixTime(1_735_779_017);
//! let claims = Claims { kid: kid.clone(), ts: now, nonce: Nonce::from_bytes([1; 16]) };
//! let mut buf = [0u8; MAX_TOKEN_LEN];
//! let token = mint(&key, &claims, &mut buf)?;
//!
//! // The server: registered public keys and a replay cache.
//! let mut keys = KeyRing::<4>::new();
//! keys.insert(kid, KeyRecord::active(key.verifying_key()))?;
//! let mut verifier = Verifier::new(keys, NonceCache::<16>::new());
//! let header = format!("Bearer {token}");
//! assert_eq!(verifier.verify_str(Some(&header), now)?, claims);
//! // The same token again is a replay.
//! assert_eq!(verifier.verify_str(Some(&header), now), Err(AuthError::TokenReplayed));
//! assert_eq!(verifier.verify_str(None, now).unwrap_err().to_string(), "missing authorization header");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![no_std]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::panic, clippy::unwrap_used, clippy::expect_used)
)]

#[cfg(test)]
extern crate std;

mod api_key;
mod claims;
mod error;
pub mod eth;
mod hmac_key;
pub mod jwt;
mod key_id;
mod keys;
pub mod link;
mod nonce;
mod registration;
mod replay;
pub mod request_signing;
mod signer;
mod text;
mod time;
mod token;
mod verify;

pub use api_key::{API_SECRET_HEX_LEN, ApiSecret, InvalidApiSecret, IssuedApiKey};
pub use claims::{Claims, MAX_MINTED_PAYLOAD_LEN, MAX_PAYLOAD_LEN};
pub use error::AuthError;
pub use hmac_key::{HMAC_TAG_LEN, HmacKey};
pub use key_id::{KeyId, KeyIdError, MAX_KEY_ID_LEN};
pub use keys::{KeyRecord, KeyRing, KeyRingFull, KeyStatus, KeyStore, KeyStoreError};
pub use nonce::{NONCE_HEX_LEN, NONCE_LEN, Nonce};
pub use registration::{
    REGISTRATION_MESSAGE_LEN, REGISTRATION_MESSAGE_PREFIX, RegistrationRequest, registration_message,
    verify_registration,
};
pub use replay::{NONCE_CACHE_WAYS, NonceCache, ReplayError, ReplayGuard};
pub use signer::PreparedSigningKey;
pub use time::{Clock, UnixTime};
pub use token::{MAX_TOKEN_LEN, MAX_VERIFY_TOKEN_LEN, MintError, Token, bearer_token, mint, mint_string};
pub use verify::{DEFAULT_MAX_CLOCK_SKEW_SECS, TOKEN_WINDOW_SECS, Verifier, VerifyConfig};

/// Re-exported so callers name the same Ed25519 types the core uses.
pub use ed25519_dalek;

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
//! use signet_core::UnixTime;
//! use signet_core::turbine::{
//!     AuthError, Claims, KeyId, KeyRecord, KeyRing, MAX_TOKEN_LEN, Nonce, NonceCache, Verifier, mint,
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
//!
//! ## Layout
//! - [`turbine`]: bearer tokens (claims, mint, parse, verify), key ids and nonces, the key and
//!   replay stores, issued API keys and wallet registration; EIP-712 signed orders
//!   ([`turbine::order`]).
//! - [`bitzoom`]: JWTs ([`bitzoom::jwt`]), HMAC-SHA256 request signing
//!   ([`bitzoom::request_signing`]), the WebSocket logon and channel names.
//! - [`eth`]: addresses, `personal_sign`, EIP-712 typed-data hashing, recovery, the wallet key.
//! - [`link`]: the framed protocol between a host and a signing device.
//! - Shared by the above: [`UnixTime`] and [`Clock`], [`HmacKey`], ASCII output helpers.
#![no_std]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::panic, clippy::unwrap_used, clippy::expect_used)
)]

#[cfg(test)]
extern crate std;

pub mod bitzoom;
pub mod eth;
mod hmac_key;
mod json;
pub mod link;
mod text;
mod time;
pub mod turbine;

// Shared by every protocol: time and the HMAC key. Everything else has one path, in its module.
pub use hmac_key::{HMAC_TAG_LEN, HmacKey};
pub use time::{Clock, UnixTime};

/// Re-exported so callers name the same Ed25519 types the core uses.
pub use ed25519_dalek;

#![doc = include_str!("../README.md")]
#![no_std]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::panic, clippy::unwrap_used, clippy::expect_used)
)]

#[cfg(test)]
extern crate std;

pub mod bitzoom;
pub mod ed25519;
pub mod eth;
mod hmac_key;
mod json;
pub mod link;
#[cfg(feature = "pin")]
pub mod pin;
mod text;
mod time;
pub mod turbine;

// Shared by every protocol: time and the HMAC key. Everything else has one path, in its module.
pub use hmac_key::{HMAC_TAG_LEN, HmacKey};
pub use time::{Clock, UnixTime, Utc};

/// Re-exported so callers name the same Ed25519 types the core uses.
pub use ed25519_dalek;

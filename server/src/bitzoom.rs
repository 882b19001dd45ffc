//! Bitzoom, server side: HMAC API keys with permissions and allowlists ([`keys`]), and the
//! service that checks bearer JWTs, signed requests and WebSocket logons.

pub mod keys;
pub(crate) mod service;

pub use service::{
    BitzoomClaims, BitzoomError, Caller, DEFAULT_RATE_BURST, DEFAULT_RATE_PER_SEC, SignedHeaders,
};

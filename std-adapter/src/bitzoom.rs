//! Bitzoom for std applications: the HTTP client (test tokens, bearer requests that refresh the
//! token, HMAC-signed requests) and, with the `ws` feature, the private WebSocket stream.

pub(crate) mod client;
#[cfg(feature = "ws")]
pub mod ws;

pub use client::token_expires_in;

//! Bitzoom for std: the server side (test tokens, bearer JWT and HMAC request checks), the
//! HTTP client, and the axum routes.

pub mod client;
#[cfg(feature = "axum")]
pub mod routes;
pub mod service;

pub use client::{BitzoomClient, token_expires_in};
#[cfg(feature = "axum")]
pub use routes::bitzoom_routes;
pub use service::{BitzoomClaims, BitzoomError, BitzoomService, SignedHeaders};

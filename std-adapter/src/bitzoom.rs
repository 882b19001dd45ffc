//! Bitzoom for std: the server side (test tokens, bearer JWT and HMAC request checks), the
//! HTTP client, and the axum routes.

pub mod client;
pub mod keys;
#[cfg(feature = "axum")]
pub mod routes;
pub mod service;
#[cfg(feature = "axum")]
pub mod ws_client;
#[cfg(feature = "axum")]
pub mod ws_server;

pub use client::{BitzoomClient, token_expires_in};
pub use keys::{
    BitzoomKey, BitzoomKeyError, BitzoomKeyStatus, MAX_KEYS_PER_ACCOUNT, Permission, Permissions,
};
#[cfg(feature = "axum")]
pub use routes::bitzoom_routes;
pub use service::{BitzoomClaims, BitzoomError, BitzoomService, Caller, SignedHeaders};

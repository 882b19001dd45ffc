//! # signet-std
//!
//! signet for std applications and servers: the OS clock and CSPRNG behind the core's traits,
//! credentials from the official clients' environment variables or a private file, and a
//! `Send + Sync` [`VerifierService`] with a persistent key registry ([`RedbRegistry`]) and a
//! sharded replay cache.
//!
//! ```
//! use signet_core::eth::WalletKey;
//! use signet_core::{Claims, MAX_TOKEN_LEN, mint};
//! use signet_std::{RedbRegistry, SystemClock, VerifierService, os_rng};
//! use signet_core::Clock;
//!
//! let dir = tempfile::tempdir()?;
//! let service = VerifierService::new(RedbRegistry::open(&dir.path().join("keys.redb"))?);
//!
//! // A wallet registers (POST /api/v1/api-keys) and receives its API key once.
//! let wallet = WalletKey::generate(&mut os_rng());
//! let request = wallet.sign_registration();
//! let issued = service.register(&request.address.to_string(), &request.signature.to_hex(), Some("bot"))?;
//!
//! // The client mints a fresh token per request; the service verifies it once.
//! let claims = Claims::generate(issued.kid.clone(), SystemClock.now(), &mut os_rng());
//! let mut buf = [0u8; MAX_TOKEN_LEN];
//! let header = format!("Bearer {}", mint(&issued.secret.signing_key(), &claims, &mut buf)?);
//! assert_eq!(service.verify(Some(header.as_bytes()))?.kid, issued.kid);
//! assert_eq!(service.verify(Some(header.as_bytes())).unwrap_err().to_string(), "token already used");
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
//!
//! ## Layout
//! - [`turbine`]: the verifier service (registration and verification), the client, the axum routes.
//! - [`bitzoom`]: the server-side service (test tokens, JWT and HMAC checks), the client, the routes.
//! - [`store`]: where a server keeps state: the redb key registry and the replay cache.
//! - At the top: the device client ([`DeviceClient`]), [`Credentials`], the OS clock and CSPRNG.

pub mod bitzoom;
mod credentials;
mod device;
mod http;
mod platform;
pub mod private_file;
pub mod store;
pub mod turbine;

pub use bitzoom::{BitzoomClient, token_expires_in};
pub use credentials::{Credentials, CredentialsError, Secret, TurbineApiKey, VARIABLES};
pub use device::{DeviceClient, DeviceClientError, DeviceInfo};
pub use http::ClientError;
pub use platform::{OsRng, SystemClock, os_rng};
pub use store::{
    Entry, MemoryReplayConfig, MemoryReplayStore, PostgresConfig, PostgresRegistry, RedbRegistry,
    RedisReplayConfig, RedisReplayStore, Registry, RegistryError, ReplayStore, ShardedReplayCache,
};
pub use turbine::{
    NewOrder, OrderSigner, OrderView, PostedOrder, Registration, RegistrationError, TurbineClient,
    VerifierService,
};

/// The server: routes, middleware, health, metrics, the accept loop (also the old path of the
/// Turbine extractor and both APIs' routers).
#[cfg(feature = "axum")]
pub mod server;

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

pub mod bitzoom;
mod client;
mod credentials;
mod device;
mod platform;
mod registry;
mod replay;
#[cfg(feature = "axum")]
pub mod server;
mod service;

pub use client::{BitzoomClient, ClientError, TurbineClient, token_expires_in};
pub use credentials::{Credentials, CredentialsError, Secret, TurbineApiKey, VARIABLES};
pub use device::{DeviceClient, DeviceClientError, DeviceInfo};
pub use platform::{OsRng, SystemClock, os_rng};
pub use registry::{Entry, RedbRegistry, RegistryError};
pub use replay::ShardedReplayCache;
pub use service::{RegistrationError, VerifierService};

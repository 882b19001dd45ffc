#![doc = include_str!("../README.md")]

mod backend;
pub mod bitzoom;
mod credentials;
#[cfg(feature = "device")]
pub mod device;
mod error;
mod http;
mod platform;
pub mod private_file;
pub mod turbine;
pub mod wallet;

pub use backend::Ed25519Backend;
pub use bitzoom::client::BitzoomClient;
pub use credentials::{Credentials, CredentialsError, Secret, TurbineApiKey, VARIABLES};
pub use error::{ClientError, SignerError};
pub use platform::{OsRng, SystemClock, os_rng};
pub use turbine::client::TurbineClient;

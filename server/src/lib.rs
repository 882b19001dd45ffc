#![doc = include_str!("../README.md")]

pub mod bitzoom;
#[cfg(feature = "axum")]
pub mod http;
mod rate;
#[cfg(feature = "serve")]
pub mod serve;
pub mod store;
pub mod turbine;

pub use bitzoom::service::BitzoomService;
pub use store::registry::Registry;
pub use turbine::service::VerifierService;

//! Turbine for std: the verifier service (registration and verification), the HTTP client,
//! and the axum routes.

pub mod client;
#[cfg(feature = "axum")]
pub mod routes;
pub mod service;

pub use client::TurbineClient;
#[cfg(feature = "axum")]
pub use routes::{TurbineAuth, forward_auth_route, turbine_routes};
pub use service::{RegistrationError, VerifierService};

//! Turbine for std: the verifier service (registration and verification), the HTTP client,
//! and the axum routes.

pub mod client;
pub mod registration;
#[cfg(feature = "axum")]
pub mod routes;
pub mod service;

pub use client::TurbineClient;
pub use registration::{Registration, RegistrationError};
#[cfg(feature = "axum")]
pub use routes::{TurbineAuth, forward_auth_route, turbine_routes};
pub use service::VerifierService;

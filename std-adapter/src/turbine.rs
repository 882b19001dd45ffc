//! Turbine for std: the verifier service (registration, verification, orders), the HTTP
//! client, and the axum routes.

pub mod client;
mod order_client;
#[cfg(feature = "axum")]
pub mod order_routes;
pub mod order_view;
pub mod registration;
#[cfg(feature = "axum")]
pub mod routes;
pub mod service;

pub use client::TurbineClient;
pub use order_client::{NewOrder, OrderSigner, PostedOrder};
#[cfg(feature = "axum")]
pub use order_routes::order_routes;
pub use order_view::{MarketView, OrderAccepted, OrderList, OrderView, OrdersCancelled};
pub use registration::{Registration, RegistrationError};
#[cfg(feature = "axum")]
pub use routes::{TurbineAuth, forward_auth_route, turbine_routes};
pub use service::{DEFAULT_CHAIN_ID, VerifierService};

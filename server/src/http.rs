//! The HTTP layer over axum (feature `axum`): the Turbine extractor ([`TurbineAuth`], with its
//! typed [`TurbineRejection`]) and routers for the documented Turbine and Bitzoom endpoints,
//! forward authentication, and health; how each refusal maps to a status.

mod auth;
mod bitzoom;
mod health;
mod hold;
mod orders;
mod record;
mod rejection;
mod relayer;
mod turbine;
mod ws;

pub use auth::TurbineAuth;
pub use bitzoom::bitzoom_routes;
pub use health::health_routes;
pub use hold::ConnectionHold;
pub use orders::order_routes;
pub use record::{Record, RequestRecord, record_verification};
pub use rejection::TurbineRejection;
pub use relayer::relayer_routes;
pub use turbine::{forward_auth_route, turbine_routes};

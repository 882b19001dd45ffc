//! Turbine for std applications: the HTTP client (public market data, key registration,
//! writes with a fresh token per request), orders signed by any
//! [`OrderSigner`](signet_core::turbine::order::OrderSigner), and the JSON the API answers
//! with ([`api`]).

pub mod api;
pub(crate) mod client;
mod orders;

pub use orders::{DEFAULT_ORDER_LIFETIME_SECS, NewOrder, PostedOrder};

//! Turbine for std applications: the HTTP client (public market data, key registration,
//! writes with a fresh token per request), orders signed by any
//! [`OrderSigner`](signet_core::turbine::order::OrderSigner), the current SDK's permits,
//! approvals and redemptions signed by any
//! [`MessageSigner`](signet_core::turbine::permit::MessageSigner), and the JSON the API answers
//! with ([`api`]).

pub mod api;
pub(crate) mod client;
mod orders;
mod relayer;
pub mod typed_json;

pub use orders::{DEFAULT_ORDER_LIFETIME_SECS, NewOrder, PostedOrder};
pub use relayer::{DEFAULT_MESSAGE_LIFETIME_SECS, RelayerAnswer, RelayerAuth, deadline_at};

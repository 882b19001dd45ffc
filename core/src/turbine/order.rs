//! Turbine orders: EIP-712 typed data that the trader's wallet signs, as the official SDK
//! (turbine-py-client `signer.py`) builds it.
//!
//! An [`Order`] is checked when it is built (the SDK's ranges are [`OrderError`]s), hashed
//! field by field straight into Keccak-256, and signed over an [`OrderDomain`] whose separator
//! is computed once per chain and settlement contract. [`SignedOrder`] writes and reads the
//! body the SDK posts to `/api/v1/orders`, and [`Order::summary`] is the line a signing device
//! shows before it signs.

mod body;
mod domain;
mod error;
mod fields;
mod hash;
mod market;
mod record;
mod signer;
mod submission;
mod summary;
mod typed;

pub use body::MAX_ORDER_BODY_LEN;
pub use domain::{
    DEFAULT_CHAIN_ID, ORDER_DOMAIN_NAME, ORDER_DOMAIN_VERSION, OrderDomain, SETTLEMENT_CONTRACTS,
};
pub use error::OrderError;
pub use fields::{Outcome, Side};
pub use hash::OrderHash;
pub use market::{MARKET_ID_TEXT_LEN, MarketId};
pub use record::{OrderQuery, OrderRecord, OrderStatus};
pub use signer::OrderSigner;
pub use submission::{MAX_ORDER_SUBMISSION_LEN, OrderSubmission, SubmissionError};
pub(crate) use summary::write_abbreviated;
pub use summary::{MAX_ORDER_SUMMARY_LEN, OrderSummary};
pub use typed::{ORDER_TYPE, ORDER_TYPE_HASH, Order, OrderArgs, PRICE_SCALE, SIZE_SCALE, SignedOrder};

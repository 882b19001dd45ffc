//! What an order store does (accepted Turbine orders, kept beside the key that posted them, so
//! every instance sharing a registry serves the same orders), and why it refuses.
//!
//! signet checks and stores orders; it does not match them (no order is ever filled here).

use core::fmt;
use core::future::Future;

use signet_core::UnixTime;
use signet_core::turbine::KeyId;
use signet_core::turbine::order::{MarketId, OrderHash, OrderQuery, OrderRecord, OrderStatus, SignedOrder};

use crate::store::error::RegistryError;

/// Most orders one listing returns (newest first).
pub const MAX_ORDERS_LISTED: usize = 1000;

/// Accepted orders: stored with the checks that must be atomic with the write.
pub trait OrderStore: Send + Sync {
    /// Stores `signed`, posted with key `kid` at `now`, in one transaction that also checks the
    /// order's trader is the key's wallet and that the order is new.
    ///
    /// # Errors
    /// [`OrderStoreError::TraderMismatch`], [`OrderStoreError::Duplicate`], or the registry's.
    fn submit_order(
        &self,
        kid: &KeyId,
        signed: &SignedOrder,
        now: UnixTime,
    ) -> impl Future<Output = Result<OrderRecord, OrderStoreError>> + Send;

    /// The order with this hash.
    ///
    /// # Errors
    /// The registry's.
    fn order(
        &self,
        hash: &OrderHash,
    ) -> impl Future<Output = Result<Option<OrderRecord>, OrderStoreError>> + Send;

    /// Up to [`MAX_ORDERS_LISTED`] orders matching `query` at `now`, newest first.
    ///
    /// # Errors
    /// The registry's.
    fn orders(
        &self,
        query: &OrderQuery,
        now: UnixTime,
    ) -> impl Future<Output = Result<Vec<OrderRecord>, OrderStoreError>> + Send;

    /// Cancels the open order `hash` if its trader is the wallet of key `kid`.
    ///
    /// # Errors
    /// [`OrderStoreError::NotFound`], [`OrderStoreError::TraderMismatch`],
    /// [`OrderStoreError::NotOpen`], or the registry's.
    fn cancel_order(
        &self,
        kid: &KeyId,
        hash: &OrderHash,
        now: UnixTime,
    ) -> impl Future<Output = Result<OrderRecord, OrderStoreError>> + Send;

    /// Cancels every open order of key `kid`'s wallet in `market`; returns their hashes.
    ///
    /// # Errors
    /// The registry's.
    fn cancel_market_orders(
        &self,
        kid: &KeyId,
        market: &MarketId,
        now: UnixTime,
    ) -> impl Future<Output = Result<Vec<OrderHash>, OrderStoreError>> + Send;
}

/// The expiration as a signed integer for ordering and comparisons in storage (beyond
/// `i64::MAX` it is the same as never, for any clock).
#[cfg(feature = "postgres")]
pub(crate) fn expiration_key(signed: &SignedOrder) -> i64 {
    i64::try_from(signed.order.expiration).unwrap_or(i64::MAX)
}

/// Why an order could not be stored, found or cancelled.
#[derive(Debug)]
#[non_exhaustive]
pub enum OrderStoreError {
    /// The order's trader is not the wallet that registered the posting key.
    TraderMismatch,
    /// An order with this hash was accepted before.
    Duplicate,
    /// No order has this hash.
    NotFound,
    /// The order is not open (cancelled or expired) and cannot be cancelled.
    NotOpen(OrderStatus),
    /// The registry failed or is unavailable.
    Registry(RegistryError),
}

impl fmt::Display for OrderStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderStoreError::TraderMismatch => f.write_str("order trader is not the wallet of this API key"),
            OrderStoreError::Duplicate => f.write_str("order already submitted"),
            OrderStoreError::NotFound => f.write_str("order not found"),
            OrderStoreError::NotOpen(status) => write!(f, "order is {status}, not open"),
            // The registry's own detail stays in logs (and `source`); the client learns the kind.
            OrderStoreError::Registry(RegistryError::Unavailable) => f.write_str("order store unavailable"),
            OrderStoreError::Registry(_) => f.write_str("order store error"),
        }
    }
}

impl core::error::Error for OrderStoreError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            OrderStoreError::Registry(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RegistryError> for OrderStoreError {
    fn from(e: RegistryError) -> Self {
        OrderStoreError::Registry(e)
    }
}

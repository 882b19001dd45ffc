//! Accepted Turbine orders, kept in the key registry (redb or PostgreSQL) beside the key that
//! posted them, so every instance sharing a registry serves the same orders.
//!
//! signet checks and stores orders; it does not match them (no order is ever filled here).

use core::fmt;

use signet_core::UnixTime;
use signet_core::eth::Address;
use signet_core::turbine::KeyId;
use signet_core::turbine::order::{MarketId, OrderHash, SignedOrder};

use crate::store::redb::RegistryError;
use crate::store::registry::Registry;

/// Most orders one listing returns (newest first).
pub const MAX_ORDERS_LISTED: usize = 1000;

/// Where an order stands. `Open`, `Filled` and `Cancelled` are the SDK's statuses; `Expired`
/// is an open order past its expiration, derived when it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// On the book.
    Open,
    /// Matched in full (signet never matches, so never set here; accepted as a filter).
    Filled,
    /// Cancelled by its trader.
    Cancelled,
    /// Open, but its expiration has passed.
    Expired,
}

impl OrderStatus {
    /// `open`, `filled`, `cancelled` or `expired`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::Filled => "filled",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
        }
    }

    /// The status named `text`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [OrderStatus::Open, OrderStatus::Filled, OrderStatus::Cancelled, OrderStatus::Expired]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An accepted order as stored: the signed order, its stored status (`Open` or `Cancelled`),
/// the key that posted it and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRecord {
    /// The order and its trader's signature.
    pub signed: SignedOrder,
    /// `Open` or `Cancelled` as stored; see [`OrderRecord::status_at`].
    pub status: OrderStatus,
    /// The API key whose token posted it.
    pub kid: KeyId,
    /// When it was accepted.
    pub created_at: UnixTime,
}

impl OrderRecord {
    /// The status at `now`: an open order past its expiration is `Expired`.
    #[must_use]
    pub fn status_at(&self, now: UnixTime) -> OrderStatus {
        if self.status == OrderStatus::Open && !is_live(&self.signed, now) {
            OrderStatus::Expired
        } else {
            self.status
        }
    }

    /// The order's id.
    #[must_use]
    pub fn hash(&self) -> OrderHash {
        self.signed.hash()
    }
}

/// Whether the order has not expired at `now`.
pub(crate) fn is_live(signed: &SignedOrder, now: UnixTime) -> bool {
    u64::try_from(now.0).is_ok_and(|now| signed.order.expiration > now)
}

/// The expiration as a signed integer for ordering and comparisons in storage (beyond
/// `i64::MAX` it is the same as never, for any clock).
pub(crate) fn expiration_key(signed: &SignedOrder) -> i64 {
    i64::try_from(signed.order.expiration).unwrap_or(i64::MAX)
}

/// Which orders to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrderQuery {
    /// Only this trader's.
    pub trader: Option<Address>,
    /// Only this market's (compared as `bytes32`).
    pub market_id: Option<MarketId>,
    /// Only orders with this status at the time of the listing.
    pub status: Option<OrderStatus>,
}

impl OrderQuery {
    /// Whether `record` matches at `now`.
    #[must_use]
    pub fn matches(&self, record: &OrderRecord, now: UnixTime) -> bool {
        let order = &record.signed.order;
        self.trader.is_none_or(|t| t == order.trader)
            && self.market_id.is_none_or(|m| m.as_bytes() == order.market_id.as_bytes())
            && self.status.is_none_or(|s| s == record.status_at(now))
    }
}

/// Why an order could not be stored, found or cancelled.
#[derive(Debug)]
#[non_exhaustive]
pub enum OrderStoreError {
    /// The order's trader is not the wallet that registered the posting key (HTTP 403).
    TraderMismatch,
    /// An order with this hash was accepted before (HTTP 409).
    Duplicate,
    /// No order has this hash (HTTP 404).
    NotFound,
    /// The order is not open (cancelled or expired) and cannot be cancelled (HTTP 409).
    NotOpen(OrderStatus),
    /// The registry failed or is unavailable.
    Registry(RegistryError),
}

impl OrderStoreError {
    /// The HTTP status a server answers with.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            OrderStoreError::TraderMismatch => 403,
            OrderStoreError::Duplicate | OrderStoreError::NotOpen(_) => 409,
            OrderStoreError::NotFound => 404,
            OrderStoreError::Registry(RegistryError::Unavailable) => 503,
            OrderStoreError::Registry(_) => 500,
        }
    }
}

impl fmt::Display for OrderStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderStoreError::TraderMismatch => f.write_str("order trader is not the wallet of this API key"),
            OrderStoreError::Duplicate => f.write_str("order already submitted"),
            OrderStoreError::NotFound => f.write_str("order not found"),
            OrderStoreError::NotOpen(status) => write!(f, "order is {status}, not open"),
            // The registry's own detail stays in logs; the client learns the kind.
            OrderStoreError::Registry(RegistryError::Unavailable) => f.write_str("order store unavailable"),
            OrderStoreError::Registry(_) => f.write_str("order store error"),
        }
    }
}

impl core::error::Error for OrderStoreError {}

impl From<RegistryError> for OrderStoreError {
    fn from(e: RegistryError) -> Self {
        OrderStoreError::Registry(e)
    }
}

impl Registry {
    /// Stores `signed`, posted with key `kid` at `now`, in one transaction that also checks the
    /// order's trader is the key's wallet and that the order is new.
    ///
    /// # Errors
    /// [`OrderStoreError::TraderMismatch`], [`OrderStoreError::Duplicate`], or the registry's.
    pub async fn submit_order(
        &self,
        kid: &KeyId,
        signed: &SignedOrder,
        now: UnixTime,
    ) -> Result<OrderRecord, OrderStoreError> {
        match self {
            Registry::Redb(r) => r.submit_order(kid, signed, now),
            Registry::Postgres(p) => p.submit_order(kid, signed, now).await,
        }
    }

    /// The order with this hash.
    ///
    /// # Errors
    /// The registry's.
    pub async fn order(&self, hash: &OrderHash) -> Result<Option<OrderRecord>, OrderStoreError> {
        match self {
            Registry::Redb(r) => r.order(hash),
            Registry::Postgres(p) => p.order(hash).await,
        }
    }

    /// Up to [`MAX_ORDERS_LISTED`] orders matching `query` at `now`, newest first.
    ///
    /// # Errors
    /// The registry's.
    pub async fn orders(
        &self,
        query: &OrderQuery,
        now: UnixTime,
    ) -> Result<Vec<OrderRecord>, OrderStoreError> {
        match self {
            Registry::Redb(r) => r.orders(query, now),
            Registry::Postgres(p) => p.orders(query, now).await,
        }
    }

    /// Cancels the open order `hash` if its trader is the wallet of key `kid`.
    ///
    /// # Errors
    /// [`OrderStoreError::NotFound`], [`OrderStoreError::TraderMismatch`],
    /// [`OrderStoreError::NotOpen`], or the registry's.
    pub async fn cancel_order(
        &self,
        kid: &KeyId,
        hash: &OrderHash,
        now: UnixTime,
    ) -> Result<OrderRecord, OrderStoreError> {
        match self {
            Registry::Redb(r) => r.cancel_order(kid, hash, now),
            Registry::Postgres(p) => p.cancel_order(kid, hash, now).await,
        }
    }

    /// Cancels every open order of key `kid`'s wallet in `market`; returns their hashes.
    ///
    /// # Errors
    /// The registry's.
    pub async fn cancel_market_orders(
        &self,
        kid: &KeyId,
        market: &MarketId,
        now: UnixTime,
    ) -> Result<Vec<OrderHash>, OrderStoreError> {
        match self {
            Registry::Redb(r) => r.cancel_market_orders(kid, market, now),
            Registry::Postgres(p) => p.cancel_market_orders(kid, market, now).await,
        }
    }
}

//! What an order store does (accepted Turbine orders, kept beside the key that posted them, so
//! every instance sharing a registry serves the same orders), and why it refuses.
//!
//! signet checks and stores orders; it does not match them (no order is ever filled here).
//!
//! **Lifecycle.** An order is open until it is cancelled or expires; then it is closed, and a
//! closed order is kept only for a while ([`OrderLimits`]): at most `max_closed` per wallet
//! (the oldest go first when a wallet posts past it), none longer than `retention_secs` after
//! it closed ([`OrderStore::prune_orders`], which `signet serve` runs each minute), and never
//! more than `max_stored` orders in all (the earliest closed go first; with none closed, an
//! order is refused). Without it, the third review stored 10,000 orders with the open-order
//! cap at 1,000 by posting and cancelling, and registering wallets is open to anyone.

use core::fmt;
use core::future::Future;

use signet_core::UnixTime;
use signet_core::eth::Address;
use signet_core::turbine::KeyId;
use signet_core::turbine::order::{MarketId, OrderHash, OrderQuery, OrderRecord, OrderStatus, SignedOrder};

use crate::store::error::RegistryError;

/// Most orders one listing returns (newest first).
pub const MAX_ORDERS_LISTED: usize = 1000;

/// Default most open orders of one API key (its wallet) at once.
pub const DEFAULT_MAX_OPEN_ORDERS: usize = 1000;

/// Default most closed orders kept per wallet.
pub const DEFAULT_MAX_CLOSED_ORDERS: usize = 1000;

/// Default time a closed order is kept: 7 days.
pub const DEFAULT_ORDER_RETENTION_SECS: i64 = 7 * 86_400;

/// Default most orders stored in all (about 1.8 KB each in redb: 1.8 GB).
pub const DEFAULT_MAX_STORED_ORDERS: usize = 1_000_000;

/// How many orders are kept: per wallet open and closed, for how long, and in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderLimits {
    /// Most live open orders of one wallet; beyond it an order is refused (429).
    pub max_open: usize,
    /// Most closed (cancelled or expired) orders kept for one wallet; when it posts past it,
    /// its oldest closed orders go.
    pub max_closed: usize,
    /// Seconds a closed order is kept after it closed (cancelled, or its expiration passed).
    pub retention_secs: i64,
    /// Most orders kept in all; at it, the earliest closed order goes, and with none closed a
    /// new order is refused (503, `order store full`).
    pub max_stored: usize,
}

impl Default for OrderLimits {
    fn default() -> Self {
        OrderLimits {
            max_open: DEFAULT_MAX_OPEN_ORDERS,
            max_closed: DEFAULT_MAX_CLOSED_ORDERS,
            retention_secs: DEFAULT_ORDER_RETENTION_SECS,
            max_stored: DEFAULT_MAX_STORED_ORDERS,
        }
    }
}

impl OrderLimits {
    /// Most orders kept for one wallet: its open and its closed ones.
    #[must_use]
    pub fn per_wallet(&self) -> usize {
        self.max_open.saturating_add(self.max_closed)
    }
}

/// One trader's orders, filtered: what a listing reads. Every listing names its trader (a
/// trader sees its own orders), so each is served from that trader's index entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderListing {
    /// Whose orders.
    pub trader: Address,
    /// Only this market's (compared as `bytes32`).
    pub market_id: Option<MarketId>,
    /// Only orders with this status at the time of the listing.
    pub status: Option<OrderStatus>,
    /// Most orders returned, newest first (at most [`MAX_ORDERS_LISTED`]).
    pub limit: usize,
}

impl OrderListing {
    /// The same filter as the core's [`OrderQuery`].
    #[must_use]
    pub fn query(&self) -> OrderQuery {
        OrderQuery { trader: Some(self.trader), market_id: self.market_id, status: self.status }
    }

    /// The limit, within [`MAX_ORDERS_LISTED`] and at least one.
    #[must_use]
    pub fn bounded_limit(&self) -> usize {
        self.limit.clamp(1, MAX_ORDERS_LISTED)
    }
}

/// Accepted orders: stored with the checks that must be atomic with the write.
pub trait OrderStore: Send + Sync {
    /// Stores `signed`, posted with key `kid` at `now`, in one transaction that also checks the
    /// order's trader is the key's wallet, that the order is new, and that the wallet holds
    /// fewer than `limits.max_open` open orders; it drops the wallet's oldest closed orders
    /// past `limits.max_closed`, and the earliest closed one when `limits.max_stored` are kept.
    ///
    /// # Errors
    /// [`OrderStoreError::TraderMismatch`], [`OrderStoreError::Duplicate`],
    /// [`OrderStoreError::TooManyOpen`], [`OrderStoreError::Full`], or the registry's.
    fn submit_order(
        &self,
        kid: &KeyId,
        signed: &SignedOrder,
        now: UnixTime,
        limits: &OrderLimits,
    ) -> impl Future<Output = Result<OrderRecord, OrderStoreError>> + Send;

    /// Drops up to `batch` orders closed at least `retention_secs` before `now`, earliest
    /// closed first, in one transaction; returns how many went (call again while it is
    /// `batch`).
    ///
    /// # Errors
    /// The registry's.
    fn prune_orders(
        &self,
        now: UnixTime,
        retention_secs: i64,
        batch: usize,
    ) -> impl Future<Output = Result<usize, OrderStoreError>> + Send;

    /// Orders kept now, in all.
    ///
    /// # Errors
    /// The registry's.
    fn stored_orders(&self) -> impl Future<Output = Result<usize, OrderStoreError>> + Send;

    /// The order with this hash.
    ///
    /// # Errors
    /// The registry's.
    fn order(
        &self,
        hash: &OrderHash,
    ) -> impl Future<Output = Result<Option<OrderRecord>, OrderStoreError>> + Send;

    /// Up to `listing.limit` (at most [`MAX_ORDERS_LISTED`]) of a trader's orders matching
    /// `listing` at `now`, newest first.
    ///
    /// # Errors
    /// The registry's.
    fn orders(
        &self,
        listing: &OrderListing,
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
#[cfg(any(feature = "postgres", feature = "redb"))]
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
    /// The key's wallet already holds this many open orders (the server's limit).
    TooManyOpen(usize),
    /// The store keeps its most orders and none of them is closed (the server's limit).
    Full,
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
            OrderStoreError::TooManyOpen(max) => {
                write!(
                    f,
                    "too many open orders: at most {max} per API key; cancel some or wait for them to expire"
                )
            }
            OrderStoreError::Full => f.write_str("order store full"),
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

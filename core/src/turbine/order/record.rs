//! Orders as a server keeps and lists them: the signed order, where it stands, which key posted
//! it and when. Both sides use these: a server stores [`OrderRecord`]s and filters them with an
//! [`OrderQuery`]; a client asks with the same query and reads the same [`OrderStatus`] words.

use core::fmt;

use crate::eth::Address;
use crate::time::UnixTime;
use crate::turbine::KeyId;
use crate::turbine::order::hash::OrderHash;
use crate::turbine::order::market::MarketId;
use crate::turbine::order::typed::SignedOrder;

/// Where an order stands. `Open`, `Filled` and `Cancelled` are the SDK's statuses; `Expired`
/// is an open order past its expiration, derived when it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// On the book.
    Open,
    /// Matched in full (signet never matches, so never stored; accepted as a filter).
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
        if self.status == OrderStatus::Open && !self.signed.order.is_live_at(now) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_queries() {
        for status in [OrderStatus::Open, OrderStatus::Filled, OrderStatus::Cancelled, OrderStatus::Expired] {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OrderStatus::parse("Open"), None);
        let (order, wallet) = crate::turbine::order::typed::tests::sample();
        let domain = crate::turbine::order::domain::OrderDomain::for_chain(137).unwrap();
        let record = OrderRecord {
            signed: order.sign(&domain, &wallet).unwrap(),
            status: OrderStatus::Open,
            kid: KeyId::new("k").unwrap(),
            created_at: UnixTime(1),
        };
        let before = UnixTime(i64::try_from(order.expiration).unwrap() - 1);
        let after = UnixTime(i64::try_from(order.expiration).unwrap());
        assert_eq!(
            (record.status_at(before), record.status_at(after)),
            (OrderStatus::Open, OrderStatus::Expired)
        );
        let open = OrderQuery { status: Some(OrderStatus::Open), ..OrderQuery::default() };
        assert!(open.matches(&record, before) && !open.matches(&record, after));
        let other = OrderQuery { trader: Some(Address::from_bytes([9; 20])), ..OrderQuery::default() };
        assert!(!other.matches(&record, before));
    }
}

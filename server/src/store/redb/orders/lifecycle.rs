//! The lifecycle of stored orders in redb: when each closes (the `closing` table, earliest
//! first), how many each wallet and the store keep (the `order_counts` table), and dropping an
//! order with every index entry it has.

use redb::{ReadableTable, TableDefinition, WriteTransaction};
use signet_core::UnixTime;
use signet_core::eth::Address;
use signet_core::turbine::order::OrderStatus;

use super::{
    OPEN_ORDERS, ORDERS, ORDERS_BY_MARKET, ORDERS_BY_TRADER, Stored, decode, hash_of, index_key, market_key,
    open_key, trader_range,
};
use crate::store::error::RegistryError;
use crate::store::orders::expiration_key;
use crate::store::redb::db_error;

/// closes at (8, big-endian, sign bit flipped so times sort as bytes) ‖ order hash (32) ->
/// nothing: every order, by when it closes (an open order at its expiration, a cancelled one
/// when it was cancelled). Each order has exactly one entry.
pub(super) const CLOSING: TableDefinition<&[u8], ()> = TableDefinition::new("orders_closing");

/// trader (20) -> orders kept for it; the empty key -> orders kept in all.
pub(super) const COUNTS: TableDefinition<&[u8], u64> = TableDefinition::new("order_counts");

/// The key `COUNTS` keeps the store's total under.
const TOTAL: &[u8] = b"";

fn time_bytes(at: i64) -> [u8; 8] {
    (at as u64 ^ (1 << 63)).to_be_bytes()
}

/// When a stored order closes (or closed).
fn closes_at(stored: &Stored) -> i64 {
    match stored.record.status {
        OrderStatus::Open => expiration_key(&stored.record.signed),
        _ => stored.closed_at.map_or(stored.record.created_at.0, |t| t.0),
    }
}

/// The order's entry in [`CLOSING`].
pub(super) fn closing_key(stored: &Stored) -> [u8; 40] {
    let mut key = [0u8; 40];
    let (t, h) = key.split_at_mut(8);
    t.copy_from_slice(&time_bytes(closes_at(stored)));
    h.copy_from_slice(&stored.record.hash().0);
    key
}

/// Orders kept for `trader` (or in all, for `None`).
pub(super) fn count(txn: &WriteTransaction, trader: Option<&Address>) -> Result<u64, RegistryError> {
    let counts = txn.open_table(COUNTS).map_err(db_error)?;
    let key = trader.map_or(TOTAL, |t| t.as_bytes().as_slice());
    Ok(counts.get(key).map_err(db_error)?.map_or(0, |v| v.value()))
}

/// Orders kept in all, from a read.
pub(super) fn total(table: &impl ReadableTable<&'static [u8], u64>) -> Result<u64, RegistryError> {
    Ok(table.get(TOTAL).map_err(db_error)?.map_or(0, |v| v.value()))
}

/// Adds `delta` to `trader`'s count and the total.
pub(super) fn add_count(txn: &WriteTransaction, trader: &Address, delta: i64) -> Result<(), RegistryError> {
    let mut counts = txn.open_table(COUNTS).map_err(db_error)?;
    for key in [trader.as_bytes().as_slice(), TOTAL] {
        let now = counts.get(key).map_err(db_error)?.map_or(0, |v| v.value());
        let next = now.saturating_add_signed(delta);
        if next == 0 {
            counts.remove(key).map_err(db_error)?;
        } else {
            counts.insert(key, next).map_err(db_error)?;
        }
    }
    Ok(())
}

/// Drops a stored order: the order, its trader, market, open and closing index entries, and
/// its counts.
fn drop_order(txn: &WriteTransaction, stored: &Stored) -> Result<(), RegistryError> {
    let record = &stored.record;
    let hash = record.hash();
    txn.open_table(ORDERS).map_err(db_error)?.remove(hash.0.as_slice()).map_err(db_error)?;
    let trader = record.signed.order.trader;
    txn.open_table(ORDERS_BY_TRADER)
        .map_err(db_error)?
        .remove(index_key(&trader, record.created_at, &hash).as_slice())
        .map_err(db_error)?;
    txn.open_table(ORDERS_BY_MARKET)
        .map_err(db_error)?
        .remove(market_key(record).as_slice())
        .map_err(db_error)?;
    txn.open_table(OPEN_ORDERS)
        .map_err(db_error)?
        .remove(open_key(&record.signed).as_slice())
        .map_err(db_error)?;
    txn.open_table(CLOSING).map_err(db_error)?.remove(closing_key(stored).as_slice()).map_err(db_error)?;
    add_count(txn, &trader, -1)
}

/// Drops up to `limit` orders that closed at or before `before`, earliest first; how many.
pub(super) fn drop_closed_before(
    txn: &WriteTransaction,
    before: i64,
    limit: usize,
) -> Result<usize, RegistryError> {
    let mut due = Vec::new();
    {
        let closing = txn.open_table(CLOSING).map_err(db_error)?;
        let mut high = [0xffu8; 40];
        if let Some(t) = high.get_mut(..8) {
            t.copy_from_slice(&time_bytes(before));
        }
        for item in closing.range(..=high.as_slice()).map_err(db_error)?.take(limit) {
            let (key, ()) = item.map(|(k, _)| (k, ())).map_err(db_error)?;
            due.push(hash_of(key.value()).to_vec());
        }
    }
    let mut stored = Vec::with_capacity(due.len());
    {
        let orders = txn.open_table(ORDERS).map_err(db_error)?;
        for hash in &due {
            if let Some(value) = orders.get(hash.as_slice()).map_err(db_error)? {
                stored.push(decode(hash, value.value())?);
            }
        }
    }
    for order in &stored {
        drop_order(txn, order)?;
    }
    Ok(stored.len())
}

/// Drops `trader`'s oldest orders closed at `now` until it keeps fewer than `keep`; whether
/// it then does.
pub(super) fn make_room_for(
    txn: &WriteTransaction,
    trader: &Address,
    keep: u64,
    now: UnixTime,
) -> Result<bool, RegistryError> {
    let held = count(txn, Some(trader))?;
    if held < keep {
        return Ok(true);
    }
    let excess = held - keep + 1;
    let mut closed = Vec::new();
    {
        let index = txn.open_table(ORDERS_BY_TRADER).map_err(db_error)?;
        let orders = txn.open_table(ORDERS).map_err(db_error)?;
        let (low, high) = trader_range(trader);
        for item in index.range(low.as_slice()..=high.as_slice()).map_err(db_error)? {
            if closed.len() as u64 >= excess {
                break;
            }
            let (key, ()) = item.map(|(k, _)| (k, ())).map_err(db_error)?;
            let hash = hash_of(key.value());
            let Some(value) = orders.get(hash).map_err(db_error)? else { continue };
            let stored = decode(hash, value.value())?;
            if stored.record.status_at(now) != OrderStatus::Open {
                closed.push(stored);
            }
        }
    }
    for stored in &closed {
        drop_order(txn, stored)?;
    }
    Ok(closed.len() as u64 >= excess)
}

/// Builds the closing index and the counts from the orders (a registry from before them).
pub(super) fn build(txn: &WriteTransaction) -> Result<(), RegistryError> {
    let orders = txn.open_table(ORDERS).map_err(db_error)?;
    let mut closing = txn.open_table(CLOSING).map_err(db_error)?;
    let mut traders: std::collections::HashMap<Address, u64> = std::collections::HashMap::new();
    for item in orders.iter().map_err(db_error)? {
        let (hash, value) = item.map_err(db_error)?;
        let stored = decode(hash.value(), value.value())?;
        closing.insert(closing_key(&stored).as_slice(), ()).map_err(db_error)?;
        *traders.entry(stored.record.signed.order.trader).or_default() += 1;
    }
    let mut counts = txn.open_table(COUNTS).map_err(db_error)?;
    let total: u64 = traders.values().sum();
    for (trader, n) in traders {
        counts.insert(trader.as_bytes().as_slice(), n).map_err(db_error)?;
    }
    if total > 0 {
        counts.insert(TOTAL, total).map_err(db_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_sort_as_bytes() {
        let times = [i64::MIN, -5, 0, 7, 1_800_000_000, i64::MAX];
        for pair in times.windows(2) {
            assert!(time_bytes(pair[0]) < time_bytes(pair[1]));
        }
    }
}

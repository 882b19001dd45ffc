//! Orders in the redb registry: one table by hash and three indexes (by trader, by trader and
//! market, a trader's open orders by expiration), written in the same transactions as the key
//! checks, and the lifecycle's closing index and counts ([`lifecycle`]). Every listing and the
//! open-order count read index ranges of one trader; the work runs on a blocking thread, not on
//! the async runtime's.

mod lifecycle;

use redb::{ReadableDatabase, ReadableTable, Table, TableDefinition, TableHandle as _, WriteTransaction};
use signet_core::UnixTime;
use signet_core::eth::Address;
use signet_core::turbine::KeyId;
use signet_core::turbine::order::{
    MAX_ORDER_BODY_LEN, MarketId, OrderHash, OrderRecord, OrderStatus, SignedOrder,
};

use super::{KEYS, RedbRegistry, db_error, decode as decode_entry};
use crate::store::error::RegistryError;
use crate::store::orders::{OrderLimits, OrderListing, OrderStore, OrderStoreError, expiration_key};

/// order hash (32 bytes) -> encoded [`OrderRecord`].
pub(super) const ORDERS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("orders");
/// trader (20) ‖ accepted at (8, big-endian) ‖ order hash (32) -> nothing: a trader's orders in
/// time order.
pub(super) const ORDERS_BY_TRADER: TableDefinition<&[u8], ()> = TableDefinition::new("orders_by_trader");

/// trader (20) ‖ market (32) ‖ accepted at (8, big-endian) ‖ order hash (32) -> nothing: a
/// trader's orders in one market, in time order.
pub(super) const ORDERS_BY_MARKET: TableDefinition<&[u8], ()> =
    TableDefinition::new("orders_by_trader_market");
/// trader (20) ‖ expiration (8, big-endian) ‖ order hash (32) -> nothing: a trader's open
/// orders (removed when cancelled); those still live at `now` are the range past `now`.
pub(super) const OPEN_ORDERS: TableDefinition<&[u8], ()> = TableDefinition::new("open_orders_by_trader");

/// Creates the order tables (with the registry's); a registry made before the market and open
/// indexes has them built from its orders, once.
pub(crate) fn create_tables(txn: &WriteTransaction) -> Result<(), RegistryError> {
    let had_open_index = txn.list_tables().map_err(db_error)?.any(|t| t.name() == OPEN_ORDERS.name());
    txn.open_table(ORDERS).map_err(db_error)?;
    txn.open_table(ORDERS_BY_TRADER).map_err(db_error)?;
    txn.open_table(ORDERS_BY_MARKET).map_err(db_error)?;
    txn.open_table(OPEN_ORDERS).map_err(db_error)?;
    let had_lifecycle = txn.list_tables().map_err(db_error)?.any(|t| t.name() == lifecycle::CLOSING.name());
    txn.open_table(lifecycle::CLOSING).map_err(db_error)?;
    txn.open_table(lifecycle::COUNTS).map_err(db_error)?;
    if !had_lifecycle {
        lifecycle::build(txn)?;
    }
    if !had_open_index {
        let orders = txn.open_table(ORDERS).map_err(db_error)?;
        let mut by_market = txn.open_table(ORDERS_BY_MARKET).map_err(db_error)?;
        let mut open = txn.open_table(OPEN_ORDERS).map_err(db_error)?;
        for item in orders.iter().map_err(db_error)? {
            let (hash, value) = item.map_err(db_error)?;
            let record = decode(hash.value(), value.value())?.record;
            by_market.insert(market_key(&record).as_slice(), ()).map_err(db_error)?;
            if record.status == OrderStatus::Open {
                open.insert(open_key(&record.signed).as_slice(), ()).map_err(db_error)?;
            }
        }
    }
    Ok(())
}

/// An order as stored: the record, and when it was cancelled.
pub(super) struct Stored {
    pub(super) record: OrderRecord,
    /// When it was cancelled (`None` while open, and for orders cancelled before this was kept).
    pub(super) closed_at: Option<UnixTime>,
}

/// Status (0 open, 1 cancelled, 2 cancelled with its time), accepted at (8, little-endian),
/// for status 2 cancelled at (8, little-endian), key id length and bytes, then the body as
/// posted (canonical form), which is read back with the strict body parser.
fn encode(stored: &Stored) -> Result<Vec<u8>, RegistryError> {
    let record = &stored.record;
    let mut body = [0u8; MAX_ORDER_BODY_LEN];
    let body = record.signed.write_body(&mut body).map_err(db_error)?;
    let kid = record.kid.as_str().as_bytes();
    let mut out = Vec::with_capacity(18 + kid.len() + body.len());
    let closed = stored.closed_at.filter(|_| record.status == OrderStatus::Cancelled);
    out.push(match (record.status, closed) {
        (OrderStatus::Open, _) => 0,
        (_, None) => 1,
        (_, Some(_)) => 2,
    });
    out.extend_from_slice(&record.created_at.0.to_le_bytes());
    if let Some(at) = closed {
        out.extend_from_slice(&at.0.to_le_bytes());
    }
    out.push(u8::try_from(kid.len()).map_err(db_error)?);
    out.extend_from_slice(kid);
    out.extend_from_slice(body.as_bytes());
    Ok(out)
}

pub(super) fn decode(hash: &[u8], bytes: &[u8]) -> Result<Stored, RegistryError> {
    let corrupt = || RegistryError::Corrupt(format!("order 0x{}", hex::encode(hash)));
    let (&status, rest) = bytes.split_first().ok_or_else(corrupt)?;
    let (created, rest) = rest.split_first_chunk::<8>().ok_or_else(corrupt)?;
    let (status, closed_at, rest) = match status {
        0 => (OrderStatus::Open, None, rest),
        1 => (OrderStatus::Cancelled, None, rest),
        2 => {
            let (closed, rest) = rest.split_first_chunk::<8>().ok_or_else(corrupt)?;
            (OrderStatus::Cancelled, Some(UnixTime(i64::from_le_bytes(*closed))), rest)
        }
        _ => return Err(corrupt()),
    };
    let (&kid_len, rest) = rest.split_first().ok_or_else(corrupt)?;
    let (kid, body) = rest.split_at_checked(usize::from(kid_len)).ok_or_else(corrupt)?;
    let kid = core::str::from_utf8(kid).ok().and_then(|k| KeyId::new(k).ok()).ok_or_else(corrupt)?;
    let signed = SignedOrder::parse_body(body).map_err(|_| corrupt())?;
    if signed.hash().0.as_slice() != hash {
        return Err(corrupt());
    }
    let record = OrderRecord { signed, status, kid, created_at: UnixTime(i64::from_le_bytes(*created)) };
    Ok(Stored { record, closed_at })
}

pub(super) fn index_key(trader: &Address, created_at: UnixTime, hash: &OrderHash) -> [u8; 60] {
    let mut key = [0u8; 60];
    let (t, rest) = key.split_at_mut(20);
    let (c, h) = rest.split_at_mut(8);
    t.copy_from_slice(trader.as_bytes());
    c.copy_from_slice(&created_at.0.to_be_bytes());
    h.copy_from_slice(&hash.0);
    key
}

/// Index keys starting with `prefix`: from the first to the last possible key of `N` bytes.
fn prefix_range<const N: usize>(prefix: &[&[u8]]) -> ([u8; N], [u8; N]) {
    let mut low = [0u8; N];
    let mut high = [0xffu8; N];
    let mut at = 0;
    for part in prefix {
        if let (Some(l), Some(h)) = (low.get_mut(at..at + part.len()), high.get_mut(at..at + part.len())) {
            l.copy_from_slice(part);
            h.copy_from_slice(part);
        }
        at += part.len();
    }
    (low, high)
}

/// Index keys of `trader`'s orders: from its first to its last possible key.
pub(super) fn trader_range(trader: &Address) -> ([u8; 60], [u8; 60]) {
    prefix_range(&[trader.as_bytes()])
}

pub(super) fn market_key(record: &OrderRecord) -> [u8; 92] {
    let mut key = [0u8; 92];
    let order = &record.signed.order;
    let parts: [&[u8]; 4] = [
        order.trader.as_bytes(),
        order.market_id.as_bytes(),
        &record.created_at.0.to_be_bytes(),
        &record.hash().0,
    ];
    let mut at = 0;
    for part in parts {
        if let Some(slot) = key.get_mut(at..at + part.len()) {
            slot.copy_from_slice(part);
        }
        at += part.len();
    }
    key
}

/// The expiration as an index key part (order preserved; beyond `i64::MAX` the same as never).
fn expiration_bytes(signed: &SignedOrder) -> [u8; 8] {
    expiration_key(signed).to_be_bytes()
}

pub(super) fn open_key(signed: &SignedOrder) -> [u8; 60] {
    let mut key = [0u8; 60];
    let (t, rest) = key.split_at_mut(20);
    let (e, h) = rest.split_at_mut(8);
    t.copy_from_slice(signed.order.trader.as_bytes());
    e.copy_from_slice(&expiration_bytes(signed));
    h.copy_from_slice(&signed.hash().0);
    key
}

/// Open-index keys of `trader`'s orders still live at `now` (expiring after it).
fn live_range(trader: &Address, now: UnixTime) -> ([u8; 60], [u8; 60]) {
    let (mut low, high) = prefix_range::<60>(&[trader.as_bytes()]);
    if let Some(e) = low.get_mut(20..28) {
        e.copy_from_slice(&now.0.saturating_add(1).to_be_bytes());
    }
    (low, high)
}

/// The hash at the end of an index key.
pub(super) fn hash_of(key: &[u8]) -> &[u8] {
    key.get(key.len().saturating_sub(32)..).unwrap_or_default()
}

/// The wallet that registered `kid`, inside a write transaction.
fn wallet_of(txn: &WriteTransaction, kid: &KeyId) -> Result<Option<Address>, RegistryError> {
    let keys = txn.open_table(KEYS).map_err(db_error)?;
    let value = keys.get(kid.as_str()).map_err(db_error)?;
    Ok(value.map(|v| decode_entry(kid.as_str(), v.value())).transpose()?.map(|e| e.wallet))
}

fn load(
    table: &impl ReadableTable<&'static [u8], &'static [u8]>,
    hash: &[u8],
) -> Result<Option<Stored>, RegistryError> {
    let value = table.get(hash).map_err(db_error)?;
    value.map(|v| decode(hash, v.value())).transpose()
}

fn store(table: &mut Table<'_, &'static [u8], &'static [u8]>, stored: &Stored) -> Result<(), RegistryError> {
    table.insert(stored.record.hash().0.as_slice(), encode(stored)?.as_slice()).map_err(db_error)?;
    Ok(())
}

/// Cancels a stored open order at `now`: its status, the open index, and when it closes.
fn cancel_stored(
    txn: &WriteTransaction,
    orders: &mut Table<'_, &'static [u8], &'static [u8]>,
    stored: &mut Stored,
    now: UnixTime,
) -> Result<(), RegistryError> {
    let mut closing = txn.open_table(lifecycle::CLOSING).map_err(db_error)?;
    closing.remove(lifecycle::closing_key(stored).as_slice()).map_err(db_error)?;
    stored.record.status = OrderStatus::Cancelled;
    stored.closed_at = Some(now);
    closing.insert(lifecycle::closing_key(stored).as_slice(), ()).map_err(db_error)?;
    store(orders, stored)?;
    txn.open_table(OPEN_ORDERS)
        .map_err(db_error)?
        .remove(open_key(&stored.record.signed).as_slice())
        .map_err(db_error)?;
    Ok(())
}

impl RedbRegistry {
    fn submit_order_now(
        &self,
        kid: &KeyId,
        signed: &SignedOrder,
        now: UnixTime,
        limits: &OrderLimits,
    ) -> Result<OrderRecord, OrderStoreError> {
        let max_open = limits.max_open;
        let txn = self.db.begin_write().map_err(db_error)?;
        if wallet_of(&txn, kid)? != Some(signed.order.trader) {
            return Err(OrderStoreError::TraderMismatch);
        }
        let record =
            OrderRecord { signed: *signed, status: OrderStatus::Open, kid: kid.clone(), created_at: now };
        let stored = Stored { record, closed_at: None };
        let record = &stored.record;
        {
            let orders = txn.open_table(ORDERS).map_err(db_error)?;
            let hash = record.hash();
            if orders.get(hash.0.as_slice()).map_err(db_error)?.is_some() {
                return Err(OrderStoreError::Duplicate);
            }
            let open = txn.open_table(OPEN_ORDERS).map_err(db_error)?;
            // Counts at most `max_open` entries: the range holds only live open orders.
            let (low, high) = live_range(&signed.order.trader, now);
            let held = open.range(low.as_slice()..=high.as_slice()).map_err(db_error)?.take(max_open).count();
            if held >= max_open {
                return Err(OrderStoreError::TooManyOpen(max_open));
            }
            drop(open);
            drop(orders);
            // The wallet's oldest closed orders make room; so does the store's earliest.
            let per_wallet = u64::try_from(limits.per_wallet()).unwrap_or(u64::MAX);
            if !lifecycle::make_room_for(&txn, &signed.order.trader, per_wallet, now)? {
                return Err(OrderStoreError::TooManyOpen(max_open));
            }
            let most = u64::try_from(limits.max_stored).unwrap_or(u64::MAX);
            if lifecycle::count(&txn, None)? >= most && lifecycle::drop_closed_before(&txn, now.0, 1)? == 0 {
                return Err(OrderStoreError::Full);
            }
            store(&mut txn.open_table(ORDERS).map_err(db_error)?, &stored)?;
            txn.open_table(OPEN_ORDERS)
                .map_err(db_error)?
                .insert(open_key(signed).as_slice(), ())
                .map_err(db_error)?;
            let mut index = txn.open_table(ORDERS_BY_TRADER).map_err(db_error)?;
            index.insert(index_key(&signed.order.trader, now, &hash).as_slice(), ()).map_err(db_error)?;
            let mut by_market = txn.open_table(ORDERS_BY_MARKET).map_err(db_error)?;
            by_market.insert(market_key(record).as_slice(), ()).map_err(db_error)?;
            let mut closing = txn.open_table(lifecycle::CLOSING).map_err(db_error)?;
            closing.insert(lifecycle::closing_key(&stored).as_slice(), ()).map_err(db_error)?;
        }
        lifecycle::add_count(&txn, &signed.order.trader, 1)?;
        txn.commit().map_err(db_error)?;
        Ok(stored.record)
    }

    fn prune_orders_now(
        &self,
        now: UnixTime,
        retention_secs: i64,
        batch: usize,
    ) -> Result<usize, OrderStoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        let dropped = lifecycle::drop_closed_before(&txn, now.0.saturating_sub(retention_secs), batch)?;
        txn.commit().map_err(db_error)?;
        Ok(dropped)
    }

    fn stored_orders_now(&self) -> Result<usize, OrderStoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let counts = txn.open_table(lifecycle::COUNTS).map_err(db_error)?;
        Ok(usize::try_from(lifecycle::total(&counts)?).unwrap_or(usize::MAX))
    }

    fn order_now(&self, hash: &OrderHash) -> Result<Option<OrderRecord>, OrderStoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let orders = txn.open_table(ORDERS).map_err(db_error)?;
        Ok(load(&orders, &hash.0)?.map(|s| s.record))
    }

    /// A trader's orders, from whichever index narrows them most: its open orders (at most
    /// the open-order limit) for `status=open`, its orders in one market, or all its orders,
    /// newest first, stopping at the limit.
    fn orders_now(&self, listing: &OrderListing, now: UnixTime) -> Result<Vec<OrderRecord>, OrderStoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let orders = txn.open_table(ORDERS).map_err(db_error)?;
        let query = listing.query();
        let limit = listing.bounded_limit();
        let trader = listing.trader;
        let mut out = Vec::new();
        let mut take = |hash: &[u8]| -> Result<bool, OrderStoreError> {
            let record =
                load(&orders, hash)?.ok_or_else(|| RegistryError::Corrupt("order index".into()))?.record;
            if query.matches(&record, now) {
                out.push(record);
            }
            Ok(out.len() < limit)
        };
        if listing.status == Some(OrderStatus::Open) {
            let open = txn.open_table(OPEN_ORDERS).map_err(db_error)?;
            let (low, high) = live_range(&trader, now);
            for item in open.range(low.as_slice()..=high.as_slice()).map_err(db_error)? {
                let (key, ()) = item.map(|(k, _)| (k, ())).map_err(db_error)?;
                // Every live open order is read (at most the open limit), then sorted.
                take(hash_of(key.value()))?;
            }
        } else if let Some(market) = &listing.market_id {
            let index = txn.open_table(ORDERS_BY_MARKET).map_err(db_error)?;
            let (low, high) = prefix_range::<92>(&[trader.as_bytes(), market.as_bytes()]);
            for item in index.range(low.as_slice()..=high.as_slice()).map_err(db_error)?.rev() {
                let (key, ()) = item.map(|(k, _)| (k, ())).map_err(db_error)?;
                if !take(hash_of(key.value()))? {
                    break;
                }
            }
        } else {
            let index = txn.open_table(ORDERS_BY_TRADER).map_err(db_error)?;
            let (low, high) = trader_range(&trader);
            for item in index.range(low.as_slice()..=high.as_slice()).map_err(db_error)?.rev() {
                let (key, ()) = item.map(|(k, _)| (k, ())).map_err(db_error)?;
                if !take(hash_of(key.value()))? {
                    break;
                }
            }
        }
        // Newest first; within a second by hash, as PostgreSQL orders them.
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.hash().cmp(&b.hash())));
        out.truncate(limit);
        Ok(out)
    }

    fn cancel_order_now(
        &self,
        kid: &KeyId,
        hash: &OrderHash,
        now: UnixTime,
    ) -> Result<OrderRecord, OrderStoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        let wallet = wallet_of(&txn, kid)?;
        let record = {
            let mut orders = txn.open_table(ORDERS).map_err(db_error)?;
            let mut stored = load(&orders, &hash.0)?.ok_or(OrderStoreError::NotFound)?;
            if wallet != Some(stored.record.signed.order.trader) {
                return Err(OrderStoreError::TraderMismatch);
            }
            match stored.record.status_at(now) {
                OrderStatus::Open => {}
                status => return Err(OrderStoreError::NotOpen(status)),
            }
            cancel_stored(&txn, &mut orders, &mut stored, now)?;
            stored.record
        };
        txn.commit().map_err(db_error)?;
        Ok(record)
    }

    fn cancel_market_orders_now(
        &self,
        kid: &KeyId,
        market: &MarketId,
        now: UnixTime,
    ) -> Result<Vec<OrderHash>, OrderStoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        let Some(wallet) = wallet_of(&txn, kid)? else { return Ok(Vec::new()) };
        let mut cancelled = Vec::new();
        {
            // The wallet's live open orders (at most the open limit), then those in `market`.
            let open = txn.open_table(OPEN_ORDERS).map_err(db_error)?;
            let mut orders = txn.open_table(ORDERS).map_err(db_error)?;
            let (low, high) = live_range(&wallet, now);
            let mut hashes = Vec::new();
            for item in open.range(low.as_slice()..=high.as_slice()).map_err(db_error)? {
                let (key, _) = item.map_err(db_error)?;
                hashes.push(hash_of(key.value()).to_vec());
            }
            drop(open);
            for hash in hashes {
                let Some(mut stored) = load(&orders, &hash)? else { continue };
                if stored.record.signed.order.market_id.as_bytes() == market.as_bytes()
                    && stored.record.status_at(now) == OrderStatus::Open
                {
                    cancel_stored(&txn, &mut orders, &mut stored, now)?;
                    cancelled.push(stored.record.hash());
                }
            }
        }
        txn.commit().map_err(db_error)?;
        Ok(cancelled)
    }
}

/// On a blocking thread: a listing or a count reads index ranges and decodes orders, which a
/// runtime thread must not wait on.
impl OrderStore for RedbRegistry {
    async fn submit_order(
        &self,
        kid: &KeyId,
        signed: &SignedOrder,
        now: UnixTime,
        limits: &OrderLimits,
    ) -> Result<OrderRecord, OrderStoreError> {
        let (kid, signed, limits) = (kid.clone(), *signed, *limits);
        self.blocking(move |r| r.submit_order_now(&kid, &signed, now, &limits)).await
    }

    async fn prune_orders(
        &self,
        now: UnixTime,
        retention_secs: i64,
        batch: usize,
    ) -> Result<usize, OrderStoreError> {
        self.blocking(move |r| r.prune_orders_now(now, retention_secs, batch)).await
    }

    async fn stored_orders(&self) -> Result<usize, OrderStoreError> {
        self.blocking(RedbRegistry::stored_orders_now).await
    }

    async fn order(&self, hash: &OrderHash) -> Result<Option<OrderRecord>, OrderStoreError> {
        let hash = *hash;
        self.blocking(move |r| r.order_now(&hash)).await
    }

    async fn orders(
        &self,
        listing: &OrderListing,
        now: UnixTime,
    ) -> Result<Vec<OrderRecord>, OrderStoreError> {
        let listing = *listing;
        self.blocking(move |r| r.orders_now(&listing, now)).await
    }

    async fn cancel_order(
        &self,
        kid: &KeyId,
        hash: &OrderHash,
        now: UnixTime,
    ) -> Result<OrderRecord, OrderStoreError> {
        let (kid, hash) = (kid.clone(), *hash);
        self.blocking(move |r| r.cancel_order_now(&kid, &hash, now)).await
    }

    async fn cancel_market_orders(
        &self,
        kid: &KeyId,
        market: &MarketId,
        now: UnixTime,
    ) -> Result<Vec<OrderHash>, OrderStoreError> {
        let (kid, market) = (kid.clone(), *market);
        self.blocking(move |r| r.cancel_market_orders_now(&kid, &market, now)).await
    }
}

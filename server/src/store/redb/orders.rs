//! Orders in the redb registry: one table by hash and an index by trader, written in the same
//! transactions as the key checks.

use redb::{ReadableDatabase, ReadableTable, Table, TableDefinition, WriteTransaction};
use signet_core::UnixTime;
use signet_core::eth::Address;
use signet_core::turbine::KeyId;
use signet_core::turbine::order::{
    MAX_ORDER_BODY_LEN, MarketId, OrderHash, OrderQuery, OrderRecord, OrderStatus, SignedOrder,
};

use super::{KEYS, RedbRegistry, db_error, decode as decode_entry};
use crate::store::error::RegistryError;
use crate::store::orders::{MAX_ORDERS_LISTED, OrderStore, OrderStoreError};

/// order hash (32 bytes) -> encoded [`OrderRecord`].
const ORDERS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("orders");
/// trader (20) ‖ accepted at (8, big-endian) ‖ order hash (32) -> nothing: a trader's orders in
/// time order.
const ORDERS_BY_TRADER: TableDefinition<&[u8], ()> = TableDefinition::new("orders_by_trader");

/// Creates the order tables (with the registry's).
pub(crate) fn create_tables(txn: &WriteTransaction) -> Result<(), RegistryError> {
    txn.open_table(ORDERS).map_err(db_error)?;
    txn.open_table(ORDERS_BY_TRADER).map_err(db_error)?;
    Ok(())
}

/// Status (0 open, 1 cancelled), accepted at (8, little-endian), key id length and bytes, then
/// the body as posted (canonical form), which is read back with the strict body parser.
fn encode(record: &OrderRecord) -> Result<Vec<u8>, RegistryError> {
    let mut body = [0u8; MAX_ORDER_BODY_LEN];
    let body = record.signed.write_body(&mut body).map_err(db_error)?;
    let kid = record.kid.as_str().as_bytes();
    let mut out = Vec::with_capacity(10 + kid.len() + body.len());
    out.push(u8::from(record.status == OrderStatus::Cancelled));
    out.extend_from_slice(&record.created_at.0.to_le_bytes());
    out.push(u8::try_from(kid.len()).map_err(db_error)?);
    out.extend_from_slice(kid);
    out.extend_from_slice(body.as_bytes());
    Ok(out)
}

fn decode(hash: &[u8], bytes: &[u8]) -> Result<OrderRecord, RegistryError> {
    let corrupt = || RegistryError::Corrupt(format!("order 0x{}", hex::encode(hash)));
    let (&status, rest) = bytes.split_first().ok_or_else(corrupt)?;
    let (created, rest) = rest.split_first_chunk::<8>().ok_or_else(corrupt)?;
    let (&kid_len, rest) = rest.split_first().ok_or_else(corrupt)?;
    let (kid, body) = rest.split_at_checked(usize::from(kid_len)).ok_or_else(corrupt)?;
    let status = match status {
        0 => OrderStatus::Open,
        1 => OrderStatus::Cancelled,
        _ => return Err(corrupt()),
    };
    let kid = core::str::from_utf8(kid).ok().and_then(|k| KeyId::new(k).ok()).ok_or_else(corrupt)?;
    let signed = SignedOrder::parse_body(body).map_err(|_| corrupt())?;
    if signed.hash().0.as_slice() != hash {
        return Err(corrupt());
    }
    Ok(OrderRecord { signed, status, kid, created_at: UnixTime(i64::from_le_bytes(*created)) })
}

fn index_key(trader: &Address, created_at: UnixTime, hash: &OrderHash) -> [u8; 60] {
    let mut key = [0u8; 60];
    let (t, rest) = key.split_at_mut(20);
    let (c, h) = rest.split_at_mut(8);
    t.copy_from_slice(trader.as_bytes());
    c.copy_from_slice(&created_at.0.to_be_bytes());
    h.copy_from_slice(&hash.0);
    key
}

/// Index keys of `trader`'s orders: from its first to its last possible key.
fn trader_range(trader: &Address) -> ([u8; 60], [u8; 60]) {
    let mut low = [0u8; 60];
    let mut high = [0xffu8; 60];
    low[..20].copy_from_slice(trader.as_bytes());
    high[..20].copy_from_slice(trader.as_bytes());
    (low, high)
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
) -> Result<Option<OrderRecord>, RegistryError> {
    let value = table.get(hash).map_err(db_error)?;
    value.map(|v| decode(hash, v.value())).transpose()
}

fn store(
    table: &mut Table<'_, &'static [u8], &'static [u8]>,
    record: &OrderRecord,
) -> Result<(), RegistryError> {
    table.insert(record.hash().0.as_slice(), encode(record)?.as_slice()).map_err(db_error)?;
    Ok(())
}

impl RedbRegistry {
    fn submit_order_now(
        &self,
        kid: &KeyId,
        signed: &SignedOrder,
        now: UnixTime,
    ) -> Result<OrderRecord, OrderStoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        if wallet_of(&txn, kid)? != Some(signed.order.trader) {
            return Err(OrderStoreError::TraderMismatch);
        }
        let record =
            OrderRecord { signed: *signed, status: OrderStatus::Open, kid: kid.clone(), created_at: now };
        {
            let mut orders = txn.open_table(ORDERS).map_err(db_error)?;
            let hash = record.hash();
            if orders.get(hash.0.as_slice()).map_err(db_error)?.is_some() {
                return Err(OrderStoreError::Duplicate);
            }
            store(&mut orders, &record)?;
            let mut index = txn.open_table(ORDERS_BY_TRADER).map_err(db_error)?;
            index.insert(index_key(&signed.order.trader, now, &hash).as_slice(), ()).map_err(db_error)?;
        }
        txn.commit().map_err(db_error)?;
        Ok(record)
    }

    fn order_now(&self, hash: &OrderHash) -> Result<Option<OrderRecord>, OrderStoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let orders = txn.open_table(ORDERS).map_err(db_error)?;
        Ok(load(&orders, &hash.0)?)
    }

    /// A trader's orders come from the index; without a trader every order is read.
    fn orders_now(&self, query: &OrderQuery, now: UnixTime) -> Result<Vec<OrderRecord>, OrderStoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let orders = txn.open_table(ORDERS).map_err(db_error)?;
        let mut out = Vec::new();
        if let Some(trader) = &query.trader {
            let index = txn.open_table(ORDERS_BY_TRADER).map_err(db_error)?;
            let (low, high) = trader_range(trader);
            for item in index.range(low.as_slice()..=high.as_slice()).map_err(db_error)? {
                let (key, ()) = item.map(|(k, _)| (k, ())).map_err(db_error)?;
                let hash = key.value().get(28..).unwrap_or_default();
                let record =
                    load(&orders, hash)?.ok_or_else(|| RegistryError::Corrupt("order index".into()))?;
                if query.matches(&record, now) {
                    out.push(record);
                }
            }
        } else {
            for item in orders.iter().map_err(db_error)? {
                let (hash, value) = item.map_err(db_error)?;
                let record = decode(hash.value(), value.value())?;
                if query.matches(&record, now) {
                    out.push(record);
                }
            }
        }
        // Newest first; within a second by hash, as PostgreSQL orders them.
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.hash().cmp(&b.hash())));
        out.truncate(MAX_ORDERS_LISTED);
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
            let mut record = load(&orders, &hash.0)?.ok_or(OrderStoreError::NotFound)?;
            if wallet != Some(record.signed.order.trader) {
                return Err(OrderStoreError::TraderMismatch);
            }
            match record.status_at(now) {
                OrderStatus::Open => {}
                status => return Err(OrderStoreError::NotOpen(status)),
            }
            record.status = OrderStatus::Cancelled;
            store(&mut orders, &record)?;
            record
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
            let index = txn.open_table(ORDERS_BY_TRADER).map_err(db_error)?;
            let mut orders = txn.open_table(ORDERS).map_err(db_error)?;
            let (low, high) = trader_range(&wallet);
            let mut hashes = Vec::new();
            for item in index.range(low.as_slice()..=high.as_slice()).map_err(db_error)? {
                let (key, _) = item.map_err(db_error)?;
                hashes.push(key.value().get(28..).unwrap_or_default().to_vec());
            }
            for hash in hashes {
                let Some(mut record) = load(&orders, &hash)? else { continue };
                if record.signed.order.market_id.as_bytes() == market.as_bytes()
                    && record.status_at(now) == OrderStatus::Open
                {
                    record.status = OrderStatus::Cancelled;
                    store(&mut orders, &record)?;
                    cancelled.push(record.hash());
                }
            }
        }
        txn.commit().map_err(db_error)?;
        Ok(cancelled)
    }
}

/// Short local transactions, done in place.
impl OrderStore for RedbRegistry {
    async fn submit_order(
        &self,
        kid: &KeyId,
        signed: &SignedOrder,
        now: UnixTime,
    ) -> Result<OrderRecord, OrderStoreError> {
        self.submit_order_now(kid, signed, now)
    }

    async fn order(&self, hash: &OrderHash) -> Result<Option<OrderRecord>, OrderStoreError> {
        self.order_now(hash)
    }

    async fn orders(&self, query: &OrderQuery, now: UnixTime) -> Result<Vec<OrderRecord>, OrderStoreError> {
        self.orders_now(query, now)
    }

    async fn cancel_order(
        &self,
        kid: &KeyId,
        hash: &OrderHash,
        now: UnixTime,
    ) -> Result<OrderRecord, OrderStoreError> {
        self.cancel_order_now(kid, hash, now)
    }

    async fn cancel_market_orders(
        &self,
        kid: &KeyId,
        market: &MarketId,
        now: UnixTime,
    ) -> Result<Vec<OrderHash>, OrderStoreError> {
        self.cancel_market_orders_now(kid, market, now)
    }
}

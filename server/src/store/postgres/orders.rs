//! Orders in the PostgreSQL registry (`signet_orders`): each operation one statement that
//! checks the posting key's wallet in the same query, so instances sharing the database agree;
//! orders kept are counted in `signet_order_counts` (16 rows by the trader's last byte), and
//! closed ones pruned by `closes_at` (see [`crate::store::OrderLimits`]).

use signet_core::UnixTime;
use signet_core::turbine::KeyId;
use signet_core::turbine::order::{
    MAX_ORDER_BODY_LEN, MarketId, OrderHash, OrderRecord, OrderStatus, SignedOrder,
};
use tokio_postgres::Row;

use super::{PostgresRegistry, pg_error};
use crate::store::error::{DatabaseError, RegistryError};
use crate::store::orders::{OrderLimits, OrderListing, OrderStore, OrderStoreError, expiration_key};

/// The row of `signet_order_counts` a trader's orders are counted in.
fn shard_of(trader: &[u8]) -> i16 {
    trader.last().map_or(0, |b| i16::from(*b % 16))
}

/// Takes `dropped` orders (their traders) off the counts.
async fn uncount(txn: &tokio_postgres::Transaction<'_>, traders: &[Vec<u8>]) -> Result<(), RegistryError> {
    let mut by_shard = [0i64; 16];
    for trader in traders {
        if let Some(n) = by_shard.get_mut(shard_of(trader) as usize) {
            *n += 1;
        }
    }
    for (shard, n) in (0i16..).zip(by_shard) {
        if n > 0 {
            txn.execute(
                "UPDATE signet_order_counts SET stored = greatest(stored - $2, 0) WHERE shard = $1",
                &[&shard, &n],
            )
            .await
            .map_err(pg_error)?;
        }
    }
    Ok(())
}

/// Deletes up to `limit` orders closed at or before `before`, earliest first, and takes them
/// off the counts; how many.
async fn drop_closed_before(
    txn: &tokio_postgres::Transaction<'_>,
    before: i64,
    limit: i64,
) -> Result<usize, RegistryError> {
    let rows = txn
        .query(
            "DELETE FROM signet_orders WHERE order_hash IN              (SELECT order_hash FROM signet_orders WHERE closes_at <= $1 ORDER BY closes_at LIMIT $2               FOR UPDATE SKIP LOCKED) RETURNING trader",
            &[&before, &limit],
        )
        .await
        .map_err(pg_error)?;
    let traders: Vec<Vec<u8>> = rows.iter().map(|r| r.get(0)).collect();
    uncount(txn, &traders).await?;
    Ok(traders.len())
}

/// The columns [`record_of`] reads.
const COLUMNS: &str = "o.order_hash, o.status, o.kid, o.body, o.created_at";

/// A row read exactly: the body goes through the strict parser and must hash to the row's key.
fn record_of(row: &Row) -> Result<OrderRecord, RegistryError> {
    let hash: Vec<u8> = row.try_get("order_hash").map_err(|_| RegistryError::Corrupt("order ?".into()))?;
    let corrupt = || RegistryError::Corrupt(format!("order 0x{}", hex::encode(&hash)));
    let status: String = row.try_get("status").map_err(|_| corrupt())?;
    let kid: String = row.try_get("kid").map_err(|_| corrupt())?;
    let body: String = row.try_get("body").map_err(|_| corrupt())?;
    let created_at: i64 = row.try_get("created_at").map_err(|_| corrupt())?;
    let signed = SignedOrder::parse_body(body.as_bytes()).map_err(|_| corrupt())?;
    if signed.hash().0.as_slice() != hash.as_slice() {
        return Err(corrupt());
    }
    let status = match status.as_str() {
        "open" => OrderStatus::Open,
        "cancelled" => OrderStatus::Cancelled,
        _ => return Err(corrupt()),
    };
    Ok(OrderRecord {
        signed,
        status,
        kid: KeyId::new(&kid).map_err(|_| corrupt())?,
        created_at: UnixTime(created_at),
    })
}

impl OrderStore for PostgresRegistry {
    /// One transaction: the key's wallet must be the trader; holding the trader's advisory
    /// lock (so instances posting for one wallet at once take turns), the wallet's live open
    /// orders are counted (the partial index on open orders) against `max_open`; the primary
    /// key refuses a second copy.
    async fn submit_order(
        &self,
        kid: &KeyId,
        signed: &SignedOrder,
        now: UnixTime,
        limits: &OrderLimits,
    ) -> Result<OrderRecord, OrderStoreError> {
        let max_open = limits.max_open;
        let mut body = [0u8; MAX_ORDER_BODY_LEN];
        let body = signed.write_body(&mut body).map_err(|e| RegistryError::Database(DatabaseError::of(e)))?;
        let order = &signed.order;
        let hash = signed.hash();
        let trader = order.trader.as_bytes().as_slice();
        self.bounded(async {
            let mut client = self.client().await?;
            let txn = client.transaction().await.map_err(pg_error)?;
            let wallet: Option<Vec<u8>> = txn
                .query_opt("SELECT wallet FROM signet_api_keys WHERE kid = $1", &[&kid.as_str()])
                .await
                .map_err(pg_error)?
                .map(|row| row.get(0));
            if wallet.as_deref() != Some(trader) {
                return Ok(Err(OrderStoreError::TraderMismatch));
            }
            txn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('signet-orders:' || encode($1, 'hex')))",
                &[&trader],
            )
            .await
            .map_err(pg_error)?;
            let exists = txn
                .query_opt("SELECT 1 FROM signet_orders WHERE order_hash = $1", &[&hash.0.as_slice()])
                .await
                .map_err(pg_error)?;
            if exists.is_some() {
                return Ok(Err(OrderStoreError::Duplicate));
            }
            let limit = i64::try_from(max_open).unwrap_or(i64::MAX);
            let held: i64 = txn
                .query_one(
                    "SELECT count(*) FROM (SELECT 1 FROM signet_orders \
                     WHERE trader = $1 AND status = 'open' AND expiration > $2 LIMIT $3) open",
                    &[&trader, &now.0, &limit],
                )
                .await
                .map_err(pg_error)?
                .get(0);
            if held >= limit {
                return Ok(Err(OrderStoreError::TooManyOpen(max_open)));
            }
            // The wallet's oldest closed orders make room (its advisory lock is held).
            let kept: i64 = txn
                .query_one("SELECT count(*) FROM signet_orders WHERE trader = $1", &[&trader])
                .await
                .map_err(pg_error)?
                .get(0);
            let per_wallet = i64::try_from(limits.per_wallet()).unwrap_or(i64::MAX);
            if kept >= per_wallet {
                let excess = kept - per_wallet + 1;
                let rows = txn
                    .query(
                        "DELETE FROM signet_orders WHERE order_hash IN \
                         (SELECT order_hash FROM signet_orders WHERE trader = $1 \
                          AND (status = 'cancelled' OR expiration <= $2) ORDER BY created_at LIMIT $3) \
                         RETURNING trader",
                        &[&trader, &now.0, &excess],
                    )
                    .await
                    .map_err(pg_error)?;
                let traders: Vec<Vec<u8>> = rows.iter().map(|r| r.get(0)).collect();
                uncount(&txn, &traders).await?;
                if (traders.len() as i64) < excess {
                    return Ok(Err(OrderStoreError::TooManyOpen(max_open)));
                }
            }
            // And the store's earliest closed one, when it keeps its most.
            let stored: i64 = txn
                .query_one("SELECT COALESCE(sum(stored), 0)::BIGINT FROM signet_order_counts", &[])
                .await
                .map_err(pg_error)?
                .get(0);
            if stored >= i64::try_from(limits.max_stored).unwrap_or(i64::MAX)
                && drop_closed_before(&txn, now.0, 1).await? == 0
            {
                return Ok(Err(OrderStoreError::Full));
            }
            let inserted = txn
                .execute(
                    "INSERT INTO signet_orders \
                     (order_hash, trader, market_id, status, expiration, kid, body, created_at) \
                     VALUES ($1, $2, $3, 'open', $4, $5, $6, $7) ON CONFLICT (order_hash) DO NOTHING",
                    &[
                        &hash.0.as_slice(),
                        &trader,
                        &order.market_id.as_bytes().as_slice(),
                        &expiration_key(signed),
                        &kid.as_str(),
                        &body,
                        &now.0,
                    ],
                )
                .await
                .map_err(pg_error)?;
            if inserted == 0 {
                return Ok(Err(OrderStoreError::Duplicate));
            }
            txn.execute(
                "UPDATE signet_order_counts SET stored = stored + 1 WHERE shard = $1",
                &[&shard_of(trader)],
            )
            .await
            .map_err(pg_error)?;
            txn.commit().await.map_err(pg_error)?;
            Ok(Ok(OrderRecord {
                signed: *signed,
                status: OrderStatus::Open,
                kid: kid.clone(),
                created_at: now,
            }))
        })
        .await?
    }

    async fn order(&self, hash: &OrderHash) -> Result<Option<OrderRecord>, OrderStoreError> {
        let sql = format!("SELECT {COLUMNS} FROM signet_orders o WHERE o.order_hash = $1");
        let row = self
            .bounded(async {
                let client = self.client().await?;
                let statement = client.prepare_cached(&sql).await.map_err(pg_error)?;
                client.query_opt(&statement, &[&hash.0.as_slice()]).await.map_err(pg_error)
            })
            .await?;
        Ok(row.map(|r| record_of(&r)).transpose()?)
    }

    /// Filtered and ordered by the database, from the trader's index (or the trader-and-market
    /// one), stopping at the limit.
    async fn orders(
        &self,
        listing: &OrderListing,
        now: UnixTime,
    ) -> Result<Vec<OrderRecord>, OrderStoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM signet_orders o \
             WHERE o.trader = $1 AND ($2::bytea IS NULL OR o.market_id = $2) \
             AND ($3::text IS NULL \
                  OR ($3 = 'open' AND o.status = 'open' AND o.expiration > $4) \
                  OR ($3 = 'expired' AND o.status = 'open' AND o.expiration <= $4) \
                  OR ($3 NOT IN ('open', 'expired') AND o.status = $3)) \
             ORDER BY o.created_at DESC, o.order_hash LIMIT $5"
        );
        let trader = listing.trader.as_bytes().to_vec();
        let market = listing.market_id.map(|m| m.as_bytes().to_vec());
        let status = listing.status.map(OrderStatus::as_str);
        let limit = i64::try_from(listing.bounded_limit()).unwrap_or(1);
        let rows = self
            .bounded(async {
                let client = self.client().await?;
                let statement = client.prepare_cached(&sql).await.map_err(pg_error)?;
                client.query(&statement, &[&trader, &market, &status, &now.0, &limit]).await.map_err(pg_error)
            })
            .await?;
        Ok(rows.iter().map(record_of).collect::<Result<_, _>>()?)
    }

    /// The update happens only for an open order of the key's wallet; when nothing changed, a
    /// read says why.
    async fn cancel_order(
        &self,
        kid: &KeyId,
        hash: &OrderHash,
        now: UnixTime,
    ) -> Result<OrderRecord, OrderStoreError> {
        let sql = format!(
            "UPDATE signet_orders o SET status = 'cancelled', closed_at = $3 FROM signet_api_keys k \
             WHERE o.order_hash = $1 AND k.kid = $2 AND k.wallet = o.trader \
             AND o.status = 'open' AND o.expiration > $3 RETURNING {COLUMNS}"
        );
        let row = self
            .bounded(async {
                let client = self.client().await?;
                client.query_opt(&sql, &[&hash.0.as_slice(), &kid.as_str(), &now.0]).await.map_err(pg_error)
            })
            .await?;
        if let Some(row) = row {
            return Ok(record_of(&row)?);
        }
        let record = self.order(hash).await?.ok_or(OrderStoreError::NotFound)?;
        let wallet = self.select_key(kid).await?.map(|e| e.wallet);
        if wallet != Some(record.signed.order.trader) {
            return Err(OrderStoreError::TraderMismatch);
        }
        Err(OrderStoreError::NotOpen(record.status_at(now)))
    }

    async fn cancel_market_orders(
        &self,
        kid: &KeyId,
        market: &MarketId,
        now: UnixTime,
    ) -> Result<Vec<OrderHash>, OrderStoreError> {
        let rows = self
            .bounded(async {
                let client = self.client().await?;
                client
                    .query(
                        "UPDATE signet_orders o SET status = 'cancelled', closed_at = $3 FROM signet_api_keys k \
                         WHERE k.kid = $1 AND o.trader = k.wallet AND o.market_id = $2 \
                         AND o.status = 'open' AND o.expiration > $3 RETURNING o.order_hash",
                        &[&kid.as_str(), &market.as_bytes().as_slice(), &now.0],
                    )
                    .await
                    .map_err(pg_error)
            })
            .await?;
        rows.iter()
            .map(|r| {
                let hash: Vec<u8> = r.get(0);
                hash.try_into().map(OrderHash).map_err(|_| RegistryError::Corrupt("order hash".into()).into())
            })
            .collect()
    }

    async fn prune_orders(
        &self,
        now: UnixTime,
        retention_secs: i64,
        batch: usize,
    ) -> Result<usize, OrderStoreError> {
        let before = now.0.saturating_sub(retention_secs);
        let limit = i64::try_from(batch).unwrap_or(i64::MAX);
        Ok(self
            .bounded(async {
                let mut client = self.client().await?;
                let txn = client.transaction().await.map_err(pg_error)?;
                let dropped = drop_closed_before(&txn, before, limit).await?;
                txn.commit().await.map_err(pg_error)?;
                Ok(dropped)
            })
            .await?)
    }

    async fn stored_orders(&self) -> Result<usize, OrderStoreError> {
        let stored: i64 = self
            .bounded(async {
                let client = self.client().await?;
                client
                    .query_one("SELECT COALESCE(sum(stored), 0)::BIGINT FROM signet_order_counts", &[])
                    .await
                    .map_err(pg_error)
                    .map(|row| row.get(0))
            })
            .await?;
        Ok(usize::try_from(stored).unwrap_or(0))
    }
}

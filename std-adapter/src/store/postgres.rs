//! The shared key registry: PostgreSQL, so every verifier instance sees the keys any of them
//! issued. Public keys only, as in the redb registry; one usable key per wallet enforced inside
//! a transaction that locks the wallet's row.

use core::future::Future;
use core::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use signet_core::UnixTime;
use signet_core::ed25519_dalek::VerifyingKey;
use signet_core::eth::Address;
use signet_core::turbine::{KeyId, KeyRecord, KeyStatus};
use tokio_postgres::{NoTls, Row};

use crate::store::redb::{Entry, RegistryError};
use crate::store::registry::Proof;

/// Schema changes, applied in order at start-up (each once, recorded in `signet_schema`).
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE signet_api_keys (
    kid TEXT PRIMARY KEY,
    public_key BYTEA NOT NULL CHECK (octet_length(public_key) = 32),
    inactive BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at BIGINT,
    wallet BYTEA NOT NULL CHECK (octet_length(wallet) = 20),
    created_at BIGINT NOT NULL,
    name TEXT CHECK (name IS NULL OR char_length(name) <= 64)
);
CREATE INDEX signet_api_keys_wallet ON signet_api_keys (wallet);
CREATE TABLE signet_wallets (
    wallet BYTEA PRIMARY KEY CHECK (octet_length(wallet) = 20),
    last_registration_ts BIGINT
);
",
    r"
CREATE TABLE signet_orders (
    order_hash BYTEA PRIMARY KEY CHECK (octet_length(order_hash) = 32),
    trader BYTEA NOT NULL CHECK (octet_length(trader) = 20),
    market_id BYTEA NOT NULL CHECK (octet_length(market_id) = 32),
    status TEXT NOT NULL CHECK (status IN ('open', 'cancelled')),
    expiration BIGINT NOT NULL,
    kid TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX signet_orders_trader ON signet_orders (trader, created_at DESC);
CREATE INDEX signet_orders_market ON signet_orders (market_id, created_at DESC);
",
    r"
CREATE TABLE signet_bitzoom_keys (
    api_key TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    label TEXT,
    permissions SMALLINT NOT NULL CHECK (permissions BETWEEN 1 AND 7),
    allowed_ips TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'revoked')),
    created_at BIGINT NOT NULL,
    secret TEXT NOT NULL
);
CREATE INDEX signet_bitzoom_keys_account ON signet_bitzoom_keys (account);
",
];

/// Any number will do, as long as it is the same for every instance: migrations of several
/// instances starting at once take turns on this advisory lock.
const MIGRATION_LOCK: i64 = 0x5167_6e65_7401;

/// Settings of a [`PostgresRegistry`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostgresConfig {
    /// Connections in the pool.
    pub pool_size: usize,
    /// Time allowed for each operation (connecting included); beyond it the store is
    /// unavailable (the verifier answers 503).
    pub timeout: Duration,
}

impl Default for PostgresConfig {
    fn default() -> Self {
        PostgresConfig { pool_size: 16, timeout: Duration::from_secs(1) }
    }
}

/// Keys in PostgreSQL (tables `signet_api_keys`, `signet_wallets`, `signet_schema`).
pub struct PostgresRegistry {
    pool: Pool,
    timeout: Duration,
}

impl core::fmt::Debug for PostgresRegistry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The connection string holds the password: never printed.
        f.debug_struct("PostgresRegistry").finish_non_exhaustive()
    }
}

pub(crate) fn unavailable<E>(_: E) -> RegistryError {
    // The driver's message may quote the connection string; the detail stays out.
    RegistryError::Unavailable
}

/// Sorts a failed statement: the database being unreachable, shutting down, overloaded or
/// unable to serialise is [`RegistryError::Unavailable`] (503: retry later); an error the
/// server reports about the statement itself (a missing table, a violated constraint) is
/// [`RegistryError::Database`] with its SQLSTATE and message, so a broken schema is not
/// mistaken for an outage. The server's message names tables and columns, never the
/// connection string.
pub(crate) fn pg_error(error: tokio_postgres::Error) -> RegistryError {
    // SQLSTATE classes 08 (connection), 40 (serialization, deadlock), 53 (insufficient
    // resources), 57 (operator intervention: shutdown, statement timeout), 58 (system).
    const TRANSIENT: [&str; 5] = ["08", "40", "53", "57", "58"];
    match error.as_db_error() {
        Some(db) if !TRANSIENT.iter().any(|class| db.code().code().starts_with(class)) => {
            RegistryError::Database(format!("{} (SQLSTATE {})", db.message(), db.code().code()))
        }
        _ => RegistryError::Unavailable,
    }
}

impl PostgresRegistry {
    /// Connects to `url` (`postgres://user:password@host:port/database`) and applies the
    /// migrations this version has that the database lacks.
    ///
    /// # Errors
    /// [`RegistryError::Unavailable`] if the database cannot be reached in time,
    /// [`RegistryError::Database`] (without the URL) if the URL is not valid.
    pub async fn connect(url: &str, config: PostgresConfig) -> Result<Self, RegistryError> {
        let mut pg: tokio_postgres::Config =
            url.parse().map_err(|_| RegistryError::Database("not a PostgreSQL connection string".into()))?;
        pg.connect_timeout(config.timeout);
        let manager =
            Manager::from_config(pg, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(config.pool_size.max(1))
            .wait_timeout(Some(config.timeout))
            .create_timeout(Some(config.timeout))
            .recycle_timeout(Some(config.timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| RegistryError::Database(e.to_string()))?;
        let registry = PostgresRegistry { pool, timeout: config.timeout };
        registry.migrate().await?;
        Ok(registry)
    }

    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, RegistryError> {
        self.pool.get().await.map_err(unavailable)
    }

    /// Runs `op` within the timeout; a timeout is [`RegistryError::Unavailable`].
    pub(crate) async fn bounded<T>(
        &self,
        op: impl Future<Output = Result<T, RegistryError>>,
    ) -> Result<T, RegistryError> {
        tokio::time::timeout(self.timeout, op).await.unwrap_or(Err(RegistryError::Unavailable))
    }

    async fn migrate(&self) -> Result<(), RegistryError> {
        let mut client = self.client().await?;
        let txn = client.transaction().await.map_err(pg_error)?;
        txn.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(pg_error)?;
        txn.batch_execute("CREATE TABLE IF NOT EXISTS signet_schema (version INTEGER PRIMARY KEY)")
            .await
            .map_err(pg_error)?;
        let done: i32 = txn
            .query_one("SELECT COALESCE(MAX(version), 0) FROM signet_schema", &[])
            .await
            .map_err(pg_error)?
            .get(0);
        for (version, sql) in (1i32..).zip(MIGRATIONS) {
            if version > done {
                txn.batch_execute(sql)
                    .await
                    .map_err(|e| RegistryError::Database(format!("migration {version}: {e}")))?;
                txn.execute("INSERT INTO signet_schema (version) VALUES ($1)", &[&version])
                    .await
                    .map_err(pg_error)?;
            }
        }
        txn.commit().await.map_err(pg_error)
    }

    /// Whether the database answers now.
    pub async fn is_ready(&self) -> bool {
        self.bounded(async { self.client().await?.query_one("SELECT 1", &[]).await.map_err(pg_error) })
            .await
            .is_ok()
    }

    /// The key record of `kid`.
    ///
    /// # Errors
    /// [`RegistryError::Unavailable`], or [`RegistryError::Corrupt`] for a row it cannot read.
    pub async fn lookup(&self, kid: &KeyId) -> Result<Option<KeyRecord>, RegistryError> {
        Ok(self.get(kid).await?.map(|e| e.record))
    }

    /// The entry of `kid`.
    ///
    /// # Errors
    /// As [`PostgresRegistry::lookup`].
    pub async fn get(&self, kid: &KeyId) -> Result<Option<Entry>, RegistryError> {
        self.bounded(async {
            let client = self.client().await?;
            let statement = client
                .prepare_cached("SELECT * FROM signet_api_keys WHERE kid = $1")
                .await
                .map_err(pg_error)?;
            let row = client.query_opt(&statement, &[&kid.as_str()]).await.map_err(pg_error)?;
            row.map(|r| entry_of(&r)).transpose()
        })
        .await
    }

    /// Adds a key for `entry.wallet`, in one transaction holding the wallet's row lock, so two
    /// instances registering one wallet at once issue one key.
    ///
    /// # Errors
    /// [`RegistryError::WalletHasKey`] with the usable key's id; for a wallet that has had a
    /// key, [`RegistryError::WalletRegisteredBefore`] for the documented (untimed) proof and
    /// [`RegistryError::StaleTimestamp`] for a time not newer than its last registration;
    /// [`RegistryError::DuplicateKeyId`]; [`RegistryError::Unavailable`].
    pub async fn register(&self, entry: &Entry, proof: Proof, now: UnixTime) -> Result<(), RegistryError> {
        self.bounded(async {
            let mut client = self.client().await?;
            let txn = client.transaction().await.map_err(pg_error)?;
            let wallet = entry.wallet.as_bytes().as_slice();
            txn.execute("INSERT INTO signet_wallets (wallet) VALUES ($1) ON CONFLICT DO NOTHING", &[&wallet])
                .await
                .map_err(pg_error)?;
            let last: Option<i64> = txn
                .query_one("SELECT last_registration_ts FROM signet_wallets WHERE wallet = $1 FOR UPDATE", &[&wallet])
                .await
                .map_err(pg_error)?
                .get(0);
            let keys = txn
                .query("SELECT * FROM signet_api_keys WHERE wallet = $1 ORDER BY created_at DESC, kid", &[&wallet])
                .await
                .map_err(pg_error)?;
            let keys = keys.iter().map(entry_of).collect::<Result<Vec<_>, _>>()?;
            if let Some(usable) = keys.iter().find(|k| k.is_usable(now)) {
                return Err(RegistryError::WalletHasKey(usable.kid.clone()));
            }
            match proof {
                Proof::Documented if !keys.is_empty() => return Err(RegistryError::WalletRegisteredBefore),
                Proof::Documented => {}
                Proof::Timestamped(ts) if last.is_some_and(|l| ts.0 <= l) => return Err(RegistryError::StaleTimestamp),
                Proof::Timestamped(ts) => {
                    txn.execute("UPDATE signet_wallets SET last_registration_ts = $2 WHERE wallet = $1", &[&wallet, &ts.0])
                        .await
                        .map_err(pg_error)?;
                }
            }
            let inserted = txn
                .execute(
                    "INSERT INTO signet_api_keys (kid, public_key, inactive, expires_at, wallet, created_at, name) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kid) DO NOTHING",
                    &[
                        &entry.kid.as_str(),
                        &entry.record.verifying_key.as_bytes().as_slice(),
                        &(entry.record.status == KeyStatus::Inactive),
                        &entry.record.expires_at.map(|t| t.0),
                        &wallet,
                        &entry.created_at.0,
                        &entry.name.as_deref(),
                    ],
                )
                .await
                .map_err(pg_error)?;
            if inserted == 0 {
                return Err(RegistryError::DuplicateKeyId);
            }
            txn.commit().await.map_err(pg_error)
        })
        .await
    }

    async fn update(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Entry, RegistryError> {
        self.bounded(async {
            let row = self.client().await?.query_opt(sql, params).await.map_err(pg_error)?;
            row.map(|r| entry_of(&r)).transpose()?.ok_or(RegistryError::NotFound)
        })
        .await
    }

    /// Revokes a key (every instance sees it within its key cache's lifetime).
    ///
    /// # Errors
    /// [`RegistryError::NotFound`] or [`RegistryError::Unavailable`].
    pub async fn revoke(&self, kid: &KeyId) -> Result<Entry, RegistryError> {
        self.update("UPDATE signet_api_keys SET inactive = TRUE WHERE kid = $1 RETURNING *", &[&kid.as_str()])
            .await
    }

    /// Sets or clears a key's expiry.
    ///
    /// # Errors
    /// [`RegistryError::NotFound`] or [`RegistryError::Unavailable`].
    pub async fn set_expiry(
        &self,
        kid: &KeyId,
        expires_at: Option<UnixTime>,
    ) -> Result<Entry, RegistryError> {
        let sql = "UPDATE signet_api_keys SET expires_at = $2 WHERE kid = $1 RETURNING *";
        self.update(sql, &[&kid.as_str(), &expires_at.map(|t| t.0)]).await
    }

    /// Every key, in key-id order.
    ///
    /// # Errors
    /// [`RegistryError::Unavailable`] or [`RegistryError::Corrupt`].
    pub async fn list(&self) -> Result<Vec<Entry>, RegistryError> {
        self.bounded(async {
            let rows = self
                .client()
                .await?
                .query("SELECT * FROM signet_api_keys ORDER BY kid", &[])
                .await
                .map_err(pg_error)?;
            rows.iter().map(entry_of).collect()
        })
        .await
    }
}

/// A row read exactly: anything the schema's checks should have kept out is refused.
fn entry_of(row: &Row) -> Result<Entry, RegistryError> {
    let kid_text: String = row.try_get("kid").map_err(|_| RegistryError::Corrupt("?".into()))?;
    let corrupt = || RegistryError::Corrupt(kid_text.clone());
    let public: Vec<u8> = row.try_get("public_key").map_err(|_| corrupt())?;
    let wallet: Vec<u8> = row.try_get("wallet").map_err(|_| corrupt())?;
    let public: [u8; 32] = public.try_into().map_err(|_| corrupt())?;
    let wallet: [u8; 20] = wallet.try_into().map_err(|_| corrupt())?;
    let inactive: bool = row.try_get("inactive").map_err(|_| corrupt())?;
    let expires_at: Option<i64> = row.try_get("expires_at").map_err(|_| corrupt())?;
    let created_at: i64 = row.try_get("created_at").map_err(|_| corrupt())?;
    let name: Option<String> = row.try_get("name").map_err(|_| corrupt())?;
    Ok(Entry {
        kid: KeyId::new(&kid_text).map_err(|_| corrupt())?,
        record: KeyRecord {
            verifying_key: VerifyingKey::from_bytes(&public).map_err(|_| corrupt())?,
            status: if inactive { KeyStatus::Inactive } else { KeyStatus::Active },
            expires_at: expires_at.map(UnixTime),
        },
        wallet: Address::from_bytes(wallet),
        created_at: UnixTime(created_at),
        name,
    })
}

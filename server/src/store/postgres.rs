//! The shared key registry: PostgreSQL, so every verifier instance sees the keys any of them
//! issued. Public keys only, as in the redb registry; one usable key per wallet enforced inside
//! a transaction that locks the wallet's row.

use core::future::Future;
use core::time::Duration;

mod bitzoom_keys;
mod migrations;
mod orders;
mod relayer;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use signet_core::UnixTime;
use signet_core::ed25519_dalek::VerifyingKey;
use signet_core::eth::Address;
use signet_core::turbine::{KeyId, KeyRecord, KeyStatus, KeyStoreError};
use tokio_postgres::{NoTls, Row};

use crate::store::entry::{Entry, Proof};
use crate::store::error::{DatabaseError, RegistryError};
use crate::store::keys::{KeyRegistry, KeySource};
use migrations::MIGRATIONS;

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
    sealer: Option<std::sync::Arc<crate::store::SecretSealer>>,
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
            let detail = format!("{} (SQLSTATE {})", db.message(), db.code().code());
            RegistryError::Database(DatabaseError::new(detail, error))
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
        // The parser's error may quote the string (a password): only the kind is said.
        let mut pg: tokio_postgres::Config =
            url.parse().map_err(|_| DatabaseError::message("not a PostgreSQL connection string"))?;
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
            .map_err(DatabaseError::of)?;
        let registry = PostgresRegistry { pool, timeout: config.timeout, sealer: None };
        registry.migrate().await?;
        Ok(registry)
    }

    /// Seals Bitzoom secrets with `sealer` (without one, Bitzoom keys cannot be stored or read:
    /// secrets are never kept in clear). Every instance needs the same key.
    #[must_use]
    pub fn with_sealer(mut self, sealer: std::sync::Arc<crate::store::SecretSealer>) -> Self {
        self.sealer = Some(sealer);
        self
    }

    pub(crate) fn sealer(&self) -> Result<&crate::store::SecretSealer, RegistryError> {
        self.sealer.as_deref().ok_or(RegistryError::Sealing(crate::store::SealError::NoKey))
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
                txn.batch_execute(sql).await.map_err(|e| {
                    let detail = format!("migration {version}: {}", pg_error(e));
                    DatabaseError::message(detail)
                })?;
                txn.execute("INSERT INTO signet_schema (version) VALUES ($1)", &[&version])
                    .await
                    .map_err(pg_error)?;
            }
        }
        txn.commit().await.map_err(pg_error)
    }

    /// Whether the database answers now.
    async fn ready(&self) -> bool {
        self.bounded(async { self.client().await?.query_one("SELECT 1", &[]).await.map_err(pg_error) })
            .await
            .is_ok()
    }

    async fn select_key(&self, kid: &KeyId) -> Result<Option<Entry>, RegistryError> {
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

    /// One transaction holding the wallet's row lock, so two instances registering one wallet
    /// at once issue one key.
    async fn insert_key(&self, entry: &Entry, proof: Proof, now: UnixTime) -> Result<(), RegistryError> {
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

    async fn revoke_key(&self, kid: &KeyId) -> Result<Entry, RegistryError> {
        self.update("UPDATE signet_api_keys SET inactive = TRUE WHERE kid = $1 RETURNING *", &[&kid.as_str()])
            .await
    }

    async fn expire_key(&self, kid: &KeyId, expires_at: Option<UnixTime>) -> Result<Entry, RegistryError> {
        let sql = "UPDATE signet_api_keys SET expires_at = $2 WHERE kid = $1 RETURNING *";
        self.update(sql, &[&kid.as_str(), &expires_at.map(|t| t.0)]).await
    }

    async fn select_keys(&self) -> Result<Vec<Entry>, RegistryError> {
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

impl KeySource for PostgresRegistry {
    async fn lookup_key(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        match self.select_key(kid).await {
            Ok(entry) => Ok(entry.map(|e| e.record)),
            Err(e) => {
                // Verification answers only "unavailable"; a schema fault is worth a log line.
                #[cfg(feature = "axum")]
                if let RegistryError::Database(detail) = &e {
                    tracing::warn!(error = %detail, "key store");
                }
                #[cfg(not(feature = "axum"))]
                let _ = e;
                Err(KeyStoreError)
            }
        }
    }
}

/// Every operation bounded by the configured timeout ([`RegistryError::Unavailable`] beyond).
impl KeyRegistry for PostgresRegistry {
    async fn register(&self, entry: &Entry, proof: Proof, now: UnixTime) -> Result<(), RegistryError> {
        self.insert_key(entry, proof, now).await
    }

    async fn get(&self, kid: &KeyId) -> Result<Option<Entry>, RegistryError> {
        self.select_key(kid).await
    }

    async fn revoke(&self, kid: &KeyId) -> Result<Entry, RegistryError> {
        self.revoke_key(kid).await
    }

    async fn set_expiry(&self, kid: &KeyId, expires_at: Option<UnixTime>) -> Result<Entry, RegistryError> {
        self.expire_key(kid, expires_at).await
    }

    async fn list(&self) -> Result<Vec<Entry>, RegistryError> {
        self.select_keys().await
    }

    async fn is_ready(&self) -> bool {
        self.ready().await
    }

    fn kind(&self) -> &'static str {
        "postgres"
    }
}

/// A row read exactly: anything the schema's checks should have kept out is refused.
fn entry_of(row: &Row) -> Result<Entry, RegistryError> {
    let kid_text: String = row.try_get("kid").map_err(|_| RegistryError::Corrupt("key ?".into()))?;
    let corrupt = || RegistryError::Corrupt(format!("key {kid_text}"));
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

//! Bitzoom HMAC keys in PostgreSQL (`signet_bitzoom_keys`), shared by every instance.

use tokio_postgres::Row;

use signet_std::Secret;

use super::{PostgresRegistry, pg_error};
use crate::bitzoom::keys::{BitzoomKey, BitzoomKeyError, BitzoomKeyStatus, MAX_KEYS_PER_ACCOUNT};
use crate::store::SecretSealer;
use crate::store::bitzoom_keys::{BitzoomKeyStore, listed};
use crate::store::error::RegistryError;

/// Rows resealed in one transaction.
pub const RESEAL_BATCH: usize = 500;

fn corrupt(api_key: &str) -> RegistryError {
    RegistryError::Corrupt(format!("Bitzoom key {api_key}"))
}

/// A row read exactly, its secret opened.
fn key_of(row: &Row, sealer: &SecretSealer) -> Result<BitzoomKey, RegistryError> {
    let api_key: String = row.try_get("api_key").map_err(|_| corrupt("?"))?;
    let bad = || corrupt(&api_key);
    let status: String = row.try_get("status").map_err(|_| bad())?;
    let permissions: i16 = row.try_get("permissions").map_err(|_| bad())?;
    let allowed: String = row.try_get("allowed_ips").map_err(|_| bad())?;
    let allowed: Vec<String> = allowed.split(',').filter(|n| !n.is_empty()).map(str::to_owned).collect();
    let stored: String = row.try_get("secret").map_err(|_| bad())?;
    // Clear from before sealing: taken as is, and sealed at the next start.
    let secret =
        if SecretSealer::is_sealed(&stored) { sealer.open(&api_key, &stored)? } else { Secret::new(stored) };
    BitzoomKey::from_parts(
        &api_key,
        row.try_get("account").map_err(|_| bad())?,
        row.try_get("label").map_err(|_| bad())?,
        u8::try_from(permissions).map_err(|_| bad())?,
        &allowed,
        BitzoomKeyStatus::parse(&status).ok_or_else(bad)?,
        row.try_get("created_at").map_err(|_| bad())?,
        secret.expose().to_owned(),
    )
    .ok_or_else(bad)
}

impl BitzoomKeyStore for PostgresRegistry {
    /// One transaction holding the account's advisory lock, so two creations at once cannot
    /// both pass the count.
    async fn create_bitzoom_key(&self, key: &BitzoomKey) -> Result<(), BitzoomKeyError> {
        let allowed = key.allowed_ips.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        let sealed = self.sealer()?.seal(&key.api_key, &key.secret);
        self.bounded(async {
            let mut client = self.client().await?;
            let txn = client.transaction().await.map_err(pg_error)?;
            txn.execute("SELECT pg_advisory_xact_lock(hashtext('signet-bitzoom:' || $1))", &[&key.account])
                .await
                .map_err(pg_error)?;
            let held: i64 = txn
                .query_one(
                    "SELECT count(*) FROM signet_bitzoom_keys WHERE account = $1 AND status <> 'revoked'",
                    &[&key.account],
                )
                .await
                .map_err(pg_error)?
                .get(0);
            if usize::try_from(held).unwrap_or(usize::MAX) >= MAX_KEYS_PER_ACCOUNT {
                return Ok(Err(BitzoomKeyError::TooManyKeys));
            }
            txn.execute(
                "INSERT INTO signet_bitzoom_keys \
                 (api_key, account, label, permissions, allowed_ips, status, created_at, secret) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &key.api_key,
                    &key.account,
                    &key.label,
                    &i16::from(key.permissions.bits()),
                    &allowed,
                    &key.status.as_str(),
                    &key.created_at.0,
                    &sealed,
                ],
            )
            .await
            .map_err(pg_error)?;
            txn.commit().await.map_err(pg_error)?;
            Ok(Ok(()))
        })
        .await?
    }

    async fn bitzoom_key(&self, api_key: &str) -> Result<Option<BitzoomKey>, RegistryError> {
        let sealer = self.sealer()?;
        self.bounded(async {
            let client = self.client().await?;
            let statement = client
                .prepare_cached("SELECT * FROM signet_bitzoom_keys WHERE api_key = $1")
                .await
                .map_err(pg_error)?;
            let row = client.query_opt(&statement, &[&api_key]).await.map_err(pg_error)?;
            row.map(|r| key_of(&r, sealer)).transpose()
        })
        .await
    }

    async fn bitzoom_keys(&self, account: Option<&str>) -> Result<Vec<BitzoomKey>, RegistryError> {
        let sealer = self.sealer()?;
        let keys = self
            .bounded(async {
                let rows = self
                    .client()
                    .await?
                    .query(
                        "SELECT * FROM signet_bitzoom_keys WHERE $1::text IS NULL OR account = $1",
                        &[&account],
                    )
                    .await
                    .map_err(pg_error)?;
                rows.iter().map(|r| key_of(r, sealer)).collect::<Result<Vec<_>, _>>()
            })
            .await?;
        Ok(listed(keys, account))
    }

    async fn set_bitzoom_key_status(
        &self,
        api_key: &str,
        status: BitzoomKeyStatus,
    ) -> Result<BitzoomKey, BitzoomKeyError> {
        // Revoked stays revoked: the update only touches a key that is not, or asks for revoked.
        let sealer = self.sealer()?;
        let row = self
            .bounded(async {
                self.client()
                    .await?
                    .query_opt(
                        "UPDATE signet_bitzoom_keys SET status = $2 \
                         WHERE api_key = $1 AND (status <> 'revoked' OR $2 = 'revoked') RETURNING *",
                        &[&api_key, &status.as_str()],
                    )
                    .await
                    .map_err(pg_error)
            })
            .await?;
        match row {
            Some(row) => Ok(key_of(&row, sealer)?),
            None if self.bitzoom_key(api_key).await?.is_some() => Err(BitzoomKeyError::Revoked),
            None => Err(BitzoomKeyError::NotFound),
        }
    }

    /// In batches of `RESEAL_BATCH` (500) rows, each read, sealed and written in a transaction of
    /// its own within the store's timeout (the third review: 20,000 rows in one 1 s window
    /// failed after 914), so any number of rows reseal, and a start that stops halfway leaves
    /// the rest for the next. Each stale row is updated only if it still holds what was read,
    /// so two instances resealing at once cannot overwrite each other's work.
    async fn reseal_bitzoom_secrets(&self) -> Result<usize, RegistryError> {
        let sealer = self.sealer()?;
        let current = format!("{}%", sealer.current_prefix());
        let limit = i64::try_from(RESEAL_BATCH).unwrap_or(i64::MAX);
        let mut after = String::new();
        let mut changed = 0;
        loop {
            let batch = self.bounded(async {
                let mut client = self.client().await?;
                let txn = client.transaction().await.map_err(pg_error)?;
                let rows = txn
                    .query(
                        "SELECT api_key, secret FROM signet_bitzoom_keys \
                         WHERE api_key > $1 AND secret NOT LIKE $2 ORDER BY api_key LIMIT $3",
                        &[&after, &current, &limit],
                    )
                    .await
                    .map_err(pg_error)?;
                let (mut keys, mut sealed, mut stale) = (Vec::new(), Vec::new(), Vec::new());
                for row in &rows {
                    let api_key: String = row.try_get(0).map_err(|_| corrupt("?"))?;
                    let stored: String = row.try_get(1).map_err(|_| corrupt(&api_key))?;
                    let secret = if SecretSealer::is_sealed(&stored) {
                        sealer.open(&api_key, &stored)?
                    } else {
                        Secret::new(stored.clone())
                    };
                    sealed.push(sealer.seal(&api_key, &secret));
                    keys.push(api_key);
                    stale.push(stored);
                }
                let written = txn
                    .execute(
                        "UPDATE signet_bitzoom_keys t SET secret = v.sealed \
                         FROM unnest($1::text[], $2::text[], $3::text[]) AS v(api_key, sealed, stale) \
                         WHERE t.api_key = v.api_key AND t.secret = v.stale",
                        &[&keys, &sealed, &stale],
                    )
                    .await
                    .map_err(pg_error)?;
                txn.commit().await.map_err(pg_error)?;
                Ok((written as usize, keys.pop()))
            });
            let (written, last) = batch.await?;
            changed += written;
            match last {
                Some(last) => after = last,
                None => return Ok(changed),
            }
        }
    }

    async fn sealed_bitzoom_secrets(&self) -> Result<usize, RegistryError> {
        let prefix = format!("{}%", SecretSealer::sealed_prefix());
        let sealed: i64 = self
            .bounded(async {
                let client = self.client().await?;
                let row = client
                    .query_one("SELECT count(*) FROM signet_bitzoom_keys WHERE secret LIKE $1", &[&prefix])
                    .await
                    .map_err(pg_error)?;
                Ok(row.get(0))
            })
            .await?;
        Ok(usize::try_from(sealed).unwrap_or(0))
    }
}

//! Bitzoom HMAC keys in PostgreSQL (`signet_bitzoom_keys`), shared by every instance.

use tokio_postgres::Row;

use super::{PostgresRegistry, pg_error};
use crate::bitzoom::keys::{BitzoomKey, BitzoomKeyError, BitzoomKeyStatus, MAX_KEYS_PER_ACCOUNT};
use crate::store::bitzoom_keys::{BitzoomKeyStore, listed};
use crate::store::error::RegistryError;

fn corrupt(api_key: &str) -> RegistryError {
    RegistryError::Corrupt(format!("Bitzoom key {api_key}"))
}

/// A row read exactly.
fn key_of(row: &Row) -> Result<BitzoomKey, RegistryError> {
    let api_key: String = row.try_get("api_key").map_err(|_| corrupt("?"))?;
    let bad = || corrupt(&api_key);
    let status: String = row.try_get("status").map_err(|_| bad())?;
    let permissions: i16 = row.try_get("permissions").map_err(|_| bad())?;
    let allowed: String = row.try_get("allowed_ips").map_err(|_| bad())?;
    let allowed: Vec<String> = allowed.split(',').filter(|n| !n.is_empty()).map(str::to_owned).collect();
    BitzoomKey::from_parts(
        &api_key,
        row.try_get("account").map_err(|_| bad())?,
        row.try_get("label").map_err(|_| bad())?,
        u8::try_from(permissions).map_err(|_| bad())?,
        &allowed,
        BitzoomKeyStatus::parse(&status).ok_or_else(bad)?,
        row.try_get("created_at").map_err(|_| bad())?,
        row.try_get("secret").map_err(|_| bad())?,
    )
    .ok_or_else(bad)
}

impl BitzoomKeyStore for PostgresRegistry {
    /// One transaction holding the account's advisory lock, so two creations at once cannot
    /// both pass the count.
    async fn create_bitzoom_key(&self, key: &BitzoomKey) -> Result<(), BitzoomKeyError> {
        let allowed = key.allowed_ips.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
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
                    &key.secret.expose(),
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
        self.bounded(async {
            let client = self.client().await?;
            let statement = client
                .prepare_cached("SELECT * FROM signet_bitzoom_keys WHERE api_key = $1")
                .await
                .map_err(pg_error)?;
            let row = client.query_opt(&statement, &[&api_key]).await.map_err(pg_error)?;
            row.map(|r| key_of(&r)).transpose()
        })
        .await
    }

    async fn bitzoom_keys(&self, account: Option<&str>) -> Result<Vec<BitzoomKey>, RegistryError> {
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
                rows.iter().map(key_of).collect::<Result<Vec<_>, _>>()
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
            Some(row) => Ok(key_of(&row)?),
            None if self.bitzoom_key(api_key).await?.is_some() => Err(BitzoomKeyError::Revoked),
            None => Err(BitzoomKeyError::NotFound),
        }
    }
}

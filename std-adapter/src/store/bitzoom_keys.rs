//! Bitzoom HMAC keys in the key registry (redb table `bitzoom_keys`, or PostgreSQL's
//! `signet_bitzoom_keys`), so every instance sharing a registry knows them. The secret is stored
//! (HMAC needs it) and never listed.

use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use tokio_postgres::Row;

use crate::bitzoom::keys::{BitzoomKey, BitzoomKeyError, BitzoomKeyStatus, MAX_KEYS_PER_ACCOUNT};
use crate::store::postgres::{PostgresRegistry, pg_error};
use crate::store::redb::{RedbRegistry, RegistryError, db_error};
use crate::store::registry::Registry;

/// api key -> the key's stored form.
const BITZOOM_KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("bitzoom_keys");

/// Creates the table (with the registry's).
pub(crate) fn create_tables(txn: &WriteTransaction) -> Result<(), RegistryError> {
    txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
    Ok(())
}

fn corrupt(api_key: &str) -> RegistryError {
    RegistryError::Corrupt(format!("Bitzoom key {api_key}"))
}

impl Registry {
    /// Stores a new key, unless its account already holds [`MAX_KEYS_PER_ACCOUNT`] keys that
    /// are not revoked (checked in the same transaction).
    ///
    /// # Errors
    /// [`BitzoomKeyError::TooManyKeys`] or the registry's.
    pub async fn create_bitzoom_key(&self, key: &BitzoomKey) -> Result<(), BitzoomKeyError> {
        match self {
            Registry::Redb(r) => r.create_bitzoom_key(key),
            Registry::Postgres(p) => p.create_bitzoom_key(key).await,
        }
    }

    /// The key `api_key`.
    ///
    /// # Errors
    /// The registry's ([`RegistryError::Corrupt`] for a damaged record).
    pub async fn bitzoom_key(&self, api_key: &str) -> Result<Option<BitzoomKey>, RegistryError> {
        match self {
            Registry::Redb(r) => r.bitzoom_key(api_key),
            Registry::Postgres(p) => p.bitzoom_key(api_key).await,
        }
    }

    /// Every key (of `account`, if given), by account and creation.
    ///
    /// # Errors
    /// The registry's.
    pub async fn bitzoom_keys(&self, account: Option<&str>) -> Result<Vec<BitzoomKey>, RegistryError> {
        let mut keys = match self {
            Registry::Redb(r) => r.bitzoom_keys()?,
            Registry::Postgres(p) => p.bitzoom_keys().await?,
        };
        keys.retain(|k| account.is_none_or(|a| a == k.account));
        keys.sort_by(|a, b| {
            (&a.account, a.created_at, &a.api_key).cmp(&(&b.account, b.created_at, &b.api_key))
        });
        Ok(keys)
    }

    /// Disables, enables or revokes a key. A revoked key stays revoked.
    ///
    /// # Errors
    /// [`BitzoomKeyError::NotFound`], [`BitzoomKeyError::Revoked`], or the registry's.
    pub async fn set_bitzoom_key_status(
        &self,
        api_key: &str,
        status: BitzoomKeyStatus,
    ) -> Result<BitzoomKey, BitzoomKeyError> {
        match self {
            Registry::Redb(r) => r.set_bitzoom_key_status(api_key, status),
            Registry::Postgres(p) => p.set_bitzoom_key_status(api_key, status).await,
        }
    }
}

/// The change a status update makes, or why it is refused.
fn next_status(
    current: BitzoomKeyStatus,
    wanted: BitzoomKeyStatus,
) -> Result<BitzoomKeyStatus, BitzoomKeyError> {
    if current == BitzoomKeyStatus::Revoked && wanted != BitzoomKeyStatus::Revoked {
        return Err(BitzoomKeyError::Revoked);
    }
    Ok(wanted)
}

impl RedbRegistry {
    fn create_bitzoom_key(&self, key: &BitzoomKey) -> Result<(), BitzoomKeyError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut table = txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
            let mut held = 0;
            for item in table.iter().map_err(db_error)? {
                let (id, value) = item.map_err(db_error)?;
                let other =
                    BitzoomKey::decode(id.value(), value.value()).ok_or_else(|| corrupt(id.value()))?;
                held +=
                    usize::from(other.account == key.account && other.status != BitzoomKeyStatus::Revoked);
            }
            if held >= MAX_KEYS_PER_ACCOUNT {
                return Err(BitzoomKeyError::TooManyKeys);
            }
            table.insert(key.api_key.as_str(), key.encode().as_slice()).map_err(db_error)?;
        }
        txn.commit().map_err(db_error)?;
        Ok(())
    }

    fn bitzoom_key(&self, api_key: &str) -> Result<Option<BitzoomKey>, RegistryError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
        let value = table.get(api_key).map_err(db_error)?;
        value.map(|v| BitzoomKey::decode(api_key, v.value()).ok_or_else(|| corrupt(api_key))).transpose()
    }

    fn bitzoom_keys(&self) -> Result<Vec<BitzoomKey>, RegistryError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
        let mut keys = Vec::new();
        for item in table.iter().map_err(db_error)? {
            let (id, value) = item.map_err(db_error)?;
            keys.push(BitzoomKey::decode(id.value(), value.value()).ok_or_else(|| corrupt(id.value()))?);
        }
        Ok(keys)
    }

    fn set_bitzoom_key_status(
        &self,
        api_key: &str,
        status: BitzoomKeyStatus,
    ) -> Result<BitzoomKey, BitzoomKeyError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        let key = {
            let mut table = txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
            let current = table.get(api_key).map_err(db_error)?.map(|v| v.value().to_vec());
            let mut key = current
                .map(|bytes| BitzoomKey::decode(api_key, &bytes).ok_or_else(|| corrupt(api_key)))
                .transpose()?
                .ok_or(BitzoomKeyError::NotFound)?;
            key.status = next_status(key.status, status)?;
            table.insert(api_key, key.encode().as_slice()).map_err(db_error)?;
            key
        };
        txn.commit().map_err(db_error)?;
        Ok(key)
    }
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

impl PostgresRegistry {
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

    async fn bitzoom_keys(&self) -> Result<Vec<BitzoomKey>, RegistryError> {
        self.bounded(async {
            let rows = self
                .client()
                .await?
                .query("SELECT * FROM signet_bitzoom_keys", &[])
                .await
                .map_err(pg_error)?;
            rows.iter().map(key_of).collect()
        })
        .await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoked_is_final() {
        use BitzoomKeyStatus::{Active, Disabled, Revoked};
        assert!(matches!(next_status(Active, Disabled), Ok(Disabled)));
        assert!(matches!(next_status(Disabled, Active), Ok(Active)));
        assert!(matches!(next_status(Revoked, Active), Err(BitzoomKeyError::Revoked)));
        assert!(matches!(next_status(Revoked, Revoked), Ok(Revoked)));
    }
}

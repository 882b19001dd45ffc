//! Bitzoom HMAC keys in the redb registry: table `bitzoom_keys`, api key -> the key's stored
//! form.

use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use signet_std::Secret;

use super::{RedbRegistry, db_error};
use crate::bitzoom::keys::{BitzoomKey, BitzoomKeyError, BitzoomKeyStatus, MAX_KEYS_PER_ACCOUNT};
use crate::store::SecretSealer;
use crate::store::bitzoom_keys::{BitzoomKeyStore, listed, next_status};
use crate::store::error::RegistryError;

/// api key -> the key's stored form.
const BITZOOM_KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("bitzoom_keys");

/// Creates the table (with the registry's).
pub(crate) fn create_tables(txn: &WriteTransaction) -> Result<(), RegistryError> {
    txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
    Ok(())
}

/// The JSON a key is stored as.
#[derive(Serialize, Deserialize)]
struct Stored {
    account: String,
    label: Option<String>,
    permissions: u8,
    allowed_ips: Vec<String>,
    status: BitzoomKeyStatus,
    created_at: i64,
    secret: String,
}

/// The stored form (JSON, the secret sealed).
fn encode(key: &BitzoomKey, sealer: &SecretSealer) -> Vec<u8> {
    let stored = Stored {
        account: key.account.clone(),
        label: key.label.clone(),
        permissions: key.permissions.bits(),
        allowed_ips: key.allowed_ips.iter().map(ToString::to_string).collect(),
        status: key.status,
        created_at: key.created_at.0,
        secret: sealer.seal(&key.api_key, &key.secret),
    };
    serde_json::to_vec(&stored).unwrap_or_default()
}

/// The stored JSON, without opening the secret.
fn stored(api_key: &str, bytes: &[u8]) -> Result<Stored, RegistryError> {
    serde_json::from_slice(bytes).map_err(|_| corrupt(api_key))
}

/// Reads the stored form: refused if damaged (never guessed at) or if the secret does not open.
fn decode(api_key: &str, bytes: &[u8], sealer: &SecretSealer) -> Result<BitzoomKey, RegistryError> {
    let stored = stored(api_key, bytes)?;
    let secret = open_secret(sealer, api_key, &stored.secret)?;
    BitzoomKey::from_parts(
        api_key,
        stored.account,
        stored.label,
        stored.permissions,
        &stored.allowed_ips,
        stored.status,
        stored.created_at,
        secret.expose().to_owned(),
    )
    .ok_or_else(|| corrupt(api_key))
}

/// The secret of a stored value: sealed (opened), or clear from before sealing (taken as is;
/// [`BitzoomKeyStore::reseal_bitzoom_secrets`] seals it at the next start).
fn open_secret(sealer: &SecretSealer, api_key: &str, stored: &str) -> Result<Secret, RegistryError> {
    if SecretSealer::is_sealed(stored) {
        Ok(sealer.open(api_key, stored)?)
    } else {
        Ok(Secret::new(stored.to_owned()))
    }
}

fn corrupt(api_key: &str) -> RegistryError {
    RegistryError::Corrupt(format!("Bitzoom key {api_key}"))
}

impl RedbRegistry {
    fn create_bitzoom_key_now(&self, key: &BitzoomKey) -> Result<(), BitzoomKeyError> {
        let sealer = self.sealer()?;
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut table = txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
            let mut held = 0;
            for item in table.iter().map_err(db_error)? {
                let (id, value) = item.map_err(db_error)?;
                let other = stored(id.value(), value.value())?;
                held +=
                    usize::from(other.account == key.account && other.status != BitzoomKeyStatus::Revoked);
            }
            if held >= MAX_KEYS_PER_ACCOUNT {
                return Err(BitzoomKeyError::TooManyKeys);
            }
            table.insert(key.api_key.as_str(), encode(key, sealer).as_slice()).map_err(db_error)?;
        }
        txn.commit().map_err(db_error)?;
        Ok(())
    }

    fn bitzoom_key_now(&self, api_key: &str) -> Result<Option<BitzoomKey>, RegistryError> {
        let sealer = self.sealer()?;
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
        let value = table.get(api_key).map_err(db_error)?;
        value.map(|v| decode(api_key, v.value(), sealer)).transpose()
    }

    fn bitzoom_keys_now(&self) -> Result<Vec<BitzoomKey>, RegistryError> {
        let sealer = self.sealer()?;
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
        let mut keys = Vec::new();
        for item in table.iter().map_err(db_error)? {
            let (id, value) = item.map_err(db_error)?;
            keys.push(decode(id.value(), value.value(), sealer)?);
        }
        Ok(keys)
    }

    /// Seals every secret not sealed with the current key, in one transaction.
    fn reseal_bitzoom_secrets_now(&self) -> Result<usize, RegistryError> {
        let sealer = self.sealer()?;
        let txn = self.db.begin_write().map_err(db_error)?;
        let mut changed = 0;
        {
            let mut table = txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
            let mut stale = Vec::new();
            for item in table.iter().map_err(db_error)? {
                let (id, value) = item.map_err(db_error)?;
                if sealer.needs_reseal(&stored(id.value(), value.value())?.secret) {
                    stale.push(decode(id.value(), value.value(), sealer)?);
                }
            }
            for key in stale {
                table.insert(key.api_key.as_str(), encode(&key, sealer).as_slice()).map_err(db_error)?;
                changed += 1;
            }
        }
        txn.commit().map_err(db_error)?;
        Ok(changed)
    }

    fn set_bitzoom_key_status_now(
        &self,
        api_key: &str,
        status: BitzoomKeyStatus,
    ) -> Result<BitzoomKey, BitzoomKeyError> {
        let sealer = self.sealer()?;
        let txn = self.db.begin_write().map_err(db_error)?;
        let key = {
            let mut table = txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
            let current = table.get(api_key).map_err(db_error)?.map(|v| v.value().to_vec());
            let mut key = current
                .map(|bytes| decode(api_key, &bytes, sealer))
                .transpose()?
                .ok_or(BitzoomKeyError::NotFound)?;
            key.status = next_status(key.status, status)?;
            table.insert(api_key, encode(&key, sealer).as_slice()).map_err(db_error)?;
            key
        };
        txn.commit().map_err(db_error)?;
        Ok(key)
    }
}

/// Short local transactions, done in place.
impl BitzoomKeyStore for RedbRegistry {
    async fn create_bitzoom_key(&self, key: &BitzoomKey) -> Result<(), BitzoomKeyError> {
        self.create_bitzoom_key_now(key)
    }

    async fn bitzoom_key(&self, api_key: &str) -> Result<Option<BitzoomKey>, RegistryError> {
        self.bitzoom_key_now(api_key)
    }

    async fn bitzoom_keys(&self, account: Option<&str>) -> Result<Vec<BitzoomKey>, RegistryError> {
        Ok(listed(self.bitzoom_keys_now()?, account))
    }

    async fn set_bitzoom_key_status(
        &self,
        api_key: &str,
        status: BitzoomKeyStatus,
    ) -> Result<BitzoomKey, BitzoomKeyError> {
        self.set_bitzoom_key_status_now(api_key, status)
    }

    async fn sealed_bitzoom_secrets(&self) -> Result<usize, RegistryError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(BITZOOM_KEYS).map_err(db_error)?;
        let mut sealed = 0;
        for item in table.iter().map_err(db_error)? {
            let (id, value) = item.map_err(db_error)?;
            sealed += usize::from(SecretSealer::is_sealed(&stored(id.value(), value.value())?.secret));
        }
        Ok(sealed)
    }

    async fn reseal_bitzoom_secrets(&self) -> Result<usize, RegistryError> {
        self.reseal_bitzoom_secrets_now()
    }
}

#[cfg(test)]
mod tests {
    use signet_core::UnixTime;

    use super::*;
    use crate::bitzoom::keys::parse_network;

    #[test]
    fn the_stored_form_round_trips_and_refuses_damage() {
        let key = BitzoomKey::generate(
            "acct",
            "READ".parse().unwrap(),
            vec![parse_network("::1").unwrap()],
            Some("bot".into()),
            UnixTime(5),
        );
        assert_eq!(key.api_key.len(), 32);
        assert_eq!(key.secret.expose().len(), 64);
        let sealer = SecretSealer::new(&[3; 32]);
        let bytes = encode(&key, &sealer);
        assert_eq!(decode(&key.api_key, &bytes, &sealer).unwrap(), key);
        assert!(!String::from_utf8_lossy(&bytes).contains(key.secret.expose()), "sealed at rest");
        assert!(!format!("{key:?}").contains(key.secret.expose()));
        assert!(!key.public_json().to_string().contains(key.secret.expose()));
        let damaged = String::from_utf8(bytes).unwrap().replace(r#""permissions":1"#, r#""permissions":9"#);
        assert!(decode(&key.api_key, damaged.as_bytes(), &sealer).is_err());
        assert!(decode(&key.api_key, b"{}", &sealer).is_err());
    }
}

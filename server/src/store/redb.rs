//! The embedded registry: public keys, status and expiry (and the orders and Bitzoom keys
//! beside them) in one redb file in the data folder, surviving restarts. One machine.

mod bitzoom_keys;
mod orders;
mod relayer;

use core::fmt;
use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use signet_core::UnixTime;
use signet_core::ed25519_dalek::VerifyingKey;
use signet_core::eth::Address;
use signet_core::turbine::{KeyId, KeyRecord, KeyStatus, KeyStore, KeyStoreError};

use crate::store::entry::{Entry, Proof};
use crate::store::error::{DatabaseError, RegistryError};
use crate::store::keys::{KeyRegistry, KeySource};

/// kid -> encoded [`Entry`].
pub(crate) const KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("keys");
/// wallet address (20 bytes) -> kid of its most recent key.
const WALLETS: TableDefinition<&[u8], &str> = TableDefinition::new("wallets");
/// wallet address -> time of its last timestamped registration.
const REGISTERED_AT: TableDefinition<&[u8], i64> = TableDefinition::new("registered_at");

/// Fixed part of an encoded entry: public key 32, status 1, expiry flag 1, expiry 8, wallet 20,
/// created 8; the name's UTF-8 follows.
const FIXED_LEN: usize = 70;

/// The stored form of an entry.
fn encode(entry: &Entry) -> Vec<u8> {
    let mut out = Vec::with_capacity(FIXED_LEN + entry.name.as_ref().map_or(0, String::len));
    out.extend_from_slice(entry.record.verifying_key.as_bytes());
    out.push(u8::from(entry.record.status == KeyStatus::Inactive));
    out.push(u8::from(entry.record.expires_at.is_some()));
    out.extend_from_slice(&entry.record.expires_at.map_or(0, |t| t.0).to_le_bytes());
    out.extend_from_slice(entry.wallet.as_bytes());
    out.extend_from_slice(&entry.created_at.0.to_le_bytes());
    out.extend_from_slice(entry.name.as_deref().unwrap_or_default().as_bytes());
    out
}

/// Reads a stored entry. Anything but the bytes [`encode`] writes is refused, so a damaged
/// record fails closed (the key store reports an error) rather than being read as an active key
/// that never expires.
fn decode(kid: &str, bytes: &[u8]) -> Result<Entry, RegistryError> {
    let corrupt = || RegistryError::Corrupt(format!("key {kid}"));
    let (fixed, name) = bytes.split_at_checked(FIXED_LEN).ok_or_else(corrupt)?;
    let (public, rest) = fixed.split_first_chunk::<32>().ok_or_else(corrupt)?;
    let (&[inactive, has_expiry], rest) = rest.split_first_chunk::<2>().ok_or_else(corrupt)?;
    let (expiry, rest) = rest.split_first_chunk::<8>().ok_or_else(corrupt)?;
    let (wallet, rest) = rest.split_first_chunk::<20>().ok_or_else(corrupt)?;
    let created = rest.first_chunk::<8>().ok_or_else(corrupt)?;
    let status = match inactive {
        0 => KeyStatus::Active,
        1 => KeyStatus::Inactive,
        _ => return Err(corrupt()),
    };
    let expires_at = match has_expiry {
        0 => None,
        1 => Some(UnixTime(i64::from_le_bytes(*expiry))),
        _ => return Err(corrupt()),
    };
    Ok(Entry {
        kid: KeyId::new(kid).map_err(|_| corrupt())?,
        record: KeyRecord {
            verifying_key: VerifyingKey::from_bytes(public).map_err(|_| corrupt())?,
            status,
            expires_at,
        },
        wallet: Address::from_bytes(*wallet),
        created_at: UnixTime(i64::from_le_bytes(*created)),
        name: match name {
            [] => None,
            name => Some(String::from_utf8(name.to_vec()).map_err(|_| corrupt())?),
        },
    })
}

/// A redb failure as a registry error, the redb error as its source.
pub(crate) fn db_error<E: core::error::Error + Send + Sync + 'static>(e: E) -> RegistryError {
    RegistryError::Database(DatabaseError::of(e))
}

/// The persistent registry: one redb file, safe to share between threads.
/// Cloning gives another handle on the same file.
#[derive(Clone)]
pub struct RedbRegistry {
    pub(crate) db: std::sync::Arc<Database>,
    sealer: Option<std::sync::Arc<crate::store::SecretSealer>>,
}

impl fmt::Debug for RedbRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedbRegistry").finish_non_exhaustive()
    }
}

/// Whether opening a registry may make one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Creation {
    Existing,
    New,
    Either,
}

impl RedbRegistry {
    /// Opens the registry file at `path`, which must exist: a missing file is not taken as a
    /// new registry (a mistyped path, a deleted file), nor is an empty one (a truncated file).
    ///
    /// # Errors
    /// [`RegistryError::Missing`], [`RegistryError::Empty`], or [`RegistryError::Database`]
    /// naming the path if it cannot be read as a registry.
    pub fn open(path: &Path) -> Result<Self, RegistryError> {
        Self::open_as(path, Creation::Existing)
    }

    /// Makes a new, empty registry file at `path` (owner-only), which must not exist: a
    /// server's first start.
    ///
    /// # Errors
    /// [`RegistryError::Database`] naming the path if it exists or cannot be made.
    pub fn create(path: &Path) -> Result<Self, RegistryError> {
        Self::open_as(path, Creation::New)
    }

    /// Opens the registry at `path`, or makes a new one if nothing is there (tests, tools that
    /// own their file); an empty file is still refused.
    ///
    /// # Errors
    /// As [`RedbRegistry::open`] and [`RedbRegistry::create`].
    pub fn open_or_create(path: &Path) -> Result<Self, RegistryError> {
        Self::open_as(path, Creation::Either)
    }

    fn open_as(path: &Path, creation: Creation) -> Result<Self, RegistryError> {
        let at = |e: &dyn core::fmt::Display| format!("key registry {}: {e}", path.display());
        match std::fs::metadata(path) {
            Ok(_) if creation == Creation::New => {
                return Err(RegistryError::Database(DatabaseError::message(at(&"already exists"))));
            }
            Ok(meta) if meta.len() == 0 => return Err(RegistryError::Empty(path.to_path_buf())),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if creation == Creation::Existing {
                    return Err(RegistryError::Missing(path.to_path_buf()));
                }
                // Made owner-only before redb writes a byte into it (redb would create it
                // with the process's umask, often world-readable).
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                options.open(path).map_err(|e| RegistryError::Database(DatabaseError::new(at(&e), e)))?;
            }
            Err(e) => return Err(RegistryError::Database(DatabaseError::new(at(&e), e))),
        }
        let db = Database::create(path).map_err(|e| {
            if matches!(e, redb::DatabaseError::DatabaseAlreadyOpen) {
                let detail = at(&"open in another process (a running signet serve?): a redb file has one \
                                 process at a time; share keys through PostgreSQL, or verify through signet \
                                 serve's forward authentication");
                return RegistryError::Database(DatabaseError::new(detail, e));
            }
            RegistryError::Database(DatabaseError::new(at(&e), e))
        })?;
        let txn = db.begin_write().map_err(db_error)?;
        txn.open_table(KEYS).map_err(db_error)?;
        txn.open_table(WALLETS).map_err(db_error)?;
        txn.open_table(REGISTERED_AT).map_err(db_error)?;
        orders::create_tables(&txn)?;
        bitzoom_keys::create_tables(&txn)?;
        relayer::create_tables(&txn)?;
        txn.commit().map_err(db_error)?;
        Ok(RedbRegistry { db: std::sync::Arc::new(db), sealer: None })
    }

    /// Seals Bitzoom secrets with `sealer` (without one, Bitzoom keys cannot be stored or read:
    /// secrets are never kept in clear).
    #[must_use]
    pub fn with_sealer(mut self, sealer: std::sync::Arc<crate::store::SecretSealer>) -> Self {
        self.sealer = Some(sealer);
        self
    }

    /// Runs `op` on a blocking thread of the current tokio runtime (in place without one), so
    /// reads that scan and decode do not hold a runtime thread.
    pub(crate) async fn blocking<T, E>(
        &self,
        op: impl FnOnce(&RedbRegistry) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<RegistryError> + Send + 'static,
    {
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let this = self.clone();
                runtime
                    .spawn_blocking(move || op(&this))
                    .await
                    .unwrap_or_else(|_| Err(E::from(RegistryError::Unavailable)))
            }
            Err(_) => op(self),
        }
    }

    pub(crate) fn sealer(&self) -> Result<&crate::store::SecretSealer, RegistryError> {
        self.sealer.as_deref().ok_or(RegistryError::Sealing(crate::store::SealError::NoKey))
    }

    /// Adds a key for `entry.wallet`, unless that wallet already has a key usable at `now`, in
    /// one write transaction (redb runs one at a time, so concurrent registrations of a wallet
    /// issue one key).
    ///
    /// # Errors
    /// [`RegistryError::WalletHasKey`] with the existing id; for a wallet that has had a key,
    /// [`RegistryError::WalletRegisteredBefore`] with the documented proof and
    /// [`RegistryError::StaleTimestamp`] for a time not newer than its last registration;
    /// [`RegistryError::DuplicateKeyId`] or [`RegistryError::Database`].
    pub fn register(&self, entry: &Entry, proof: Proof, now: UnixTime) -> Result<(), RegistryError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut keys = txn.open_table(KEYS).map_err(db_error)?;
            let mut wallets = txn.open_table(WALLETS).map_err(db_error)?;
            let mut registered_at = txn.open_table(REGISTERED_AT).map_err(db_error)?;
            let wallet = entry.wallet.as_bytes().as_slice();
            let existing = wallets.get(wallet).map_err(db_error)?.map(|kid| kid.value().to_owned());
            let last = registered_at.get(wallet).map_err(db_error)?.map(|t| t.value());
            if let Some(kid) = &existing {
                let current =
                    keys.get(kid.as_str()).map_err(db_error)?.map(|v| decode(kid, v.value())).transpose()?;
                if let Some(current) = current.filter(|c| c.is_usable(now)) {
                    return Err(RegistryError::WalletHasKey(current.kid));
                }
            }
            match proof {
                Proof::Documented if existing.is_some() => return Err(RegistryError::WalletRegisteredBefore),
                Proof::Documented => {}
                Proof::Timestamped(ts) if last.is_some_and(|l| ts.0 <= l) => {
                    return Err(RegistryError::StaleTimestamp);
                }
                Proof::Timestamped(ts) => {
                    registered_at.insert(wallet, ts.0).map_err(db_error)?;
                }
            }
            if keys.get(entry.kid.as_str()).map_err(db_error)?.is_some() {
                return Err(RegistryError::DuplicateKeyId);
            }
            keys.insert(entry.kid.as_str(), encode(entry).as_slice()).map_err(db_error)?;
            wallets.insert(entry.wallet.as_bytes().as_slice(), entry.kid.as_str()).map_err(db_error)?;
        }
        txn.commit().map_err(db_error)
    }

    /// Whether the file can be read now (for readiness checks).
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.db.begin_read().is_ok_and(|txn| txn.open_table(KEYS).is_ok())
    }

    /// The entry of `kid`.
    ///
    /// # Errors
    /// [`RegistryError::Database`].
    pub fn get(&self, kid: &KeyId) -> Result<Option<Entry>, RegistryError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let keys = txn.open_table(KEYS).map_err(db_error)?;
        let value = keys.get(kid.as_str()).map_err(db_error)?;
        value.map(|v| decode(kid.as_str(), v.value())).transpose()
    }

    /// Changes a key's status and/or expiry in one transaction.
    fn update(&self, kid: &KeyId, change: impl FnOnce(&mut KeyRecord)) -> Result<Entry, RegistryError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        let entry = {
            let mut keys = txn.open_table(KEYS).map_err(db_error)?;
            let current = keys
                .get(kid.as_str())
                .map_err(db_error)?
                .map(|v| decode(kid.as_str(), v.value()))
                .transpose()?;
            let mut entry = current.ok_or(RegistryError::NotFound)?;
            change(&mut entry.record);
            keys.insert(kid.as_str(), encode(&entry).as_slice()).map_err(db_error)?;
            entry
        };
        txn.commit().map_err(db_error)?;
        Ok(entry)
    }

    /// Revokes a key: its tokens are refused with `API key is inactive`, and its wallet may
    /// register a new one.
    ///
    /// # Errors
    /// [`RegistryError::NotFound`] or [`RegistryError::Database`].
    pub fn revoke(&self, kid: &KeyId) -> Result<Entry, RegistryError> {
        self.update(kid, |r| r.status = KeyStatus::Inactive)
    }

    /// Sets or clears a key's expiry.
    ///
    /// # Errors
    /// [`RegistryError::NotFound`] or [`RegistryError::Database`].
    pub fn set_expiry(&self, kid: &KeyId, expires_at: Option<UnixTime>) -> Result<Entry, RegistryError> {
        self.update(kid, |r| r.expires_at = expires_at)
    }

    /// Every registered key, in key-id order.
    ///
    /// # Errors
    /// [`RegistryError::Database`].
    pub fn list(&self) -> Result<Vec<Entry>, RegistryError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let keys = txn.open_table(KEYS).map_err(db_error)?;
        let mut out = Vec::new();
        for item in keys.iter().map_err(db_error)? {
            let (kid, value) = item.map_err(db_error)?;
            out.push(decode(kid.value(), value.value())?);
        }
        Ok(out)
    }
}

impl KeyStore for RedbRegistry {
    fn lookup(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        self.get(kid).map(|e| e.map(|e| e.record)).map_err(|_| KeyStoreError)
    }
}

impl KeySource for RedbRegistry {
    async fn lookup_key(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        // A local file: a read is short, so it is done in place.
        self.lookup(kid)
    }
}

/// The async face of the registry (its reads and writes are short local transactions).
impl KeyRegistry for RedbRegistry {
    async fn register(&self, entry: &Entry, proof: Proof, now: UnixTime) -> Result<(), RegistryError> {
        RedbRegistry::register(self, entry, proof, now)
    }

    async fn get(&self, kid: &KeyId) -> Result<Option<Entry>, RegistryError> {
        RedbRegistry::get(self, kid)
    }

    async fn revoke(&self, kid: &KeyId) -> Result<Entry, RegistryError> {
        RedbRegistry::revoke(self, kid)
    }

    async fn set_expiry(&self, kid: &KeyId, expires_at: Option<UnixTime>) -> Result<Entry, RegistryError> {
        RedbRegistry::set_expiry(self, kid, expires_at)
    }

    async fn list(&self) -> Result<Vec<Entry>, RegistryError> {
        RedbRegistry::list(self)
    }

    async fn is_ready(&self) -> bool {
        RedbRegistry::is_ready(self)
    }

    fn kind(&self) -> &'static str {
        "redb"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signet_core::ed25519_dalek::SigningKey;

    fn entry(kid: &str, wallet: u8, name: Option<&str>) -> Entry {
        Entry {
            kid: KeyId::new(kid).unwrap(),
            record: KeyRecord::active(SigningKey::from_bytes(&[wallet; 32]).verifying_key()),
            wallet: Address::from_bytes([wallet; 20]),
            created_at: UnixTime(1_000),
            name: name.map(str::to_owned),
        }
    }

    #[test]
    fn encoding_round_trips() {
        for e in [entry("a", 1, None), entry("b", 2, Some("my-bot ✓"))] {
            let mut e2 = e.clone();
            e2.record.expires_at = Some(UnixTime(-5));
            e2.record.status = KeyStatus::Inactive;
            for e in [e, e2] {
                assert_eq!(decode(e.kid.as_str(), &encode(&e)).unwrap(), e);
            }
        }
        assert!(matches!(decode("a", &[0; 10]), Err(RegistryError::Corrupt(_))));
    }

    #[test]
    fn one_usable_key_per_wallet_and_persistence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.redb");
        let now = UnixTime(2_000);
        assert!(matches!(RedbRegistry::open(&path), Err(RegistryError::Missing(_))), "never made by open");
        {
            let reg = RedbRegistry::create(&path).unwrap();
            reg.register(&entry("k1", 7, Some("bot")), Proof::Documented, now).unwrap();
            match reg.register(&entry("k2", 7, None), Proof::Documented, now) {
                Err(RegistryError::WalletHasKey(kid)) => assert_eq!(kid.as_str(), "k1"),
                other => panic!("{other:?}"),
            }
            assert!(matches!(
                reg.register(&entry("k1", 8, None), Proof::Documented, now),
                Err(RegistryError::DuplicateKeyId)
            ));
        }
        // Reopened: still there; revoking frees the wallet.
        let reg = RedbRegistry::open(&path).unwrap();
        let kid = KeyId::new("k1").unwrap();
        assert_eq!(reg.get(&kid).unwrap().unwrap().name.as_deref(), Some("bot"));
        reg.revoke(&kid).unwrap();
        assert_eq!(reg.lookup(&kid).unwrap().unwrap().status, KeyStatus::Inactive);
        reg.register(&entry("k2", 7, None), Proof::Timestamped(now), now).unwrap();
        // An expired key frees its wallet too.
        reg.set_expiry(&KeyId::new("k2").unwrap(), Some(now)).unwrap();
        reg.register(&entry("k3", 7, None), Proof::Timestamped(UnixTime(now.0 + 1)), now).unwrap();
        assert_eq!(
            reg.list().unwrap().iter().map(|e| e.kid.as_str()).collect::<Vec<_>>(),
            ["k1", "k2", "k3"]
        );
        assert!(matches!(reg.revoke(&KeyId::new("nope").unwrap()), Err(RegistryError::NotFound)));
    }

    #[test]
    fn an_empty_or_foreign_file_is_refused_never_taken_as_a_new_registry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.redb");
        drop(RedbRegistry::create(&path).unwrap());
        assert!(RedbRegistry::create(&path).unwrap_err().to_string().contains("already exists"));
        // The third review truncated it to 0 bytes: it came back as an empty registry.
        std::fs::File::create(&path).unwrap();
        for opened in [RedbRegistry::open(&path), RedbRegistry::open_or_create(&path)] {
            let refused = opened.unwrap_err();
            assert!(matches!(refused, RegistryError::Empty(_)), "{refused:?}");
            assert!(refused.to_string().contains("keys.redb is empty"), "{refused}");
        }
        std::fs::write(&path, b"not a registry").unwrap();
        let refused = RedbRegistry::open(&path).unwrap_err().to_string();
        assert!(
            refused.starts_with(&format!("key registry error: key registry {}:", path.display())),
            "{refused}"
        );
    }

    #[test]
    fn a_damaged_record_fails_closed() {
        let dir = tempfile::tempdir().unwrap();
        let reg = RedbRegistry::open_or_create(&dir.path().join("keys.redb")).unwrap();
        let good = encode(&entry("k1", 7, None));
        // Status byte 2 (was read as active), expiry flag 7 (was read as "never expires"),
        // a name that is not UTF-8.
        let damaged = [(32, 2u8), (33, 7u8), (FIXED_LEN, 0xff)].map(|(at, byte)| {
            let mut bytes = good.clone();
            if at == FIXED_LEN {
                bytes.push(byte);
            } else {
                bytes[at] = byte;
            }
            bytes
        });
        let kid = KeyId::new("k1").unwrap();
        for bytes in damaged {
            let txn = reg.db.begin_write().unwrap();
            txn.open_table(KEYS).unwrap().insert("k1", bytes.as_slice()).unwrap();
            txn.commit().unwrap();
            assert_eq!(reg.lookup(&kid), Err(KeyStoreError));
            assert!(matches!(reg.get(&kid), Err(RegistryError::Corrupt(k)) if k == "key k1"));
            assert!(reg.list().is_err());
            assert!(reg.revoke(&kid).is_err());
        }
    }
}

//! The key registry a server uses: one redb file, or PostgreSQL shared by many instances.

use core::future::Future;

use signet_core::UnixTime;
use signet_core::turbine::{KeyId, KeyRecord, KeyRing, KeyStore, KeyStoreError};

use crate::store::postgres::PostgresRegistry;
use crate::store::redb::{Entry, RedbRegistry, RegistryError};

/// How a wallet proved it is registering: the documented message, or the timestamped one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// `Register API key for Turbine: <address>`: accepted for a wallet's first key only, as a
    /// captured copy could be replayed forever.
    Documented,
    /// The same and `\nTimestamp: <secs>`: accepted when recent (the service checks) and newer
    /// than the wallet's last timestamped registration (the registry checks, atomically).
    Timestamped(UnixTime),
}

/// Looks up key records without blocking an async runtime: what the verifier's key cache
/// asks on a miss.
pub trait KeySource: Send + Sync {
    /// The record of `kid`, `Ok(None)` if there is none.
    fn lookup_key(
        &self,
        kid: &KeyId,
    ) -> impl Future<Output = Result<Option<KeyRecord>, KeyStoreError>> + Send;
}

impl KeySource for RedbRegistry {
    async fn lookup_key(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        // A local file: a read is short, so it is done in place.
        self.lookup(kid)
    }
}

impl<const N: usize> KeySource for KeyRing<N> {
    async fn lookup_key(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        self.lookup(kid)
    }
}

impl KeySource for PostgresRegistry {
    async fn lookup_key(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        self.lookup(kid).await.map_err(|e| {
            // Verification answers only "unavailable"; a schema fault is worth a log line.
            #[cfg(feature = "axum")]
            if let RegistryError::Database(detail) = &e {
                tracing::warn!(error = %detail, "key store");
            }
            #[cfg(not(feature = "axum"))]
            let _ = e;
            KeyStoreError
        })
    }
}

/// Where a server's keys live.
#[derive(Debug)]
pub enum Registry {
    /// One redb file in the data folder (the default): one machine.
    Redb(RedbRegistry),
    /// PostgreSQL: every instance sees every key.
    Postgres(Box<PostgresRegistry>),
}

impl From<RedbRegistry> for Registry {
    fn from(registry: RedbRegistry) -> Self {
        Registry::Redb(registry)
    }
}

impl From<PostgresRegistry> for Registry {
    fn from(registry: PostgresRegistry) -> Self {
        Registry::Postgres(Box::new(registry))
    }
}

impl KeySource for Registry {
    async fn lookup_key(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        match self {
            Registry::Redb(r) => r.lookup(kid),
            Registry::Postgres(p) => p.lookup_key(kid).await,
        }
    }
}

impl Registry {
    /// `redb` or `postgres`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Registry::Redb(_) => "redb",
            Registry::Postgres(_) => "postgres",
        }
    }

    /// Adds a key (see [`RedbRegistry::register`] and [`PostgresRegistry::register`]).
    ///
    /// # Errors
    /// [`RegistryError`].
    pub async fn register(&self, entry: &Entry, proof: Proof, now: UnixTime) -> Result<(), RegistryError> {
        match self {
            Registry::Redb(r) => r.register(entry, proof, now),
            Registry::Postgres(p) => p.register(entry, proof, now).await,
        }
    }

    /// The entry of `kid`.
    ///
    /// # Errors
    /// [`RegistryError`].
    pub async fn get(&self, kid: &KeyId) -> Result<Option<Entry>, RegistryError> {
        match self {
            Registry::Redb(r) => r.get(kid),
            Registry::Postgres(p) => p.get(kid).await,
        }
    }

    /// Revokes a key.
    ///
    /// # Errors
    /// [`RegistryError`].
    pub async fn revoke(&self, kid: &KeyId) -> Result<Entry, RegistryError> {
        match self {
            Registry::Redb(r) => r.revoke(kid),
            Registry::Postgres(p) => p.revoke(kid).await,
        }
    }

    /// Sets or clears a key's expiry.
    ///
    /// # Errors
    /// [`RegistryError`].
    pub async fn set_expiry(
        &self,
        kid: &KeyId,
        expires_at: Option<UnixTime>,
    ) -> Result<Entry, RegistryError> {
        match self {
            Registry::Redb(r) => r.set_expiry(kid, expires_at),
            Registry::Postgres(p) => p.set_expiry(kid, expires_at).await,
        }
    }

    /// Every key, in key-id order.
    ///
    /// # Errors
    /// [`RegistryError`].
    pub async fn list(&self) -> Result<Vec<Entry>, RegistryError> {
        match self {
            Registry::Redb(r) => r.list(),
            Registry::Postgres(p) => p.list().await,
        }
    }

    /// Whether the store answers now.
    pub async fn is_ready(&self) -> bool {
        match self {
            Registry::Redb(r) => r.is_ready(),
            Registry::Postgres(p) => p.is_ready().await,
        }
    }
}

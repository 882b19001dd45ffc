//! [`Registry`]: the key registry a server was configured with, dispatching to the backends
//! this build has (each a variant behind its feature).
#![cfg_attr(not(any(feature = "redb", feature = "postgres")), allow(unused_variables, unreachable_code))]

use signet_core::UnixTime;
use signet_core::turbine::order::{MarketId, OrderHash, OrderRecord, SignedOrder};
use signet_core::turbine::{KeyId, KeyRecord, KeyStoreError};

use crate::bitzoom::keys::{BitzoomKey, BitzoomKeyError, BitzoomKeyStatus};
use crate::store::bitzoom_keys::BitzoomKeyStore;
use crate::store::entry::{Entry, Proof};
use crate::store::error::RegistryError;
use crate::store::keys::{KeyRegistry, KeySource};
use crate::store::orders::{OrderLimits, OrderListing, OrderStore, OrderStoreError};
#[cfg(feature = "postgres")]
use crate::store::postgres::PostgresRegistry;
#[cfg(feature = "redb")]
use crate::store::redb::RedbRegistry;
use crate::store::relayer::{AcceptedMessage, RelayerStore, RelayerStoreError};
use signet_core::eth::{Address, EthSignature, U256};

/// Where a server's keys (and the orders and Bitzoom keys beside them) live.
///
/// Without any backend feature the enum has no variants: a build can still verify against a
/// [`KeyRing`](signet_core::turbine::KeyRing), but cannot make a `Registry`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Registry {
    /// One redb file in the data folder (the default): one machine.
    #[cfg(feature = "redb")]
    Redb(RedbRegistry),
    /// PostgreSQL: every instance sees every key.
    #[cfg(feature = "postgres")]
    Postgres(Box<PostgresRegistry>),
}

#[cfg(feature = "redb")]
impl From<RedbRegistry> for Registry {
    fn from(registry: RedbRegistry) -> Self {
        Registry::Redb(registry)
    }
}

#[cfg(feature = "postgres")]
impl From<PostgresRegistry> for Registry {
    fn from(registry: PostgresRegistry) -> Self {
        Registry::Postgres(Box::new(registry))
    }
}

/// `$call` with `$backend` bound to whichever backend `$registry` holds.
macro_rules! dispatch {
    ($registry:expr, $backend:ident => $call:expr) => {
        match *$registry {
            #[cfg(feature = "redb")]
            Registry::Redb(ref $backend) => $call,
            #[cfg(feature = "postgres")]
            Registry::Postgres(ref boxed) => {
                let $backend: &PostgresRegistry = boxed;
                $call
            }
        }
    };
}

impl KeySource for Registry {
    async fn lookup_key(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        dispatch!(self, r => r.lookup_key(kid).await)
    }
}

impl KeyRegistry for Registry {
    async fn register(&self, entry: &Entry, proof: Proof, now: UnixTime) -> Result<(), RegistryError> {
        dispatch!(self, r => KeyRegistry::register(r, entry, proof, now).await)
    }

    async fn get(&self, kid: &KeyId) -> Result<Option<Entry>, RegistryError> {
        dispatch!(self, r => KeyRegistry::get(r, kid).await)
    }

    async fn revoke(&self, kid: &KeyId) -> Result<Entry, RegistryError> {
        dispatch!(self, r => KeyRegistry::revoke(r, kid).await)
    }

    async fn set_expiry(&self, kid: &KeyId, expires_at: Option<UnixTime>) -> Result<Entry, RegistryError> {
        dispatch!(self, r => KeyRegistry::set_expiry(r, kid, expires_at).await)
    }

    async fn list(&self) -> Result<Vec<Entry>, RegistryError> {
        dispatch!(self, r => KeyRegistry::list(r).await)
    }

    async fn is_ready(&self) -> bool {
        dispatch!(self, r => KeyRegistry::is_ready(r).await)
    }

    fn kind(&self) -> &'static str {
        dispatch!(self, r => KeyRegistry::kind(r))
    }
}

impl OrderStore for Registry {
    async fn submit_order(
        &self,
        kid: &KeyId,
        signed: &SignedOrder,
        now: UnixTime,
        limits: &OrderLimits,
    ) -> Result<OrderRecord, OrderStoreError> {
        dispatch!(self, r => r.submit_order(kid, signed, now, limits).await)
    }

    async fn prune_orders(
        &self,
        now: UnixTime,
        retention_secs: i64,
        batch: usize,
    ) -> Result<usize, OrderStoreError> {
        dispatch!(self, r => r.prune_orders(now, retention_secs, batch).await)
    }

    async fn stored_orders(&self) -> Result<usize, OrderStoreError> {
        dispatch!(self, r => r.stored_orders().await)
    }

    async fn order(&self, hash: &OrderHash) -> Result<Option<OrderRecord>, OrderStoreError> {
        dispatch!(self, r => r.order(hash).await)
    }

    async fn orders(
        &self,
        listing: &OrderListing,
        now: UnixTime,
    ) -> Result<Vec<OrderRecord>, OrderStoreError> {
        dispatch!(self, r => r.orders(listing, now).await)
    }

    async fn cancel_order(
        &self,
        kid: &KeyId,
        hash: &OrderHash,
        now: UnixTime,
    ) -> Result<OrderRecord, OrderStoreError> {
        dispatch!(self, r => r.cancel_order(kid, hash, now).await)
    }

    async fn cancel_market_orders(
        &self,
        kid: &KeyId,
        market: &MarketId,
        now: UnixTime,
    ) -> Result<Vec<OrderHash>, OrderStoreError> {
        dispatch!(self, r => r.cancel_market_orders(kid, market, now).await)
    }
}

impl RelayerStore for Registry {
    async fn next_nonce(&self, owner: &Address, contract: &Address) -> Result<U256, RegistryError> {
        dispatch!(self, r => r.next_nonce(owner, contract).await)
    }

    async fn accept_messages(
        &self,
        messages: &[AcceptedMessage],
        keep_per_owner: usize,
    ) -> Result<(), RelayerStoreError> {
        dispatch!(self, r => r.accept_messages(messages, keep_per_owner).await)
    }

    async fn relayed_signature(
        &self,
        signature: &EthSignature,
    ) -> Result<Option<AcceptedMessage>, RegistryError> {
        dispatch!(self, r => r.relayed_signature(signature).await)
    }

    async fn relayed(&self, owner: &Address, limit: usize) -> Result<Vec<AcceptedMessage>, RegistryError> {
        dispatch!(self, r => r.relayed(owner, limit).await)
    }
}

impl BitzoomKeyStore for Registry {
    async fn create_bitzoom_key(&self, key: &BitzoomKey) -> Result<(), BitzoomKeyError> {
        dispatch!(self, r => r.create_bitzoom_key(key).await)
    }

    async fn bitzoom_key(&self, api_key: &str) -> Result<Option<BitzoomKey>, RegistryError> {
        dispatch!(self, r => r.bitzoom_key(api_key).await)
    }

    async fn bitzoom_keys(&self, account: Option<&str>) -> Result<Vec<BitzoomKey>, RegistryError> {
        dispatch!(self, r => r.bitzoom_keys(account).await)
    }

    async fn set_bitzoom_key_status(
        &self,
        api_key: &str,
        status: BitzoomKeyStatus,
    ) -> Result<BitzoomKey, BitzoomKeyError> {
        dispatch!(self, r => r.set_bitzoom_key_status(api_key, status).await)
    }

    async fn reseal_bitzoom_secrets(&self) -> Result<usize, RegistryError> {
        dispatch!(self, r => r.reseal_bitzoom_secrets().await)
    }

    async fn sealed_bitzoom_secrets(&self) -> Result<usize, RegistryError> {
        dispatch!(self, r => r.sealed_bitzoom_secrets().await)
    }
}

impl Registry {
    /// Seals Bitzoom secrets at rest with `sealer` (without one, Bitzoom keys cannot be stored
    /// or read).
    #[must_use]
    pub fn with_sealer(self, sealer: std::sync::Arc<crate::store::SecretSealer>) -> Self {
        match self {
            #[cfg(feature = "redb")]
            Registry::Redb(r) => Registry::Redb(r.with_sealer(sealer)),
            #[cfg(feature = "postgres")]
            Registry::Postgres(r) => Registry::Postgres(Box::new(r.with_sealer(sealer))),
        }
    }
}

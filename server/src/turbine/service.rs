//! The verifier service: what a Turbine-compatible server needs, usable from any framework.

use core::fmt;

use signet_core::turbine::order::{DEFAULT_CHAIN_ID, OrderDomain};
use signet_core::turbine::{AuthError, Claims, KeyStore, Verifier, VerifyConfig};
use signet_core::{Clock, UnixTime};
use signet_std::SystemClock;

use crate::store::{
    Cached, KeyCache, KeySource, MemoryReplayConfig, MemoryReplayStore, OrderLimits, ReplayStore,
};
use crate::turbine::registration_limits::{RegistrationGate, RegistrationLimits};

/// Verifies bearer tokens against a key store and a replay store, and (over a key registry)
/// registers wallets' API keys (see [`crate::turbine::Registration`]) and checks and keeps
/// orders signed in its [`OrderDomain`]. `Send + Sync`: share one per process.
pub struct VerifierService<K> {
    keys: K,
    key_cache: KeyCache,
    replay: ReplayStore,
    config: VerifyConfig,
    order_domain: OrderDomain,
    order_limits: OrderLimits,
    registrations: RegistrationGate,
    relayer: std::sync::Arc<dyn crate::turbine::Relayer>,
    max_relayed_per_owner: usize,
}

fn default_order_domain() -> OrderDomain {
    let contract = OrderDomain::default_contract(DEFAULT_CHAIN_ID)
        .unwrap_or(signet_core::eth::Address::from_bytes([0; 20]));
    OrderDomain::new(DEFAULT_CHAIN_ID, contract)
}

impl<K: fmt::Debug> fmt::Debug for VerifierService<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierService")
            .field("keys", &self.keys)
            .field("replay", &self.replay)
            .field("config", &self.config)
            .field("order_domain", &self.order_domain)
            .finish_non_exhaustive()
    }
}

impl<K> VerifierService<K> {
    /// A service over `keys` with the default settings (300 s window, 60 s skew) and an
    /// in-process replay store of the default size.
    pub fn new(keys: K) -> Self {
        Self::with_config(keys, VerifyConfig::default())
    }

    /// A service with explicit verification settings and the default in-process replay store.
    pub fn with_config(keys: K, config: VerifyConfig) -> Self {
        let store =
            MemoryReplayStore::new(MemoryReplayConfig::default(), SystemClock.now(), config.window_secs);
        Self::with_replay_store(keys, config, ReplayStore::Memory(store))
    }

    /// A service with explicit settings and replay store (e.g. Redis, shared by instances).
    pub fn with_replay_store(keys: K, config: VerifyConfig, replay: ReplayStore) -> Self {
        VerifierService {
            keys,
            key_cache: KeyCache::default(),
            replay,
            config,
            order_domain: default_order_domain(),
            order_limits: OrderLimits::default(),
            registrations: RegistrationGate::new(RegistrationLimits::default()),
            relayer: std::sync::Arc::new(crate::turbine::NoRelayer),
            max_relayed_per_owner: crate::store::DEFAULT_MAX_RELAYED_PER_OWNER,
        }
    }

    /// Hands each accepted permit, approval and redemption to `relayer` (default
    /// [`NoRelayer`](crate::turbine::NoRelayer): signet submits nothing to a chain).
    #[must_use]
    pub fn with_relayer(mut self, relayer: std::sync::Arc<dyn crate::turbine::Relayer>) -> Self {
        self.relayer = relayer;
        self
    }

    /// The relayer accepted messages go to.
    pub fn relayer(&self) -> &dyn crate::turbine::Relayer {
        &*self.relayer
    }

    /// Keeps at most `max` accepted messages per owner (default
    /// [`DEFAULT_MAX_RELAYED_PER_OWNER`](crate::store::DEFAULT_MAX_RELAYED_PER_OWNER)).
    #[must_use]
    pub fn with_max_relayed_per_owner(mut self, max: usize) -> Self {
        self.max_relayed_per_owner = max.max(1);
        self
    }

    /// Most accepted messages kept per owner.
    pub fn max_relayed_per_owner(&self) -> usize {
        self.max_relayed_per_owner
    }

    /// Registers at most so many keys an hour per source address and overall (default
    /// [`RegistrationLimits::default`]); beyond them registration answers 429.
    #[must_use]
    pub fn with_registration_limits(mut self, limits: RegistrationLimits) -> Self {
        self.registrations = RegistrationGate::new(limits);
        self
    }

    pub(crate) fn registrations(&self) -> &RegistrationGate {
        &self.registrations
    }

    /// Refuses (429) an order from a key whose wallet holds `max` open orders (default
    /// [`DEFAULT_MAX_OPEN_ORDERS`](crate::store::DEFAULT_MAX_OPEN_ORDERS)).
    #[must_use]
    pub fn with_max_open_orders(mut self, max: usize) -> Self {
        self.order_limits.max_open = max.max(1);
        self
    }

    /// Keeps orders within `limits` (open and closed per wallet, retention, in all).
    #[must_use]
    pub fn with_order_limits(mut self, limits: OrderLimits) -> Self {
        self.order_limits = OrderLimits { max_open: limits.max_open.max(1), ..limits };
        self
    }

    /// The open-order limit of each key.
    pub fn max_open_orders(&self) -> usize {
        self.order_limits.max_open
    }

    /// How many orders are kept.
    pub fn order_limits(&self) -> &OrderLimits {
        &self.order_limits
    }

    /// Takes orders signed for `domain` (default: chain [`DEFAULT_CHAIN_ID`] and the SDK's
    /// settlement contract there). The posted body carries no chain, so the server must know it.
    #[must_use]
    pub fn with_order_domain(mut self, domain: OrderDomain) -> Self {
        self.order_domain = domain;
        self
    }

    /// The domain orders are checked in.
    pub fn order_domain(&self) -> &OrderDomain {
        &self.order_domain
    }

    /// Trusts looked-up key records for `ttl` (default 1 s; zero disables the cache): the
    /// longest a revocation or expiry made elsewhere takes to reach this service.
    #[must_use]
    pub fn with_key_cache_ttl(mut self, ttl: core::time::Duration) -> Self {
        self.key_cache = KeyCache::new(ttl);
        self
    }

    /// The key cache in front of the key store.
    pub fn key_cache(&self) -> &KeyCache {
        &self.key_cache
    }

    /// The key store.
    pub fn keys(&self) -> &K {
        &self.keys
    }

    /// The replay store.
    pub fn replay_store(&self) -> &ReplayStore {
        &self.replay
    }

    /// The verification settings.
    pub fn config(&self) -> &VerifyConfig {
        &self.config
    }
}

impl<K: KeyStore> VerifierService<K> {
    /// Verifies an `Authorization` header value (`None` if absent) now.
    ///
    /// # Errors
    /// The documented refusal as an [`AuthError`].
    pub fn verify(&self, authorization: Option<&[u8]>) -> Result<Claims, AuthError> {
        self.verify_at(authorization, SystemClock.now())
    }

    /// [`VerifierService::verify`] at a given time.
    ///
    /// # Errors
    /// The documented refusal as an [`AuthError`].
    pub fn verify_at(&self, authorization: Option<&[u8]>, now: UnixTime) -> Result<Claims, AuthError> {
        let keys = Cached { cache: &self.key_cache, store: &self.keys };
        Verifier::with_config(keys, &self.replay, self.config).verify(authorization, now)
    }
}

impl<K: KeySource> VerifierService<K> {
    /// [`VerifierService::verify`] for async servers: the same steps, with the key and replay
    /// stores' I/O awaited rather than blocking a runtime thread.
    ///
    /// # Errors
    /// The documented refusal as an [`AuthError`].
    pub async fn verify_async(&self, authorization: Option<&[u8]>) -> Result<Claims, AuthError> {
        self.verify_async_at(authorization, SystemClock.now()).await
    }

    /// [`VerifierService::verify_async`] at a given time.
    ///
    /// # Errors
    /// The documented refusal as an [`AuthError`].
    pub async fn verify_async_at(
        &self,
        authorization: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<Claims, AuthError> {
        let token = self.config.check_header(authorization, now)?;
        let kid = token.lookup_id()?;
        let record = self
            .key_cache
            .lookup_through_async(&self.keys, kid)
            .await
            .map_err(|_| AuthError::KeyStoreUnavailable)?;
        token.check_key(record.as_ref(), now)?;
        let expires_at = self.config.replay_expiry(&token);
        self.replay
            .check_and_record_async(kid, token.nonce(), token.ts().0.saturating_mul(1000), expires_at, now)
            .await
            .map_err(AuthError::from_replay)?;
        token.claims().ok_or(AuthError::KeyNotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<VerifierService<signet_core::turbine::KeyRing<4>>>();
        assert_send_sync::<VerifierService<crate::Registry>>();
        #[cfg(feature = "redb")]
        assert_send_sync::<VerifierService<crate::store::RedbRegistry>>();
    }
}

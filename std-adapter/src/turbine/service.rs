//! The verifier service: what a Turbine-compatible server needs, usable from any framework.

use core::fmt;

use signet_core::eth::EthError;
use signet_core::{
    AuthError, Claims, Clock, IssuedApiKey, KeyId, KeyStore, UnixTime, Verifier, VerifyConfig,
};

use crate::platform::{SystemClock, os_rng};
use crate::store::key_cache::{Cached, KeyCache};
use crate::store::memory::{MemoryReplayConfig, MemoryReplayStore};
use crate::store::redb::{Entry, RedbRegistry, RegistryError};
use crate::store::replay_store::ReplayStore;

/// Verifies bearer tokens against a key store and a replay store, and (over the persistent
/// registry) registers wallets' API keys. `Send + Sync`: share one per process.
pub struct VerifierService<K = RedbRegistry> {
    keys: K,
    key_cache: KeyCache,
    replay: ReplayStore,
    config: VerifyConfig,
}

impl<K: fmt::Debug> fmt::Debug for VerifierService<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierService")
            .field("keys", &self.keys)
            .field("replay", &self.replay)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<K: KeyStore> VerifierService<K> {
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
        VerifierService { keys, key_cache: KeyCache::default(), replay, config }
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

    /// [`VerifierService::verify`] for async servers: the same steps, with the replay store's
    /// I/O awaited rather than blocking a runtime thread.
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
        let record =
            self.key_cache.lookup_through(&self.keys, kid).map_err(|_| AuthError::KeyStoreUnavailable)?;
        token.check_key(record.as_ref(), now)?;
        let expires_at = self.config.replay_expiry(&token);
        self.replay
            .check_and_record_async(kid, token.nonce(), expires_at, now)
            .await
            .map_err(AuthError::from_replay)?;
        token.claims().ok_or(AuthError::KeyNotFound)
    }
}

/// Why a registration was refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum RegistrationError {
    /// The address or signature is malformed, or the signature is not the wallet's.
    Signature(EthError),
    /// The wallet already has an active key: answer 409 with its id.
    WalletHasKey(KeyId),
    /// The registry failed.
    Registry(RegistryError),
}

impl RegistrationError {
    /// The HTTP status: 400 malformed, 401 wrong signer, 409 existing key, 500 storage.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            RegistrationError::Signature(EthError::SignatureMismatch) => 401,
            RegistrationError::Signature(_) => 400,
            RegistrationError::WalletHasKey(_) => 409,
            RegistrationError::Registry(_) => 500,
        }
    }
}

impl fmt::Display for RegistrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistrationError::Signature(e) => e.fmt(f),
            RegistrationError::WalletHasKey(_) => f.write_str("wallet already has an active API key"),
            RegistrationError::Registry(_) => f.write_str("internal error"),
        }
    }
}

impl core::error::Error for RegistrationError {}

impl VerifierService<RedbRegistry> {
    /// Revokes a key: its next token here is refused with `API key is inactive` (other
    /// instances see it within their cache's lifetime).
    ///
    /// # Errors
    /// [`RegistryError`].
    pub fn revoke(&self, kid: &KeyId) -> Result<Entry, RegistryError> {
        let entry = self.keys.revoke(kid);
        self.key_cache.forget(kid);
        entry
    }

    /// Sets or clears a key's expiry, at once for this service.
    ///
    /// # Errors
    /// [`RegistryError`].
    pub fn set_expiry(&self, kid: &KeyId, expires_at: Option<UnixTime>) -> Result<Entry, RegistryError> {
        let entry = self.keys.set_expiry(kid, expires_at);
        self.key_cache.forget(kid);
        entry
    }

    /// Registers an API key for a wallet that signed the registration message: checks the
    /// signature, issues a key id and Ed25519 key pair, and stores only the public key. The
    /// returned secret goes to the client once.
    ///
    /// # Errors
    /// [`RegistrationError`]; a wallet with an active key gets
    /// [`RegistrationError::WalletHasKey`] carrying the existing id.
    pub fn register(
        &self,
        address: &str,
        signature: &str,
        name: Option<&str>,
    ) -> Result<IssuedApiKey, RegistrationError> {
        self.register_at(address, signature, name, SystemClock.now())
    }

    /// [`VerifierService::register`] at a given time.
    ///
    /// # Errors
    /// As [`VerifierService::register`].
    pub fn register_at(
        &self,
        address: &str,
        signature: &str,
        name: Option<&str>,
        now: UnixTime,
    ) -> Result<IssuedApiKey, RegistrationError> {
        let wallet =
            signet_core::verify_registration(address, signature).map_err(RegistrationError::Signature)?;
        let issued = IssuedApiKey::generate(&mut os_rng());
        let entry = Entry {
            kid: issued.kid.clone(),
            record: issued.record(),
            wallet,
            created_at: now,
            name: name.map(str::to_owned),
        };
        match self.keys.register(&entry, now) {
            Ok(()) => Ok(issued),
            Err(RegistryError::WalletHasKey(kid)) => Err(RegistrationError::WalletHasKey(kid)),
            Err(e) => Err(RegistrationError::Registry(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<VerifierService<RedbRegistry>>();
        assert_send_sync::<VerifierService<signet_core::KeyRing<4>>>();
    }
}

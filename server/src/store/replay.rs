//! The replay store a server verifies against: in this process, or in Redis shared by many.

use signet_core::UnixTime;
use signet_core::turbine::{KeyId, Nonce, ReplayError, ReplayGuard};

use crate::store::memory::{MemoryReplayStore, ReplayStats};
#[cfg(feature = "redis")]
use crate::store::redis::RedisReplayStore;

/// Where accepted tokens' nonces are remembered. `&ReplayStore` is a [`ReplayGuard`] for
/// synchronous callers; servers use [`ReplayStore::check_and_record_async`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ReplayStore {
    /// One process (the default): fast, sized by configuration, journaled to survive restarts.
    Memory(MemoryReplayStore),
    /// Redis: shared by every instance and surviving restarts.
    #[cfg(feature = "redis")]
    Redis(Box<RedisReplayStore>),
}

impl ReplayStore {
    /// Records the nonce of a credential issued at `issued_ms` (Unix milliseconds) without
    /// blocking the async runtime on I/O.
    ///
    /// # Errors
    /// As [`ReplayGuard::check_and_record_issued`].
    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    pub async fn check_and_record_async(
        &self,
        kid: &KeyId,
        nonce: &Nonce,
        issued_ms: i64,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        match self {
            ReplayStore::Memory(store) => store.check_and_record_async(kid, nonce, expires_at, now).await,
            #[cfg(feature = "redis")]
            ReplayStore::Redis(store) => {
                store.check_and_record_async(kid, nonce, issued_ms, expires_at, now).await
            }
        }
    }

    /// Gets the store ready before serving: a Redis store makes its epoch markers (see
    /// [`RedisReplayStore::prepare`]); nothing to do for the memory store.
    ///
    /// # Errors
    /// [`ReplayError::Unavailable`] if Redis cannot be reached (the server may still start: it
    /// refuses with 503 until Redis answers).
    pub async fn prepare(&self) -> Result<(), ReplayError> {
        match self {
            ReplayStore::Memory(_) => Ok(()),
            #[cfg(feature = "redis")]
            ReplayStore::Redis(store) => store.prepare().await,
        }
    }

    /// `memory` or `redis`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            ReplayStore::Memory(_) => "memory",
            #[cfg(feature = "redis")]
            ReplayStore::Redis(_) => "redis",
        }
    }

    /// Occupancy of the in-process store (`None` for Redis, which keeps its own counts).
    #[must_use]
    pub fn stats(&self, now: UnixTime) -> Option<ReplayStats> {
        match self {
            ReplayStore::Memory(store) => Some(store.stats(now)),
            #[cfg(feature = "redis")]
            ReplayStore::Redis(_) => None,
        }
    }

    /// Drops what has passed at `now` from an in-process store (Redis expires keys itself);
    /// call it now and then, e.g. each second, so idle memory is returned.
    pub fn purge(&self, now: UnixTime) {
        match self {
            ReplayStore::Memory(store) => store.purge(now),
            #[cfg(feature = "redis")]
            ReplayStore::Redis(_) => {}
        }
    }

    /// Whether the store can be used now (Redis answers a ping in time).
    pub async fn is_ready(&self) -> bool {
        match self {
            ReplayStore::Memory(_) => true,
            #[cfg(feature = "redis")]
            ReplayStore::Redis(store) => store.ping().await,
        }
    }
}

impl ReplayGuard for &ReplayStore {
    fn check_and_record(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        match self {
            ReplayStore::Memory(store) => {
                let mut guard = store;
                guard.check_and_record(kid, nonce, expires_at, now)
            }
            #[cfg(feature = "redis")]
            ReplayStore::Redis(store) => {
                let mut guard: &RedisReplayStore = store;
                guard.check_and_record(kid, nonce, expires_at, now)
            }
        }
    }

    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    fn check_and_record_issued(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        issued_at_ms: i64,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        match self {
            ReplayStore::Memory(store) => {
                let mut guard = store;
                guard.check_and_record(kid, nonce, expires_at, now)
            }
            #[cfg(feature = "redis")]
            ReplayStore::Redis(store) => {
                let mut guard: &RedisReplayStore = store;
                guard.check_and_record_issued(kid, nonce, issued_at_ms, expires_at, now)
            }
        }
    }
}

//! A replay cache shared by every request thread of a server.

use std::sync::Mutex;

use signet_core::UnixTime;
use signet_core::turbine::{KeyId, Nonce, NonceCache, ReplayError, ReplayGuard};

/// Buckets per shard: 512 buckets of 8 entries, 4096 nonces and 128 KiB per shard.
const SHARD_BUCKETS: usize = 512;

/// The core's fixed-capacity [`NonceCache`] split into independently locked shards, so
/// concurrent requests rarely wait on each other. Shared by reference (`&ShardedReplayCache`
/// is a [`ReplayGuard`]); fails closed like the core cache.
pub struct ShardedReplayCache {
    shards: Box<[Mutex<Box<NonceCache<SHARD_BUCKETS>>>]>,
}

impl ShardedReplayCache {
    /// A cache of `shards` shards (at least one) of 4096 nonces each, seeded from the OS.
    #[must_use]
    pub fn new(shards: usize) -> Self {
        use rand_core::Rng;
        let mut rng = signet_std::os_rng();
        let shards =
            (0..shards.max(1)).map(|_| Mutex::new(Box::new(NonceCache::with_seed(rng.next_u64())))).collect();
        ShardedReplayCache { shards }
    }

    /// Total capacity in nonces.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.shards.len() * NonceCache::<SHARD_BUCKETS>::CAPACITY
    }
}

impl Default for ShardedReplayCache {
    /// Eight shards: 32,768 nonces in 1 MiB.
    fn default() -> Self {
        Self::new(8)
    }
}

impl core::fmt::Debug for ShardedReplayCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ShardedReplayCache").field("shards", &self.shards.len()).finish_non_exhaustive()
    }
}

impl ReplayGuard for &ShardedReplayCache {
    fn check_and_record(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        // The nonce is random, so its first bytes spread requests over the shards; the same
        // nonce always lands in the same shard, where its replay is seen.
        let [a, b, ..] = *nonce.as_bytes();
        let index = usize::from(u16::from_le_bytes([a, b])) % self.shards.len();
        let shard = self.shards.get(index).ok_or(ReplayError::Full)?;
        // A poisoned lock only means another thread panicked elsewhere while holding it; the
        // cache's own updates cannot be left half done, so its state is still sound.
        let mut cache = shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.check_and_record(kid, nonce, expires_at, now)
    }
}

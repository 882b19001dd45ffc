//! A short-lived cache of key records in front of the key store: a verification costs no
//! database read (and no point decompression) in the common case, and a revocation or expiry
//! is seen within the cache's lifetime.

use core::time::Duration;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use signet_core::turbine::{KeyId, KeyRecord, KeyStore, KeyStoreError};

use crate::store::keys::KeySource;

/// How long a looked-up record is trusted: revocation and expiry reach every instance within
/// this time.
pub const DEFAULT_KEY_CACHE_TTL: Duration = Duration::from_secs(1);

/// Most records held per shard; a full shard is emptied (the next lookups go to the store).
const SHARD_ENTRIES: usize = 8_192;
const SHARDS: usize = 16;
/// Most "no such key" answers held per shard (1,024 in all): ids a caller makes up are not
/// remembered beyond this; past it, another unknown id is asked of the store, not cached.
const NEGATIVE_ENTRIES_PER_SHARD: usize = 64;

#[derive(Clone)]
struct Answer {
    record: Option<KeyRecord>,
    fetched: Instant,
}

/// Key records (and "no such key" answers) as the store gave them, for at most `ttl`.
///
/// A lookup within the lifetime of a cached answer is served from memory; an older or missing
/// one asks the store and caches what it says. A store error is never cached: it is returned
/// as is (the verifier then answers 503), while records fetched within the lifetime keep
/// working, so a key store outage only touches keys not looked up in the last `ttl`.
pub struct KeyCache {
    ttl: Duration,
    shards: Box<[Mutex<HashMap<KeyId, Answer>>]>,
    hits: core::sync::atomic::AtomicU64,
    misses: core::sync::atomic::AtomicU64,
}

impl core::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl Default for KeyCache {
    fn default() -> Self {
        Self::new(DEFAULT_KEY_CACHE_TTL)
    }
}

impl KeyCache {
    /// A cache trusting answers for `ttl` (zero: no caching).
    #[must_use]
    pub fn new(ttl: Duration) -> Self {
        KeyCache {
            ttl,
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hits: core::sync::atomic::AtomicU64::new(0),
            misses: core::sync::atomic::AtomicU64::new(0),
        }
    }

    /// How long answers are trusted.
    #[must_use]
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn shard(&self, kid: &KeyId) -> Option<&Mutex<HashMap<KeyId, Answer>>> {
        // FNV-1a of the id; ids are random, and a shard only splits the lock.
        let hash = kid
            .as_str()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        self.shards.get(hash as usize % SHARDS)
    }

    /// The cached answer for `kid`, if fresh.
    #[must_use]
    pub fn get(&self, kid: &KeyId) -> Option<Option<KeyRecord>> {
        let shard = self.shard(kid)?;
        let map = shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let cached = map.get(kid).filter(|c| c.fetched.elapsed() < self.ttl).map(|c| c.record.clone());
        let counter = if cached.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        cached
    }

    /// Remembers the store's answer for `kid`, fetched at `fetched`.
    pub fn put(&self, kid: &KeyId, record: Option<KeyRecord>, fetched: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        let Some(shard) = self.shard(kid) else { return };
        let mut map = shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if record.is_none() && !map.contains_key(kid) {
            let negatives = map.values().filter(|c| c.record.is_none()).count();
            if negatives >= NEGATIVE_ENTRIES_PER_SHARD {
                let ttl = self.ttl;
                map.retain(|_, c| c.record.is_some() || c.fetched.elapsed() < ttl);
                if map.values().filter(|c| c.record.is_none()).count() >= NEGATIVE_ENTRIES_PER_SHARD {
                    return;
                }
            }
        }
        if map.len() >= SHARD_ENTRIES && !map.contains_key(kid) {
            map.retain(|_, c| c.fetched.elapsed() < self.ttl);
            if map.len() >= SHARD_ENTRIES {
                map.clear();
            }
        }
        map.insert(kid.clone(), Answer { record, fetched });
    }

    /// Forgets `kid` (after a change made through this process).
    pub fn forget(&self, kid: &KeyId) {
        if let Some(shard) = self.shard(kid) {
            shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(kid);
        }
    }

    /// The cached answer, or the store's (cached when it is an answer, not an error).
    ///
    /// # Errors
    /// The store's error when the answer is not cached.
    pub fn lookup_through<K: KeyStore + ?Sized>(
        &self,
        store: &K,
        kid: &KeyId,
    ) -> Result<Option<KeyRecord>, KeyStoreError> {
        match self.get(kid) {
            Some(answer) => Ok(answer),
            None => self.remember(kid, Instant::now(), store.lookup(kid)),
        }
    }

    /// [`KeyCache::lookup_through`] for a store that is asked asynchronously.
    ///
    /// # Errors
    /// The store's error when the answer is not cached.
    pub async fn lookup_through_async<K: KeySource + ?Sized>(
        &self,
        store: &K,
        kid: &KeyId,
    ) -> Result<Option<KeyRecord>, KeyStoreError> {
        match self.get(kid) {
            Some(answer) => Ok(answer),
            None => self.remember(kid, Instant::now(), store.lookup_key(kid).await),
        }
    }

    /// Caches an answer fetched at `fetched` and passes it (or the error) on.
    fn remember(
        &self,
        kid: &KeyId,
        fetched: Instant,
        answer: Result<Option<KeyRecord>, KeyStoreError>,
    ) -> Result<Option<KeyRecord>, KeyStoreError> {
        if let Ok(record) = &answer {
            self.put(kid, record.clone(), fetched);
        }
        answer
    }

    /// Lookups served from the cache and lookups that went to the store, so far.
    #[must_use]
    pub fn hits_and_misses(&self) -> (u64, u64) {
        use core::sync::atomic::Ordering::Relaxed;
        (self.hits.load(Relaxed), self.misses.load(Relaxed))
    }
}

/// A key store seen through a cache: what the verifier consults.
pub struct Cached<'a, K: ?Sized> {
    /// The cache.
    pub cache: &'a KeyCache,
    /// The store behind it.
    pub store: &'a K,
}

impl<K: KeyStore + ?Sized> KeyStore for Cached<'_, K> {
    fn lookup(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        self.cache.lookup_through(self.store, kid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;
    use signet_core::ed25519_dalek::SigningKey;

    struct Counting {
        calls: Cell<u32>,
        answer: Result<Option<KeyRecord>, KeyStoreError>,
    }

    impl KeyStore for Counting {
        fn lookup(&self, _: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
            self.calls.set(self.calls.get() + 1);
            self.answer.clone()
        }
    }

    #[test]
    fn answers_are_cached_for_the_ttl_and_errors_never() {
        let kid = KeyId::new("k").unwrap();
        let record = KeyRecord::active(SigningKey::from_bytes(&[1; 32]).verifying_key());
        let cache = KeyCache::new(Duration::from_millis(200));
        let store = Counting { calls: Cell::new(0), answer: Ok(Some(record.clone())) };
        for _ in 0..5 {
            assert_eq!(cache.lookup_through(&store, &kid), Ok(Some(record.clone())));
        }
        assert_eq!(store.calls.get(), 1);
        // The store fails: the cached record keeps working until it is too old.
        let failing = Counting { calls: Cell::new(0), answer: Err(KeyStoreError) };
        assert_eq!(cache.lookup_through(&failing, &kid), Ok(Some(record)));
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(cache.lookup_through(&failing, &kid), Err(KeyStoreError));
        assert_eq!(cache.lookup_through(&failing, &kid), Err(KeyStoreError));
        assert_eq!(failing.calls.get(), 2, "errors are not cached");
        // "No such key" is an answer too.
        let none = Counting { calls: Cell::new(0), answer: Ok(None) };
        assert_eq!(cache.lookup_through(&none, &KeyId::new("x").unwrap()), Ok(None));
        assert_eq!(cache.lookup_through(&none, &KeyId::new("x").unwrap()), Ok(None));
        assert_eq!(none.calls.get(), 1);
        assert_eq!(cache.hits_and_misses(), (6, 4));
    }

    #[test]
    fn made_up_ids_are_remembered_only_a_few_at_a_time() {
        let cache = KeyCache::new(Duration::from_secs(60));
        let none = Counting { calls: Cell::new(0), answer: Ok(None) };
        for i in 0..20_000 {
            let _ = cache.lookup_through(&none, &KeyId::new(&format!("{i:064}")).unwrap());
        }
        let held: usize = cache.shards.iter().map(|s| s.lock().unwrap().len()).sum();
        assert!(held <= SHARDS * NEGATIVE_ENTRIES_PER_SHARD, "{held}");
    }
}

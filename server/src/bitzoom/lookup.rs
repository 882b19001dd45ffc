//! Bitzoom keys as the service sees them: configured ones, and registry ones cached for the key
//! cache's lifetime. Only well-formed ids are looked up, only keys that exist are cached, and
//! "no such key" answers sit in a small bounded set: ids chosen by callers cannot grow memory.

use core::time::Duration;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use signet_core::turbine::KeyId;

use crate::bitzoom::error::BitzoomError;
use crate::bitzoom::keys::BitzoomKey;
use crate::store::BitzoomKeyStore;
use crate::{Registry, VerifierService};

/// Most "no such key" answers remembered (each at most 64 bytes of id): enough to spare the
/// store a flood of one unknown id, too few to matter in memory.
pub const MAX_NEGATIVE_ENTRIES: usize = 1024;

/// Most existing keys cached; past it the cache starts again (a registry this large is read
/// from the store more often, never answered wrongly).
const MAX_POSITIVE_ENTRIES: usize = 100_000;

/// Unknown ids with when each was looked up, and the order they came in (the oldest goes
/// first when the set is full).
#[derive(Default)]
struct Negative {
    order: VecDeque<KeyId>,
    ids: HashMap<KeyId, Instant>,
}

impl Negative {
    fn contains_fresh(&self, id: &KeyId, ttl: Duration) -> bool {
        self.ids.get(id).is_some_and(|at| at.elapsed() < ttl)
    }

    fn insert(&mut self, id: KeyId) {
        if self.ids.insert(id.clone(), Instant::now()).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > MAX_NEGATIVE_ENTRIES {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
    }

    fn remove(&mut self, id: &KeyId) {
        if self.ids.remove(id).is_some() {
            self.order.retain(|k| k != id);
        }
    }
}

/// The service's view of keys.
pub(crate) struct KeyLookup {
    configured: HashMap<String, Arc<BitzoomKey>>,
    store: Option<Arc<VerifierService<Registry>>>,
    ttl: Duration,
    found: Mutex<HashMap<KeyId, (Instant, Arc<BitzoomKey>)>>,
    missing: Mutex<Negative>,
}

impl KeyLookup {
    pub(crate) fn new() -> Self {
        KeyLookup {
            configured: HashMap::new(),
            store: None,
            ttl: crate::store::DEFAULT_KEY_CACHE_TTL,
            found: Mutex::default(),
            missing: Mutex::default(),
        }
    }

    pub(crate) fn add_configured(&mut self, key: BitzoomKey) {
        self.configured.insert(key.api_key.clone(), Arc::new(key));
    }

    pub(crate) fn set_store(&mut self, store: Arc<VerifierService<Registry>>) {
        self.ttl = store.key_cache().ttl();
        self.store = Some(store);
    }

    pub(crate) fn store(&self) -> Option<&Arc<VerifierService<Registry>>> {
        self.store.as_ref()
    }

    /// How long a looked-up key is trusted.
    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The key `api_key`: configured, cached, or read from the registry.
    ///
    /// # Errors
    /// [`BitzoomError::UnknownApiKey`] for an id that cannot be a key id or names no key,
    /// [`BitzoomError::Unavailable`] when the registry cannot answer.
    pub(crate) async fn key(&self, api_key: &str) -> Result<Arc<BitzoomKey>, BitzoomError> {
        // Checked before anything else: at most 64 printable characters, so nothing longer is
        // ever kept, even as a "no such key" answer.
        let id = KeyId::new(api_key).map_err(|_| BitzoomError::UnknownApiKey)?;
        if let Some(key) = self.configured.get(api_key) {
            return Ok(Arc::clone(key));
        }
        let Some(store) = &self.store else { return Err(BitzoomError::UnknownApiKey) };
        let cached =
            lock(&self.found).get(&id).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, k)| Arc::clone(k));
        if let Some(key) = cached {
            return Ok(key);
        }
        if lock(&self.missing).contains_fresh(&id, self.ttl) {
            return Err(BitzoomError::UnknownApiKey);
        }
        match store.keys().bitzoom_key(api_key).await.map_err(|_| BitzoomError::Unavailable)? {
            Some(key) => {
                let key = Arc::new(key);
                let mut found = lock(&self.found);
                if found.len() >= MAX_POSITIVE_ENTRIES {
                    found.clear();
                }
                found.insert(id.clone(), (Instant::now(), Arc::clone(&key)));
                lock(&self.missing).remove(&id);
                Ok(key)
            }
            None => {
                lock(&self.missing).insert(id);
                Err(BitzoomError::UnknownApiKey)
            }
        }
    }

    /// Entries held now: (existing keys, unknown ids).
    pub(crate) fn sizes(&self) -> (usize, usize) {
        (lock(&self.found).len(), lock(&self.missing).order.len())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The maps hold no invariant a panic elsewhere could have broken halfway.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_stay_few() {
        let mut negative = Negative::default();
        for i in 0..(3 * MAX_NEGATIVE_ENTRIES) {
            negative.insert(KeyId::new(&format!("{i:064}")).unwrap());
        }
        assert_eq!((negative.order.len(), negative.ids.len()), (MAX_NEGATIVE_ENTRIES, MAX_NEGATIVE_ENTRIES));
        let last = KeyId::new(&format!("{:064}", 3 * MAX_NEGATIVE_ENTRIES - 1)).unwrap();
        assert!(negative.contains_fresh(&last, Duration::from_secs(1)));
        assert!(
            !negative.contains_fresh(&KeyId::new(&format!("{:064}", 0)).unwrap(), Duration::from_secs(1))
        );
        negative.remove(&last);
        assert!(!negative.contains_fresh(&last, Duration::from_secs(1)));
    }
}

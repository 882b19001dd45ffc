//! The in-process replay store for servers: capacity set by configuration rather than by
//! hash buckets, entries dropped a whole time slice at a time, and a cap per key.

use core::hash::{BuildHasherDefault, Hasher};
use core::sync::atomic::{AtomicUsize, Ordering};
use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use signet_core::UnixTime;
use signet_core::turbine::{KeyId, Nonce, ReplayError, ReplayGuard};
use siphasher::sip128::{Hasher128 as _, SipHasher13};

mod config;
mod journal;
mod shares;
mod slices;

pub use config::{DEFAULT_REPLAY_CAPACITY, MemoryReplayConfig};
use journal::{Journal, Record, Ticket};
use shares::KeyCounts;
use slices::{FingerprintHasher, SLICE_SECS, lock, slice_end};

/// Independently locked shards (a power of two).
const SHARDS: usize = 64;
/// Bytes a remembered nonce takes in a slice's table: a 16-byte fingerprint and a control byte.
const ENTRY_BYTES: usize = 17;

/// What the store holds now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayStats {
    /// Nonces held (including any whose slice has not been dropped yet).
    pub live: usize,
    /// The configured capacity.
    pub capacity: usize,
    /// Bytes of the slices' tables (what they have allocated, not just what they use).
    pub table_bytes: usize,
    /// Nonces reserved for keys with history (see [`MemoryReplayConfig`]).
    pub reserved: usize,
}

type FingerprintSet = HashSet<u128, BuildHasherDefault<FingerprintHasher>>;

/// Nonces whose expiry falls in one slice of [`SLICE_SECS`].
struct Slice {
    id: i64,
    nonces: FingerprintSet,
}

/// One lock's worth of slices, oldest first.
#[derive(Default)]
struct Shard {
    slices: VecDeque<Slice>,
}

impl Shard {
    /// Drops every slice that has wholly expired at `now`; returns how many nonces went.
    fn expire(&mut self, now: UnixTime) -> usize {
        let mut dropped = 0;
        while self.slices.front().is_some_and(|s| slice_end(s.id) < now.0) {
            dropped += self.slices.pop_front().map_or(0, |s| s.nonces.len());
        }
        dropped
    }

    fn contains(&self, fingerprint: u128) -> bool {
        self.slices.iter().any(|s| s.nonces.contains(&fingerprint))
    }

    fn insert(&mut self, id: i64, fingerprint: u128) {
        // Expiries arrive nearly in order, so the slice is at (or near) the back.
        let at = self.slices.iter().rposition(|s| s.id <= id);
        match at {
            Some(i) if self.slices.get(i).is_some_and(|s| s.id == id) => {
                if let Some(slice) = self.slices.get_mut(i) {
                    slice.nonces.insert(fingerprint);
                }
            }
            _ => {
                let mut nonces = FingerprintSet::default();
                nonces.insert(fingerprint);
                self.slices.insert(at.map_or(0, |i| i + 1), Slice { id, nonces });
            }
        }
    }

    fn table_bytes(&self) -> usize {
        self.slices.iter().map(|s| s.nonces.capacity() * ENTRY_BYTES).sum()
    }
}

fn slice_of(expires_at: UnixTime) -> i64 {
    expires_at.0.div_euclid(SLICE_SECS)
}

/// Remembers the nonces of accepted tokens in this process, for one server.
///
/// - **Capacity** is a count of nonces set by configuration ([`MemoryReplayConfig`]); the store
///   refuses (`replay cache full`, fail closed) only when that many are live, never because of
///   where they hash. Tables grow as needed and are freed as their slices expire.
/// - **Expiry** is by slice: nonces are grouped by which 10-second slice their expiry falls in,
///   and a slice is dropped whole once it has passed, so nothing scans entries.
/// - **Fairness**: one key holds at most its reserve (what it held in the previous 300 s, up
///   to `per_key`), or beyond it its share of the capacity ([`MemoryReplayConfig::share`]:
///   `per_key` while half the store is free, less as it fills, never under `floor`); beyond
///   both that key's tokens are refused (`rate limit exceeded`, HTTP 429) and other keys go on.
/// - **Restarts**: a store opened with [`MemoryReplayStore::persistent`] keeps a journal in a
///   folder (each acceptance written before it is answered; see the `journal` module), so a
///   restarted server, even after `kill -9`, reloads what it accepted and still refuses it.
///   A store made with [`MemoryReplayStore::new`] cannot know what an earlier process accepted;
///   it refuses every token stamped before it started, as a possible replay, until those have
///   expired. That is best effort (a token stamped in its first second, or ahead of its clock
///   within the allowed skew, may have been used by a process that stopped a moment before):
///   use a journal or Redis where restarts matter.
///
/// `&MemoryReplayStore` is a [`ReplayGuard`] and may be shared by every request thread.
pub struct MemoryReplayStore {
    shards: Box<[Mutex<Shard>]>,
    keys: KeyCounts,
    sip_key: (u64, u64),
    live: AtomicUsize,
    config: MemoryReplayConfig,
    /// Without a journal: tokens expiring before this predate the store: refused.
    remembers_from: Option<UnixTime>,
    journal: Option<Box<Journal>>,
}

impl core::fmt::Debug for MemoryReplayStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MemoryReplayStore").field("config", &self.config).finish_non_exhaustive()
    }
}

impl MemoryReplayStore {
    /// An empty store without a journal, started at `started`, for tokens valid `window_secs`
    /// after their `ts` (see the restart rule above).
    #[must_use]
    pub fn new(config: MemoryReplayConfig, started: UnixTime, window_secs: u32) -> Self {
        let mut seed = [0u8; 16];
        rand_core::Rng::fill_bytes(&mut signet_std::os_rng(), &mut seed);
        let (a, b) = seed.split_at(8);
        let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().unwrap_or_default());
        let mut store = Self::empty(config, (word(a), word(b)));
        store.remembers_from = Some(started.saturating_add_secs(i64::from(window_secs)));
        store
    }

    /// A store journaled in `dir`, reloading what an earlier process accepted there that is
    /// still live at `now`.
    ///
    /// # Errors
    /// If the folder or its files cannot be read or created.
    pub fn persistent(
        dir: &std::path::Path,
        config: MemoryReplayConfig,
        now: UnixTime,
    ) -> std::io::Result<Self> {
        let (journal, key, records) = Journal::open(dir, now, slice_end)?;
        let mut store = Self::empty(config, key);
        for record in records {
            let id = slice_of(UnixTime(record.expires_at));
            if let Some(shard) = store.shards.get(record.fingerprint as usize % SHARDS) {
                lock(shard).insert(id, record.fingerprint);
                store.live.fetch_add(1, Ordering::Relaxed);
                store.keys.restore(record.key_tag, id, now);
            }
        }
        store.journal = Some(Box::new(journal));
        Ok(store)
    }

    fn empty(config: MemoryReplayConfig, sip_key: (u64, u64)) -> Self {
        MemoryReplayStore {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            keys: KeyCounts::new(SHARDS, config),
            sip_key,
            live: AtomicUsize::new(0),
            config,
            remembers_from: None,
            journal: None,
        }
    }

    /// The settings in force.
    #[must_use]
    pub fn config(&self) -> MemoryReplayConfig {
        self.config
    }

    fn fingerprint(&self, kid: &KeyId, nonce: Option<&Nonce>) -> u128 {
        let mut hasher = SipHasher13::new_with_keys(self.sip_key.0, self.sip_key.1);
        // Length first, so no (kid, nonce) pair can imitate another.
        hasher.write_u8(kid.as_str().len() as u8);
        hasher.write(kid.as_str().as_bytes());
        if let Some(nonce) = nonce {
            hasher.write(nonce.as_bytes());
        }
        u128::from(hasher.finish128())
    }

    /// Drops every slice that has passed at `now`, in every shard (shards also do it whenever
    /// they are used; call this now and then, e.g. each second, so idle memory is returned).
    pub fn purge(&self, now: UnixTime) {
        if let Some(journal) = &self.journal {
            journal.purge(now, slice_end);
        }
        for shard in &self.shards {
            let dropped = lock(shard).expire(now);
            self.live.fetch_sub(dropped, Ordering::Relaxed);
        }
        self.keys.purge(now);
    }

    /// Live nonces, capacity and table memory, after dropping what has passed at `now`.
    #[must_use]
    pub fn stats(&self, now: UnixTime) -> ReplayStats {
        self.purge(now);
        let table_bytes = self.shards.iter().map(|s| lock(s).table_bytes()).sum();
        ReplayStats {
            live: self.live.load(Ordering::Relaxed),
            capacity: self.config.capacity,
            table_bytes,
            reserved: self.keys.reserved(),
        }
    }

    /// Records the nonce, in the order: replay, then the key's reserve, the capacity and the
    /// key's share (the `shares` module); with a journal, the ticket of its staged record.
    fn record(
        &self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<Option<Ticket>, ReplayError> {
        if self.remembers_from.is_some_and(|from| expires_at < from) {
            return Err(ReplayError::Replayed);
        }
        let fingerprint = self.fingerprint(kid, Some(nonce));
        // Low bits pick the shard; the table hashes with all of them.
        let shard = self.shards.get(fingerprint as usize % SHARDS).ok_or(ReplayError::Full)?;
        let mut shard = lock(shard);
        let dropped = shard.expire(now);
        self.live.fetch_sub(dropped, Ordering::Relaxed);
        if shard.contains(fingerprint) {
            return Err(ReplayError::Replayed);
        }
        let live = self.live.fetch_add(1, Ordering::Relaxed);
        let id = slice_of(expires_at);
        // The upper half of the key-only fingerprint.
        let key_tag = (self.fingerprint(kid, None) >> 64) as u64;
        if let Err(e) = self.keys.admit(key_tag, id, now, live) {
            self.live.fetch_sub(1, Ordering::Relaxed);
            return Err(e);
        }
        // Staged for the journal (when there is one) and remembered now, so a replay arriving
        // before the write is refused too. If the write then fails the token is refused and
        // its nonce stays remembered: it was never accepted, and cannot be later.
        let ticket = self
            .journal
            .as_ref()
            .map(|journal| journal.stage(id, Record { fingerprint, key_tag, expires_at: expires_at.0 }));
        shard.insert(id, fingerprint);
        Ok(ticket)
    }

    /// `Ok` once the staged record of `ticket` is on disk (on the way to it, what else is
    /// staged is written too); a journal that cannot be written refuses.
    fn commit(&self, ticket: Option<Ticket>) -> Result<(), ReplayError> {
        match (&self.journal, ticket) {
            (Some(journal), Some(ticket)) => journal.commit(ticket).map_err(|_| ReplayError::Unavailable),
            _ => Ok(()),
        }
    }

    /// [`ReplayGuard::check_and_record`] for an async server: the journal record is staged,
    /// the task lets the others ready on its thread run (staging theirs), and the first to
    /// resume writes them all in one `write` (a group commit). Returns once this record is on
    /// disk, as the synchronous call does.
    ///
    /// # Errors
    /// As [`ReplayGuard::check_and_record`].
    pub async fn check_and_record_async(
        &self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        let ticket = self.record(kid, nonce, expires_at, now)?;
        if ticket.is_some() {
            // Behind the tasks already ready, before the next poll of the sockets.
            let mut yielded = false;
            core::future::poll_fn(|cx| {
                if yielded {
                    return core::task::Poll::Ready(());
                }
                yielded = true;
                cx.waker().wake_by_ref();
                core::task::Poll::Pending
            })
            .await;
        }
        self.commit(ticket)
    }
}

impl ReplayGuard for &MemoryReplayStore {
    fn check_and_record(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        let ticket = self.record(kid, nonce, expires_at, now)?;
        self.commit(ticket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(capacity: usize, per_key: usize) -> MemoryReplayStore {
        MemoryReplayStore::new(MemoryReplayConfig { capacity, per_key, floor: 1 }, UnixTime(0), 300)
    }

    fn n(i: u32) -> Nonce {
        let mut bytes = [0u8; 16];
        bytes[..4].copy_from_slice(&i.to_le_bytes());
        Nonce::from_bytes(bytes)
    }

    #[test]
    fn tokens_checked_in_one_round_share_one_journal_write() {
        use core::task::{Context, Poll, Waker};
        let dir = tempfile::tempdir().unwrap();
        let config = MemoryReplayConfig { capacity: 100, per_key: 100, floor: 1 };
        let (now, expires) = (UnixTime(1_000), UnixTime(1_200));
        let s = MemoryReplayStore::persistent(dir.path(), config, now).unwrap();
        let kid = KeyId::new("a").unwrap();
        let (one, two) = (n(1), n(2));
        let mut a = core::pin::pin!(s.check_and_record_async(&kid, &one, expires, now));
        let mut b = core::pin::pin!(s.check_and_record_async(&kid, &two, expires, now));
        let mut cx = Context::from_waker(Waker::noop());
        // Each stages its record and lets the other run.
        assert!(a.as_mut().poll(&mut cx).is_pending());
        assert!(b.as_mut().poll(&mut cx).is_pending());
        // Not yet on disk, and not yet accepted, but a replay is already refused.
        let mut guard = &s;
        assert_eq!(guard.check_and_record(&kid, &one, expires, now), Err(ReplayError::Replayed));
        assert_eq!(s.journal.as_deref().map(Journal::batches), Some(0));
        assert_eq!(a.as_mut().poll(&mut cx), Poll::Ready(Ok(())));
        assert_eq!(b.as_mut().poll(&mut cx), Poll::Ready(Ok(())));
        assert_eq!(s.journal.as_deref().map(Journal::batches), Some(1));
        // Both survive a restart.
        let again = MemoryReplayStore::persistent(dir.path(), config, now).unwrap();
        let mut guard = &again;
        for nonce in [&one, &two] {
            assert_eq!(guard.check_and_record(&kid, nonce, expires, now), Err(ReplayError::Replayed));
        }
    }

    #[test]
    fn replay_capacity_shrinking_shares_floor_and_slices() {
        let s = store(10, 4);
        let now = UnixTime(1_000);
        let mut guard = &s;
        let a = KeyId::new("a").unwrap();
        for i in 0..4 {
            assert_eq!(guard.check_and_record(&a, &n(i), UnixTime(1_300), now), Ok(()));
        }
        assert_eq!(guard.check_and_record(&a, &n(0), UnixTime(1_300), now), Err(ReplayError::Replayed));
        assert_eq!(guard.check_and_record(&a, &n(9), UnixTime(1_300), now), Err(ReplayError::RateLimited));
        // Each next key may hold less as the room shrinks (4 while half is free, then 4 × 2 ×
        // free / capacity), never under the floor (1); then the store is full.
        let mut got = Vec::new();
        for k in 0..5u32 {
            let kid = KeyId::new(&format!("k{k}")).unwrap();
            let taken = (0..4)
                .take_while(|&i| {
                    let expires = UnixTime(1_300 + i64::from(i) * 20);
                    guard.check_and_record(&kid, &n(i), expires, now).is_ok()
                })
                .count();
            got.push(taken);
        }
        assert_eq!(got, [3, 1, 1, 1, 0]);
        let late = KeyId::new("late").unwrap();
        assert_eq!(guard.check_and_record(&late, &n(0), UnixTime(1_300), now), Err(ReplayError::Full));
        assert_eq!(s.stats(now).live, 10);
        // Slices go whole once passed (k0's 1,320 and 1,340 stay); room and shares come back.
        assert_eq!(s.stats(UnixTime(1_310)).live, 2);
        assert_eq!(guard.check_and_record(&a, &n(9), UnixTime(1_610), UnixTime(1_310)), Ok(()));
        let end = s.stats(UnixTime(2_000));
        assert_eq!((end.live, end.table_bytes), (0, 0));
    }

    #[test]
    fn tokens_from_before_the_start_are_refused_until_they_expire() {
        let s = MemoryReplayStore::new(MemoryReplayConfig::default(), UnixTime(10_000), 300);
        let k = KeyId::new("k").unwrap();
        let mut guard = &s;
        // Stamped before the start: may have been used by the last process.
        assert_eq!(
            guard.check_and_record(&k, &n(1), UnixTime(10_299), UnixTime(10_001)),
            Err(ReplayError::Replayed)
        );
        assert_eq!(guard.check_and_record(&k, &n(2), UnixTime(10_300), UnixTime(10_001)), Ok(()));
    }

    #[test]
    fn a_persistent_store_remembers_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let config = MemoryReplayConfig { capacity: 100, per_key: 3, floor: 1 };
        let now = UnixTime(1_000);
        let k = KeyId::new("k").unwrap();
        {
            let s = MemoryReplayStore::persistent(dir.path(), config, now).unwrap();
            let mut guard = &s;
            for i in 0..3 {
                assert_eq!(guard.check_and_record(&k, &n(i), UnixTime(1_300), now), Ok(()));
            }
        }
        let s = MemoryReplayStore::persistent(dir.path(), config, UnixTime(1_001)).unwrap();
        let mut guard = &s;
        assert_eq!(
            guard.check_and_record(&k, &n(0), UnixTime(1_300), UnixTime(1_001)),
            Err(ReplayError::Replayed)
        );
        // The key's share is remembered too.
        assert_eq!(
            guard.check_and_record(&k, &n(7), UnixTime(1_301), UnixTime(1_001)),
            Err(ReplayError::RateLimited)
        );
        assert_eq!(s.stats(UnixTime(1_001)).live, 3);
        // Once expired, the journal files go.
        assert_eq!(s.stats(UnixTime(2_000)).live, 0);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "only the key is left");
    }
}

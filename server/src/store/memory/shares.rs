//! Each key's share of the store: its live nonces counted per time slice, a share of the free
//! room that shrinks as the store fills, and a reserve for keys with history.
//!
//! **Why both.** Anyone can register keys, so any per-key bound alone is multiplied by however
//! many keys one party holds (the third review: nine self-registered keys at an eighth each
//! filled the store and every other key got 503 for minutes). A share that shrinks with the
//! free room makes each new key take less, but keys arriving one after another still each take
//! a fraction of what is left, so enough of them (about 40 at the defaults) empty it. So a key
//! that was in use before keeps a **reserve**: up to the most it held in the previous epoch
//! (300 s), at most `per_key`, granted from a pool of a quarter of the capacity, renewals
//! first. Its tokens within the reserve are taken even when the shared room is full: the store
//! may then hold up to 1.25× its capacity (memory grows before an established key is refused).
//! Keys without a reserve (new ones, the attacker's included) share the capacity, and its last
//! sixteenth only up to their floor: a key new to an attack still gets its floor until that
//! many keys (256 at the defaults) each hold theirs.

use core::hash::BuildHasherDefault;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use signet_core::UnixTime;
use signet_core::turbine::ReplayError;

use super::config::MemoryReplayConfig;
use super::slices::{FingerprintHasher, lock, slice_end};

/// Seconds of an epoch: the history a reserve is earned over (a token's window).
const EPOCH_SECS: i64 = 300;

/// One key's counts.
#[derive(Default)]
struct KeyState {
    /// Live nonces by expiry slice, oldest first.
    slices: VecDeque<(i64, usize)>,
    /// Their sum.
    live: usize,
    /// The epoch `peak` is of.
    epoch: i64,
    /// The most live nonces held in `epoch`.
    peak: usize,
    /// Nonces this key may hold whatever others do, granted for `epoch`.
    reserve: usize,
}

impl KeyState {
    fn expire(&mut self, now: UnixTime) {
        while let Some(&(s, n)) = self.slices.front() {
            if slice_end(s) >= now.0 {
                break;
            }
            self.slices.pop_front();
            self.live = self.live.saturating_sub(n);
        }
    }

    fn add(&mut self, id: i64) {
        match self.slices.iter_mut().find(|(s, _)| *s == id) {
            Some((_, n)) => *n += 1,
            None => {
                let at = self.slices.iter().position(|&(s, _)| s > id).unwrap_or(self.slices.len());
                self.slices.insert(at, (id, 1));
            }
        }
        self.live += 1;
        self.peak = self.peak.max(self.live);
    }
}

/// One lock's worth of keys.
#[derive(Default)]
struct KeyShard {
    keys: HashMap<u64, KeyState, BuildHasherDefault<FingerprintHasher>>,
}

/// Every key's counts and reserves, in independently locked shards.
pub(super) struct KeyCounts {
    shards: Box<[Mutex<KeyShard>]>,
    /// Reserves granted, in all.
    reserved: AtomicUsize,
    config: MemoryReplayConfig,
}

fn epoch_of(now: UnixTime) -> i64 {
    now.0.div_euclid(EPOCH_SECS)
}

impl KeyCounts {
    pub(super) fn new(shards: usize, config: MemoryReplayConfig) -> Self {
        KeyCounts {
            shards: (0..shards.max(1)).map(|_| Mutex::default()).collect(),
            reserved: AtomicUsize::new(0),
            config,
        }
    }

    fn shard(&self, tag: u64) -> Option<&Mutex<KeyShard>> {
        self.shards.get(tag as usize % self.shards.len())
    }

    /// Moves `key` into `epoch`: its reserve becomes what it held at most in the epoch before
    /// (nothing after an idle epoch), within `per_key` and what the pool has left.
    fn roll(&self, key: &mut KeyState, epoch: i64) {
        if key.epoch == epoch {
            return;
        }
        let earned = if key.epoch == epoch - 1 { key.peak.min(self.config.per_key) } else { 0 };
        let pool = self.config.reserve_pool();
        let old = key.reserve;
        let mut granted = 0;
        let _ = self.reserved.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |total| {
            let others = total.saturating_sub(old);
            granted = earned.min(pool.saturating_sub(others));
            Some(others + granted)
        });
        key.reserve = granted;
        key.epoch = epoch;
        key.peak = key.live;
    }

    /// Admits one more live nonce for the key `tag` in slice `id` when `live` nonces are held
    /// in all: within the key's reserve while the store is under 1.25× its capacity, else
    /// within its share of the capacity ([`MemoryReplayConfig::share`]).
    ///
    /// # Errors
    /// [`ReplayError::RateLimited`] beyond the key's share, [`ReplayError::Full`] when the
    /// store is full for it.
    pub(super) fn admit(&self, tag: u64, id: i64, now: UnixTime, live: usize) -> Result<(), ReplayError> {
        let shard = self.shard(tag).ok_or(ReplayError::Full)?;
        let mut shard = lock(shard);
        let key = shard.keys.entry(tag).or_default();
        key.expire(now);
        self.roll(key, epoch_of(now));
        if key.live < key.reserve {
            if live >= self.config.hard_capacity() {
                return Err(ReplayError::Full);
            }
        } else if live >= self.config.capacity
            || (key.live >= self.config.floor && live >= self.config.shared_capacity())
        {
            return Err(ReplayError::Full);
        } else if key.live >= self.config.share(live) {
            return Err(ReplayError::RateLimited);
        }
        key.add(id);
        Ok(())
    }

    /// Counts a nonce reloaded from the journal, without any check.
    pub(super) fn restore(&self, tag: u64, id: i64, now: UnixTime) {
        if let Some(shard) = self.shard(tag) {
            let mut shard = lock(shard);
            let key = shard.keys.entry(tag).or_default();
            key.epoch = epoch_of(now);
            key.add(id);
        }
    }

    /// Drops the counts of every slice that has passed at `now`; moves every key into the
    /// epoch of `now`, those that held a reserve first (so a key in steady use keeps its
    /// reserve however many new keys earned one); forgets keys with nothing left.
    pub(super) fn purge(&self, now: UnixTime) {
        let epoch = epoch_of(now);
        for renewals in [true, false] {
            for shard in &*self.shards {
                let mut shard = lock(shard);
                for key in shard.keys.values_mut() {
                    if (key.reserve > 0) == renewals {
                        key.expire(now);
                        self.roll(key, epoch);
                    }
                }
            }
        }
        for shard in &*self.shards {
            let mut shard = lock(shard);
            shard.keys.retain(|_, key| key.live > 0 || key.reserve > 0 || key.peak > 0);
            shard.keys.shrink_to_fit();
        }
    }

    /// Reserves granted now, in all.
    pub(super) fn reserved(&self) -> usize {
        self.reserved.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(capacity: usize, per_key: usize) -> KeyCounts {
        KeyCounts::new(4, MemoryReplayConfig { capacity, per_key, floor: 1 })
    }

    #[test]
    fn a_key_keeps_what_it_held_last_epoch_within_the_pool_renewals_first() {
        let c = counts(400, 80);
        let t = UnixTime(3_000); // epoch 10
        for i in 0..50 {
            c.admit(1, 310, t, i).unwrap();
        }
        c.purge(UnixTime(3_300)); // epoch 11: key 1 earned 50
        assert_eq!(c.reserved(), 50);
        // Within its reserve, key 1 passes even when the shared room is full.
        let later = UnixTime(3_320);
        assert_eq!(c.admit(1, 340, later, 400), Ok(()));
        assert_eq!(c.admit(2, 340, later, 400), Err(ReplayError::Full));
        // Idle for an epoch: the reserve goes back to the pool.
        c.purge(UnixTime(3_900));
        c.purge(UnixTime(4_200));
        assert_eq!(c.reserved(), 0);
    }
}

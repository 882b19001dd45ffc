//! The fixed-capacity replay cache for devices and firmware-class verifiers: no allocation,
//! fails closed, fills to near its capacity.

use core::fmt;

use crate::time::UnixTime;
use crate::turbine::key_id::KeyId;
use crate::turbine::nonce::Nonce;
use crate::turbine::replay::{ReplayError, ReplayGuard};

/// Entries per bucket of a [`NonceCache`].
pub const NONCE_CACHE_WAYS: usize = 8;

/// Most slots the relocation search of one insertion visits: both buckets of the new nonce
/// (16 slots), then the buckets their occupants could move to (128 more). Bounds the search's
/// stack (8 bytes a slot) and time.
const MAX_SEARCH: usize = 2 * NONCE_CACHE_WAYS * (1 + NONCE_CACHE_WAYS);

/// One remembered nonce. 32 bytes: the nonce, a 64-bit fingerprint of the key id, the expiry.
///
/// The fingerprint keeps nonces apart per key without storing 64-byte ids. Two ids that share
/// a fingerprint only matter if their tokens also share a random 128-bit nonce. Stored
/// fingerprints are odd, so 0 marks an empty slot without reserving any expiry time.
#[derive(Clone, Copy)]
struct Entry {
    nonce: [u8; 16],
    kid_tag: u64,
    expires_at: i64,
}

const EMPTY: Entry = Entry { nonce: [0; 16], kid_tag: 0, expires_at: i64::MIN };

impl Entry {
    /// Whether the slot holds a nonce that is still within its window at `now`.
    fn is_live(&self, now: UnixTime) -> bool {
        self.kid_tag != 0 && self.expires_at >= now.0
    }
}

/// A slot the relocation search reached: where it is and which slot's occupant led there.
#[derive(Clone, Copy)]
struct Step {
    bucket: u32,
    slot: u8,
    parent: u16,
}

const ROOT: u16 = u16::MAX;

/// A fixed-capacity [`ReplayGuard`]: `BUCKETS` buckets of [`NONCE_CACHE_WAYS`] entries.
///
/// **Memory:** 32 bytes per entry, so `BUCKETS * 256` bytes plus 32; `NonceCache<512>` holds
/// 4096 nonces in 128 KiB. Size it for the peak number of tokens accepted within one window
/// (300 s plus the allowed clock skew).
///
/// **Capacity:** every nonce may live in either of two buckets, chosen by SipHash-1-3 of the
/// key id's fingerprint and the nonce under a secret key, so nobody who lacks the seed can aim
/// nonces at a bucket. When both buckets are full, live entries are moved to their other
/// bucket (cuckoo hashing, a bounded breadth-first search of up to two moves) to make room.
/// Only when that fails is the nonce refused with [`ReplayError::Full`]: the cache fails
/// closed and never evicts a live nonce. Measured with random nonces, the first refusal comes
/// at 97 % of the capacity or more (the `first_refusal_comes_near_capacity` test); a check
/// touches two buckets, so its cost does not grow with capacity.
///
/// **Clock jumps:** an expired entry is overwritten when its slot is needed. If the clock
/// jumped ahead and back, a token still inside its window could have lost its entry; so the
/// cache remembers the latest expiry it has overwritten and refuses, as a replay, any token
/// that expires no later (with a clock that only moves forward, no fresh token ever does).
#[derive(Clone)]
pub struct NonceCache<const BUCKETS: usize> {
    buckets: [[Entry; NONCE_CACHE_WAYS]; BUCKETS],
    key: (u64, u64),
    forgotten_until: Option<i64>,
}

impl<const BUCKETS: usize> NonceCache<BUCKETS> {
    /// Total number of entries.
    pub const CAPACITY: usize = BUCKETS * NONCE_CACHE_WAYS;

    /// An empty cache whose bucket choice is keyed by `seed`.
    ///
    /// Pass a random seed (e.g. from the platform CSPRNG) so that nobody can aim many nonces
    /// at one bucket; the cache is correct with any seed.
    #[must_use]
    pub const fn with_seed(seed: u64) -> Self {
        const { assert!(BUCKETS > 0 && BUCKETS <= u32::MAX as usize, "1 to 2^32 - 1 buckets") };
        NonceCache {
            buckets: [[EMPTY; NONCE_CACHE_WAYS]; BUCKETS],
            key: (mix(seed), mix(seed ^ 0x9e37_79b9_7f4a_7c15)),
            forgotten_until: None,
        }
    }

    /// An empty cache with a fixed seed (see [`NonceCache::with_seed`]).
    #[must_use]
    pub const fn new() -> Self {
        Self::with_seed(0x5157_4e45_5400_0001)
    }

    /// Number of entries live at `now`.
    #[must_use]
    pub fn live_entries(&self, now: UnixTime) -> usize {
        self.buckets.iter().flatten().filter(|e| e.is_live(now)).count()
    }

    /// The two buckets an entry may live in (equal only with a single bucket).
    fn buckets_of(&self, kid_tag: u64, nonce: &[u8; 16]) -> (usize, usize) {
        use core::hash::Hasher as _;
        use siphasher::sip128::Hasher128 as _;
        let mut hasher = siphasher::sip128::SipHasher13::new_with_keys(self.key.0, self.key.1);
        hasher.write(&kid_tag.to_le_bytes());
        hasher.write(nonce);
        let hash = hasher.finish128();
        // BUCKETS fits u32 (checked at compile time), so the remainders fit usize.
        let n = BUCKETS as u64;
        let first = hash.h1 % n;
        let second = if n == 1 { first } else { (first + 1 + hash.h2 % (n - 1)) % n };
        (first as usize, second as usize)
    }

    /// The other bucket of the entry that lives in `bucket`.
    fn other_bucket(&self, entry: &Entry, bucket: usize) -> usize {
        let (first, second) = self.buckets_of(entry.kid_tag, &entry.nonce);
        if first == bucket { second } else { first }
    }

    fn entry(&self, bucket: usize, slot: usize) -> Option<&Entry> {
        self.buckets.get(bucket)?.get(slot)
    }

    fn free_slot(&self, bucket: usize, now: UnixTime) -> Option<usize> {
        self.buckets.get(bucket)?.iter().position(|e| !e.is_live(now))
    }

    /// Writes `entry` over a slot that holds no live nonce, remembering what it forgets.
    fn put(&mut self, bucket: usize, slot: usize, entry: Entry) {
        if let Some(old) = self.buckets.get_mut(bucket).and_then(|b| b.get_mut(slot)) {
            if old.kid_tag != 0 {
                self.forgotten_until = self.forgotten_until.max(Some(old.expires_at));
            }
            *old = entry;
        }
    }

    /// Finds a chain of at most two moves that frees a slot in `first` or `second`, performs
    /// it, and returns the freed slot. Every live entry stays in one of its two buckets.
    ///
    /// Out of line: its 1 KiB search list is on the stack only when both buckets are full.
    #[inline(never)]
    fn make_room(&mut self, first: usize, second: usize, now: UnixTime) -> Option<(usize, usize)> {
        let mut steps = [Step { bucket: 0, slot: 0, parent: ROOT }; MAX_SEARCH];
        let mut len = 0usize;
        let roots = if first == second { 1 } else { 2 };
        for bucket in [first, second].into_iter().take(roots) {
            for slot in 0..NONCE_CACHE_WAYS {
                *steps.get_mut(len)? = Step { bucket: bucket as u32, slot: slot as u8, parent: ROOT };
                len += 1;
            }
        }
        let mut next = 0usize;
        while next < len {
            let step = *steps.get(next)?;
            let here = step.bucket as usize;
            let entry = *self.entry(here, usize::from(step.slot))?;
            let there = self.other_bucket(&entry, here);
            if let Some(free) = self.free_slot(there, now) {
                return self.shift_along(&steps, next, (there, free));
            }
            // Roots may move one level further, into buckets other than the two roots' (so no
            // slot is on a path twice); their occupants then look for a free slot only.
            if step.parent == ROOT && there != first && there != second {
                for slot in 0..NONCE_CACHE_WAYS {
                    let Some(child) = steps.get_mut(len) else { break };
                    *child = Step { bucket: there as u32, slot: slot as u8, parent: next as u16 };
                    len += 1;
                }
            }
            next += 1;
        }
        None
    }

    /// Moves the occupant of each step on the path ending at `last` one step towards `free`,
    /// leaf first, and returns the root slot, now free.
    fn shift_along(&mut self, steps: &[Step], last: usize, free: (usize, usize)) -> Option<(usize, usize)> {
        let mut target = free;
        let mut at = last;
        loop {
            let step = *steps.get(at)?;
            let from = (step.bucket as usize, usize::from(step.slot));
            let moving = *self.entry(from.0, from.1)?;
            self.put(target.0, target.1, moving);
            if let Some(slot) = self.buckets.get_mut(from.0).and_then(|b| b.get_mut(from.1)) {
                // Vacated by a move, not forgotten: the entry lives on at `target`.
                *slot = EMPTY;
            }
            target = from;
            if step.parent == ROOT {
                return Some(target);
            }
            at = usize::from(step.parent);
        }
    }
}

impl<const BUCKETS: usize> Default for NonceCache<BUCKETS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BUCKETS: usize> fmt::Debug for NonceCache<BUCKETS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonceCache").field("capacity", &Self::CAPACITY).finish_non_exhaustive()
    }
}

impl<const BUCKETS: usize> ReplayGuard for NonceCache<BUCKETS> {
    fn check_and_record(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        if self.forgotten_until.is_some_and(|t| expires_at.0 <= t) {
            // Its entry may have been overwritten while the clock ran ahead.
            return Err(ReplayError::Replayed);
        }
        let kid_tag = fnv1a(kid.as_str().as_bytes());
        let nonce = nonce.as_bytes();
        let (first, second) = self.buckets_of(kid_tag, nonce);
        for bucket in [first, second] {
            let bucket = self.buckets.get(bucket).ok_or(ReplayError::Full)?;
            if bucket.iter().any(|e| e.is_live(now) && e.kid_tag == kid_tag && &e.nonce == nonce) {
                return Err(ReplayError::Replayed);
            }
        }
        let slot = match (self.free_slot(first, now), self.free_slot(second, now)) {
            (Some(slot), _) => (first, slot),
            (None, Some(slot)) => (second, slot),
            (None, None) => self.make_room(first, second, now).ok_or(ReplayError::Full)?,
        };
        self.put(slot.0, slot.1, Entry { nonce: *nonce, kid_tag, expires_at: expires_at.0 });
        Ok(())
    }
}

/// 64-bit FNV-1a, made odd: a cheap, stable, never-zero fingerprint of a key id.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)) | 1
}

/// The SplitMix64 finaliser: turns a seed into a SipHash key half.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kid(s: &str) -> KeyId {
        KeyId::new(s).unwrap()
    }

    fn nonce(i: u8) -> Nonce {
        Nonce::from_bytes([i; 16])
    }

    #[test]
    fn refuses_a_live_replay_and_accepts_after_expiry() {
        let mut cache = NonceCache::<4>::new();
        let (k, n) = (kid("k"), nonce(1));
        assert_eq!(cache.check_and_record(&k, &n, UnixTime(400), UnixTime(100)), Ok(()));
        assert_eq!(cache.check_and_record(&k, &n, UnixTime(400), UnixTime(400)), Err(ReplayError::Replayed));
        assert_eq!(cache.check_and_record(&k, &n, UnixTime(701), UnixTime(401)), Ok(()));
    }

    #[test]
    fn works_at_the_ends_of_time() {
        // Found by fuzzing: an expiry sentinel made every empty slot look live at i64::MIN.
        let mut cache = NonceCache::<1>::new();
        let (k, n) = (kid("k"), nonce(3));
        let min = UnixTime(i64::MIN);
        assert_eq!(cache.check_and_record(&k, &n, min, min), Ok(()));
        assert_eq!(cache.check_and_record(&k, &n, min, min), Err(ReplayError::Replayed));
        let max = UnixTime(i64::MAX);
        assert_eq!(cache.check_and_record(&k, &nonce(4), max, max), Ok(()));
        assert_eq!(cache.check_and_record(&k, &nonce(4), max, max), Err(ReplayError::Replayed));
    }

    #[test]
    fn nonces_are_per_key() {
        let mut cache = NonceCache::<4>::new();
        let n = nonce(9);
        assert_eq!(cache.check_and_record(&kid("a"), &n, UnixTime(10), UnixTime(0)), Ok(()));
        assert_eq!(cache.check_and_record(&kid("b"), &n, UnixTime(10), UnixTime(0)), Ok(()));
    }

    #[test]
    fn fails_closed_when_full_then_recovers() {
        let mut cache = NonceCache::<1>::new();
        let k = kid("k");
        for i in 0..NONCE_CACHE_WAYS as u8 {
            assert_eq!(cache.check_and_record(&k, &nonce(i), UnixTime(300), UnixTime(0)), Ok(()));
        }
        assert_eq!(
            cache.check_and_record(&k, &nonce(200), UnixTime(300), UnixTime(0)),
            Err(ReplayError::Full)
        );
        // Still remembers every live nonce.
        for i in 0..NONCE_CACHE_WAYS as u8 {
            assert_eq!(
                cache.check_and_record(&k, &nonce(i), UnixTime(300), UnixTime(300)),
                Err(ReplayError::Replayed)
            );
        }
        assert_eq!(cache.check_and_record(&k, &nonce(200), UnixTime(601), UnixTime(301)), Ok(()));
        assert_eq!(cache.live_entries(UnixTime(301)), 1);
    }

    #[test]
    fn crafted_nonces_cannot_fill_a_bucket() {
        // The first cache mixed `lo ^ rotl(hi, 29)` with the seed only after combining, so
        // nonces with equal `lo ^ rotl(hi, 29)` shared a bucket whatever the seed.
        let mut cache = NonceCache::<512>::with_seed(0x0123_4567_89ab_cdef);
        let k = kid("k");
        for i in 0..64u64 {
            let hi = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let lo = hi.rotate_left(29) ^ 0x5555;
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&lo.to_le_bytes());
            bytes[8..].copy_from_slice(&hi.to_le_bytes());
            let n = Nonce::from_bytes(bytes);
            assert_eq!(cache.check_and_record(&k, &n, UnixTime(300), UnixTime(0)), Ok(()), "nonce {i}");
        }
    }

    /// Random nonces into an empty cache until the first refusal; returns how many fitted.
    fn first_refusal<const B: usize>(seed: u64) -> usize {
        let mut cache = std::boxed::Box::new(NonceCache::<B>::with_seed(seed));
        let mut state = seed ^ 0xdead_beef;
        let k = kid("k");
        for accepted in 0.. {
            state = mix(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&state.to_le_bytes());
            bytes[8..].copy_from_slice(&mix(state).to_le_bytes());
            match cache.check_and_record(&k, &Nonce::from_bytes(bytes), UnixTime(300), UnixTime(0)) {
                Ok(()) => {}
                Err(e) => {
                    assert_eq!(e, ReplayError::Full);
                    assert_eq!(cache.live_entries(UnixTime(0)), accepted, "every accepted nonce is kept");
                    return accepted;
                }
            }
        }
        unreachable!()
    }

    #[test]
    fn first_refusal_comes_near_capacity() {
        // The README states the minimum of this measurement; run with --nocapture to see it.
        let mut fractions: std::vec::Vec<f64> = (1..=20u64)
            .map(|seed| first_refusal::<512>(seed) as f64 / NonceCache::<512>::CAPACITY as f64)
            .collect();
        fractions.sort_by(f64::total_cmp);
        std::println!(
            "NonceCache<512> ({} nonces): first refusal at min {:.4}, median {:.4}, max {:.4} of capacity",
            NonceCache::<512>::CAPACITY,
            fractions[0],
            fractions[10],
            fractions[19]
        );
        assert!(fractions[0] >= 0.97, "{fractions:?}");
    }

    #[test]
    fn a_clock_that_jumps_ahead_and_back_does_not_reopen_a_used_nonce() {
        let mut cache = NonceCache::<1>::new();
        let k = kid("k");
        assert_eq!(cache.check_and_record(&k, &nonce(1), UnixTime(1300), UnixTime(1000)), Ok(()));
        assert_eq!(cache.check_and_record(&k, &nonce(2), UnixTime(1010), UnixTime(1000)), Ok(()));
        // The clock jumps ahead: the first nonce's slot is reused.
        assert_eq!(cache.check_and_record(&k, &nonce(3), UnixTime(2300), UnixTime(2000)), Ok(()));
        // And back: its token is inside its window again, and a slot is free, but it was used.
        assert_eq!(
            cache.check_and_record(&k, &nonce(1), UnixTime(1300), UnixTime(1100)),
            Err(ReplayError::Replayed)
        );
        // A token made after the jump back is accepted.
        assert_eq!(cache.check_and_record(&k, &nonce(4), UnixTime(1400), UnixTime(1100)), Ok(()));
    }
}

//! Replay protection: each (key id, nonce) is accepted once within the token window.

use core::fmt;

use crate::time::UnixTime;
use crate::turbine::key_id::KeyId;
use crate::turbine::nonce::Nonce;

/// Why a nonce could not be recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayError {
    /// The same key id and nonce were seen and are still within their window.
    Replayed,
    /// No room is left for the nonce without forgetting a live one, so it is refused.
    Full,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReplayError::Replayed => "token already used",
            ReplayError::Full => "replay cache full",
        })
    }
}

impl core::error::Error for ReplayError {}

/// Remembers the nonces of accepted tokens until they expire.
///
/// The verifier calls it last, after the signature has verified, so only holders of registered
/// keys can fill it.
pub trait ReplayGuard {
    /// Records `(kid, nonce)` as used until `expires_at` (inclusive), at time `now`.
    ///
    /// # Errors
    /// [`ReplayError::Replayed`] if the pair is recorded and live; [`ReplayError::Full`] if it
    /// cannot be recorded without forgetting a live entry. Implementations must fail closed.
    fn check_and_record(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError>;
}

impl<R: ReplayGuard + ?Sized> ReplayGuard for &mut R {
    fn check_and_record(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        (**self).check_and_record(kid, nonce, expires_at, now)
    }
}

/// Entries per bucket of a [`NonceCache`].
pub const NONCE_CACHE_WAYS: usize = 8;

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

/// A fixed-capacity [`ReplayGuard`]: `BUCKETS` buckets of [`NONCE_CACHE_WAYS`] entries.
///
/// **Memory:** 32 bytes per entry, so `BUCKETS * 256` bytes plus 8; `NonceCache<512>` holds
/// 4096 nonces in 128 KiB. Size it for the peak number of tokens accepted within one window
/// (300 s plus the allowed clock skew).
///
/// **Capacity:** a nonce goes to one bucket, chosen by a seeded hash of the nonce and key id;
/// an expired entry in the bucket is reused. When all entries of that bucket are live the nonce is
/// refused with [`ReplayError::Full`]: the cache fails closed and never evicts a live nonce.
/// Each check touches one bucket, so its cost does not grow with capacity.
#[derive(Clone)]
pub struct NonceCache<const BUCKETS: usize> {
    buckets: [[Entry; NONCE_CACHE_WAYS]; BUCKETS],
    seed: u64,
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
        const { assert!(BUCKETS > 0, "a nonce cache needs at least one bucket") };
        NonceCache { buckets: [[EMPTY; NONCE_CACHE_WAYS]; BUCKETS], seed }
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

    fn bucket_index(&self, kid_tag: u64, nonce: &[u8; 16]) -> usize {
        let (lo, hi) = nonce.split_at(8);
        let lo = u64::from_le_bytes(lo.try_into().unwrap_or_default());
        let hi = u64::from_le_bytes(hi.try_into().unwrap_or_default());
        let h = mix(lo ^ hi.rotate_left(29) ^ kid_tag ^ self.seed);
        // BUCKETS > 0 (checked at compile time) and the remainder fits in usize.
        (h % BUCKETS as u64) as usize
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
        let kid_tag = fnv1a(kid.as_str().as_bytes());
        let nonce = nonce.as_bytes();
        let index = self.bucket_index(kid_tag, nonce);
        let bucket = self.buckets.get_mut(index).ok_or(ReplayError::Full)?;
        let mut free = None;
        for (i, entry) in bucket.iter().enumerate() {
            let live = entry.is_live(now);
            if live && entry.kid_tag == kid_tag && &entry.nonce == nonce {
                return Err(ReplayError::Replayed);
            }
            if !live && free.is_none() {
                free = Some(i);
            }
        }
        let slot = free.and_then(|i| bucket.get_mut(i)).ok_or(ReplayError::Full)?;
        *slot = Entry { nonce: *nonce, kid_tag, expires_at: expires_at.0 };
        Ok(())
    }
}

/// 64-bit FNV-1a, made odd: a cheap, stable, never-zero fingerprint of a key id.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)) | 1
}

/// The SplitMix64 finaliser: spreads every input bit over the bucket index.
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
}

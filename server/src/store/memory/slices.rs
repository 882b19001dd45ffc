//! What the memory replay store and its per-key counts share: time slices of expiry, the
//! hasher of fingerprints that are already keyed hashes, and poison-proof locking.

use core::hash::Hasher;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Seconds of expiry each slice covers; a slice is dropped once all of it has passed.
pub(super) const SLICE_SECS: i64 = 10;

/// The last second of slice `id`.
pub(super) fn slice_end(id: i64) -> i64 {
    id.saturating_mul(SLICE_SECS).saturating_add(SLICE_SECS - 1)
}

/// A poisoned lock only means another thread panicked while holding it; every update of the
/// store completes before its lock is released, so the state is still sound.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Hashes a 128-bit fingerprint by taking its bits: fingerprints are already keyed SipHash
/// outputs, so hashing them again would only cost time (and nobody can aim them).
#[derive(Default)]
pub(super) struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word.iter_mut().zip(chunk).for_each(|(w, b)| *w = *b);
            self.0 = self.0.rotate_left(29) ^ u64::from_le_bytes(word);
        }
    }

    fn write_u128(&mut self, value: u128) {
        // Truncation on purpose: both halves are uniformly random.
        self.0 = (value as u64) ^ ((value >> 64) as u64);
    }
}

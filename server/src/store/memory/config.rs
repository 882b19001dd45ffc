//! How big the memory replay store is and how it shares its room between keys.

/// Default capacity: 4 Mi nonces, more than 10,000 tokens a second over a 300 s window and
/// 60 s of allowed skew (3.6 M). Measured at about 26 bytes a nonce (`tests/replay_memory.rs`),
/// so about 102 MiB when full.
pub const DEFAULT_REPLAY_CAPACITY: usize = 4 << 20;

/// Settings of a [`MemoryReplayStore`](super::MemoryReplayStore).
///
/// A key may hold up to `per_key` live nonces while at least half the capacity is free; as the
/// store fills, every key's share shrinks with the free room (a quarter free: half a share),
/// but never below `floor`, and the last sixteenth of the capacity is only for keys below
/// their floor. A key in use in the previous 300 s also keeps a reserve (what it
/// held then, at most `per_key`, from a pool of a quarter of the capacity) that no other key
/// can take: within it the store holds up to [`MemoryReplayConfig::hard_capacity`].
/// docs/security.md has the numbers an attacker with many keys then needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryReplayConfig {
    /// Most live nonces held; beyond it tokens are refused with `replay cache full`.
    pub capacity: usize,
    /// Most live nonces of one key while the store is at most half full; beyond a key's
    /// current share its tokens are refused with `rate limit exceeded` (429) while every other
    /// key goes on. Default: an eighth of the capacity (524,288: about 1,450 tokens a second
    /// sustained for one key).
    pub per_key: usize,
    /// Live nonces every key may hold however full the store is (while any room is left).
    /// Default: capacity / 4,096 (1,024: about 2.8 tokens a second sustained).
    pub floor: usize,
}

impl MemoryReplayConfig {
    /// `capacity` with the default share (an eighth) and floor (1/4,096, at least one).
    #[must_use]
    pub const fn sized(capacity: usize) -> Self {
        let per_key = if capacity / 8 > 0 { capacity / 8 } else { 1 };
        let floor = if capacity / 4096 > 0 { capacity / 4096 } else { 1 };
        MemoryReplayConfig { capacity, per_key, floor }
    }

    /// The most live nonces a key may hold beyond its reserve while `live` nonces are held in
    /// all: `per_key` while half the capacity is free, then shrinking with the free room,
    /// never below `floor`.
    #[must_use]
    pub fn share(&self, live: usize) -> usize {
        let free = self.capacity.saturating_sub(live);
        let shrunk = if free.saturating_mul(2) >= self.capacity {
            self.per_key
        } else {
            // per_key × 2·free / capacity, in 128 bits (no overflow for any usize).
            let scaled = (self.per_key as u128) * (free as u128) * 2 / (self.capacity.max(1) as u128);
            usize::try_from(scaled).unwrap_or(self.per_key)
        };
        shrunk.max(self.floor)
    }
}

impl MemoryReplayConfig {
    /// Reserves granted at most, in all: a quarter of the capacity.
    #[must_use]
    pub const fn reserve_pool(&self) -> usize {
        self.capacity / 4
    }

    /// Live nonces beyond which a key holding its floor is refused: the last sixteenth of the
    /// capacity is kept for keys below theirs (new keys).
    #[must_use]
    pub const fn shared_capacity(&self) -> usize {
        self.capacity - self.capacity / 16
    }

    /// Most live nonces ever held: the capacity and the reserve pool beyond it.
    #[must_use]
    pub const fn hard_capacity(&self) -> usize {
        self.capacity.saturating_add(self.reserve_pool())
    }
}

impl Default for MemoryReplayConfig {
    fn default() -> Self {
        Self::sized(DEFAULT_REPLAY_CAPACITY)
    }
}

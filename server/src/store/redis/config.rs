//! What a Redis replay store is told.

use core::time::Duration;

/// Default time allowed for each call to Redis before the request is refused (503).
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(100);

/// Settings of a [`RedisReplayStore`](crate::store::RedisReplayStore).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisReplayConfig {
    /// Prepended to every key (`<prefix>:{<kid>}:<nonce>`), so services can share a Redis.
    pub prefix: String,
    /// Most live nonces of one key (as [`MemoryReplayConfig::per_key`](crate::store::MemoryReplayConfig::per_key)).
    pub per_key: usize,
    /// Time allowed for each call; slower or unreachable Redis means 503, never acceptance.
    pub timeout: Duration,
    /// Replicas that must acknowledge each recorded nonce (`WAIT`) before its token is
    /// accepted; 0 (the default) waits for none.
    pub replicas: usize,
    /// Time their acknowledgement may take; beyond it the request is refused (503).
    pub replica_wait: Duration,
}

impl Default for RedisReplayConfig {
    fn default() -> Self {
        RedisReplayConfig {
            prefix: "signet".to_owned(),
            per_key: crate::store::memory::DEFAULT_REPLAY_CAPACITY / 8,
            timeout: DEFAULT_REDIS_TIMEOUT,
            replicas: 0,
            replica_wait: Duration::from_millis(50),
        }
    }
}

//! Where `signet serve` remembers used tokens: the `--replay-*` flags.

use core::time::Duration;
use std::path::Path;

use clap::Args;
use signet_core::Clock;
use signet_std::SystemClock;
use signet_std::store::{
    MemoryReplayConfig, MemoryReplayStore, RedisReplayConfig, RedisReplayStore, ReplayStore,
};

/// Where the server remembers used tokens.
#[derive(Args, Clone, Debug)]
pub struct ReplayArgs {
    /// `memory` (this process, journaled in the data folder; the default) or
    /// `redis://HOST:PORT[/DB]` (shared by every instance).
    #[arg(
        long = "replay-store",
        env = "SIGNET_REPLAY_STORE",
        default_value = "memory",
        hide_env_values = true
    )]
    pub store: String,
    /// Most live nonces the memory store holds (default 4,194,304: over 10,000 tokens a second
    /// for the 300 s window and 60 s of skew; about 102 MiB when full).
    #[arg(long = "replay-capacity", env = "SIGNET_REPLAY_CAPACITY", default_value_t = signet_std::store::DEFAULT_REPLAY_CAPACITY)]
    pub capacity: usize,
    /// Most live nonces of one key, with either store; beyond it that key gets 429 (default:
    /// an eighth of the memory capacity).
    #[arg(long = "replay-per-key", env = "SIGNET_REPLAY_PER_KEY")]
    pub per_key: Option<usize>,
    /// Prefix of the Redis keys, so services can share one Redis.
    #[arg(long = "replay-prefix", env = "SIGNET_REPLAY_PREFIX", default_value = "signet")]
    pub prefix: String,
    /// Milliseconds allowed for each Redis call before the request is refused with 503.
    #[arg(long = "replay-timeout-ms", env = "SIGNET_REPLAY_TIMEOUT_MS", default_value_t = 100)]
    pub timeout_ms: u64,
}

impl Default for ReplayArgs {
    fn default() -> Self {
        ReplayArgs {
            store: "memory".into(),
            capacity: signet_std::store::DEFAULT_REPLAY_CAPACITY,
            per_key: None,
            prefix: "signet".into(),
            timeout_ms: 100,
        }
    }
}

impl ReplayArgs {
    /// The store these settings describe; the memory store journals in `data/replay`.
    ///
    /// # Errors
    /// If `--replay-store` is neither `memory` nor a Redis URL, or the journal cannot be opened.
    pub fn open(&self, data: &Path) -> Result<ReplayStore, Box<dyn core::error::Error>> {
        let per_key = self.per_key.unwrap_or(self.capacity / 8).max(1);
        if self.store == "memory" {
            let config = MemoryReplayConfig { capacity: self.capacity, per_key };
            let dir = data.join("replay");
            let store = MemoryReplayStore::persistent(&dir, config, SystemClock.now())
                .map_err(|e| format!("replay journal {}: {e}", dir.display()))?;
            return Ok(ReplayStore::Memory(store));
        }
        if !self.store.starts_with("redis://") && !self.store.starts_with("rediss://") {
            return Err("--replay-store takes memory or redis://HOST:PORT[/DB]".into());
        }
        let config = RedisReplayConfig {
            prefix: self.prefix.clone(),
            per_key,
            timeout: Duration::from_millis(self.timeout_ms.max(1)),
        };
        // The URL's error may quote it (with a password): say only what kind of error.
        let store = RedisReplayStore::open(&self.store, config)
            .map_err(|e| format!("--replay-store: {:?}", e.kind()))?;
        Ok(ReplayStore::Redis(Box::new(store)))
    }
}

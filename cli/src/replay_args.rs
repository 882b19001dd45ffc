//! Where `signet serve` remembers used tokens: the `--replay-*` flags.

use core::time::Duration;

use clap::Args;
use signet_server::serve::ReplayOptions;
use signet_server::store::DEFAULT_REPLAY_CAPACITY;

/// Where the server remembers used tokens.
#[derive(Args, Clone, Debug)]
pub struct ReplayArgs {
    /// `memory` (this process, journaled in the data folder; the default),
    /// `redis://HOST:PORT[/DB]` (shared by every instance) or
    /// `redis-cluster://HOST:PORT,HOST:PORT,…` (a Redis Cluster, any of its nodes).
    #[arg(
        long = "replay-store",
        env = "SIGNET_REPLAY_STORE",
        default_value = "memory",
        hide_env_values = true
    )]
    pub store: String,
    /// Most live nonces the memory store holds (default 4,194,304: over 10,000 tokens a second
    /// for the 300 s window and 60 s of skew; about 102 MiB when full).
    #[arg(long = "replay-capacity", env = "SIGNET_REPLAY_CAPACITY", default_value_t = DEFAULT_REPLAY_CAPACITY)]
    pub capacity: usize,
    /// Most live nonces of one key, with either store; beyond it that key gets 429 (default:
    /// an eighth of the memory capacity). The memory store shrinks every key's share as it
    /// fills past half, so that no set of keys can fill it.
    #[arg(long = "replay-per-key", env = "SIGNET_REPLAY_PER_KEY")]
    pub per_key: Option<usize>,
    /// Live nonces every key may hold in the memory store however full it is (default:
    /// capacity / 4,096, i.e. 1,024: about 2.8 tokens a second sustained).
    #[arg(long = "replay-floor", env = "SIGNET_REPLAY_FLOOR")]
    pub floor: Option<usize>,
    /// Prefix of the Redis keys, so services can share one Redis.
    #[arg(long = "replay-prefix", env = "SIGNET_REPLAY_PREFIX", default_value = "signet")]
    pub prefix: String,
    /// Milliseconds allowed for each Redis call before the request is refused with 503.
    #[arg(long = "replay-timeout-ms", env = "SIGNET_REPLAY_TIMEOUT_MS", default_value_t = 100)]
    pub timeout_ms: u64,
    /// Redis replicas that must acknowledge each accepted nonce (WAIT) before the token is
    /// accepted, so a failover cannot forget it; 0 waits for none.
    #[arg(long = "replay-redis-replicas", env = "SIGNET_REPLAY_REDIS_REPLICAS", default_value_t = 0)]
    pub redis_replicas: usize,
    /// Milliseconds the replicas' acknowledgement may take; beyond it the request is refused
    /// with 503 (never accepted).
    #[arg(long = "replay-redis-wait-ms", env = "SIGNET_REPLAY_REDIS_WAIT_MS", default_value_t = 50)]
    pub redis_wait_ms: u64,
}

impl ReplayArgs {
    /// The library's settings for these flags.
    pub fn options(&self) -> ReplayOptions {
        ReplayOptions {
            store: self.store.clone(),
            capacity: self.capacity,
            per_key: self.per_key,
            floor: self.floor,
            prefix: self.prefix.clone(),
            timeout: Duration::from_millis(self.timeout_ms.max(1)),
            redis_replicas: self.redis_replicas,
            redis_wait: Duration::from_millis(self.redis_wait_ms.max(1)),
        }
    }
}

//! The shared replay store: Redis, so that every verifier instance behind a load balancer, and
//! every instance after a restart, refuses a token any of them accepted.

use core::time::Duration;
use std::sync::{Mutex, OnceLock};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use signet_core::UnixTime;
use signet_core::turbine::{KeyId, Nonce, ReplayError, ReplayGuard};

/// Seconds of expiry each per-key counter slice covers (as the in-process store's slices).
const SLICE_SECS: i64 = 10;

/// Default time allowed for each call to Redis before the request is refused (503).
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(100);

/// Counts one more live nonce for a key, unless it holds its share already. One key (a hash of
/// slice id -> count), so it is safe for Redis Cluster. ARGV: the slice id, the oldest slice
/// still live, the cap, and when the hash may go (ms since the epoch).
const RATE_SCRIPT: &str = r"
local fields = redis.call('HGETALL', KEYS[1])
local total = 0
local oldest = tonumber(ARGV[2])
for i = 1, #fields, 2 do
  if tonumber(fields[i]) < oldest then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    total = total + tonumber(fields[i + 1])
  end
end
if total >= tonumber(ARGV[3]) then
  return 0
end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if redis.call('PEXPIRETIME', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('PEXPIREAT', KEYS[1], ARGV[4])
end
return 1
";

/// Settings of a [`RedisReplayStore`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisReplayConfig {
    /// Prepended to every key (`<prefix>:{<kid>}:<nonce>`), so services can share a Redis.
    pub prefix: String,
    /// Most live nonces of one key (as [`MemoryReplayConfig::per_key`](crate::store::MemoryReplayConfig::per_key)).
    pub per_key: usize,
    /// Time allowed for each call; slower or unreachable Redis means 503, never acceptance.
    pub timeout: Duration,
}

impl Default for RedisReplayConfig {
    fn default() -> Self {
        RedisReplayConfig {
            prefix: "signet".to_owned(),
            per_key: crate::store::memory::DEFAULT_REPLAY_CAPACITY / 8,
            timeout: DEFAULT_REDIS_TIMEOUT,
        }
    }
}

/// Replay state in Redis: one `SET <prefix>:{<kid>}:<nonce> 1 NX PXAT <expiry ms>` per token
/// (atomic, so two instances racing one token cannot both win), then the key's counter.
///
/// Keys carry the key id in braces, a Redis Cluster hash tag: each operation touches one key,
/// and a key's nonces and counter live on one node. A refused replay is not counted against
/// the key, so replaying someone's captured token cannot use up their share. Every call is
/// bounded by the timeout; errors and timeouts are [`ReplayError::Unavailable`]. The async
/// path (servers) goes through a connection manager that reconnects by itself; the sync path
/// ([`ReplayGuard`] on `&RedisReplayStore`, for threads without a runtime) keeps one
/// connection and opens a new one after any failure, so Redis coming back heals both without
/// a restart.
pub struct RedisReplayStore {
    client: redis::Client,
    config: RedisReplayConfig,
    manager: OnceLock<Result<ConnectionManager, String>>,
    sync: Mutex<Option<redis::Connection>>,
    rate: redis::Script,
}

impl core::fmt::Debug for RedisReplayStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The URL may carry a password: never printed.
        f.debug_struct("RedisReplayStore").field("prefix", &self.config.prefix).finish_non_exhaustive()
    }
}

/// The keys and arguments of one check.
struct Call {
    nonce_key: String,
    rate_key: String,
    expiry_ms: i64,
    slice: i64,
    oldest: i64,
    rate_expiry_ms: i64,
}

impl RedisReplayStore {
    /// A store on the Redis at `url` (`redis://HOST:PORT[/DB]`). Connects on first use.
    ///
    /// # Errors
    /// If `url` is not a Redis URL.
    pub fn open(url: &str, config: RedisReplayConfig) -> Result<Self, redis::RedisError> {
        Ok(RedisReplayStore {
            client: redis::Client::open(url)?,
            config,
            manager: OnceLock::new(),
            sync: Mutex::new(None),
            rate: redis::Script::new(RATE_SCRIPT),
        })
    }

    /// The settings in force.
    #[must_use]
    pub fn config(&self) -> &RedisReplayConfig {
        &self.config
    }

    fn call(&self, kid: &KeyId, nonce: &Nonce, expires_at: UnixTime, now: UnixTime) -> Call {
        let slice = expires_at.0.div_euclid(SLICE_SECS);
        let slice_end_ms = slice.saturating_add(1).saturating_mul(SLICE_SECS).saturating_mul(1000);
        let prefix = &self.config.prefix;
        Call {
            nonce_key: format!("{prefix}:{{{kid}}}:{nonce}"),
            rate_key: format!("{prefix}:{{{kid}}}:rate"),
            // Live through the last second of the window, as the other stores keep it.
            expiry_ms: expires_at.0.saturating_add(1).saturating_mul(1000),
            slice,
            oldest: now.0.div_euclid(SLICE_SECS),
            rate_expiry_ms: slice_end_ms,
        }
    }

    fn set_nx(call: &Call) -> redis::Cmd {
        let mut cmd = redis::cmd("SET");
        cmd.arg(&call.nonce_key).arg(1).arg("NX").arg("PXAT").arg(call.expiry_ms);
        cmd
    }

    async fn manager(&self) -> Result<ConnectionManager, ReplayError> {
        let created = self.manager.get_or_init(|| {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(self.config.timeout))
                .set_response_timeout(Some(self.config.timeout))
                .set_number_of_retries(1)
                .set_min_delay(Duration::from_millis(10))
                .set_max_delay(Duration::from_millis(200));
            ConnectionManager::new_lazy_with_config(self.client.clone(), config).map_err(|e| e.to_string())
        });
        created.clone().map_err(|_| ReplayError::Unavailable)
    }

    /// Records the nonce, from async code (a server's request handler).
    ///
    /// # Errors
    /// [`ReplayError::Replayed`], [`ReplayError::RateLimited`], or
    /// [`ReplayError::Unavailable`] when Redis fails or takes longer than the timeout.
    pub async fn check_and_record_async(
        &self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        let call = self.call(kid, nonce, expires_at, now);
        let work = async {
            let mut conn = self.manager().await?;
            let set: Option<String> =
                Self::set_nx(&call).query_async(&mut conn).await.map_err(|_| ReplayError::Unavailable)?;
            if set.is_none() {
                return Err(ReplayError::Replayed);
            }
            let allowed: i64 = self
                .rate
                .key(&call.rate_key)
                .arg(call.slice)
                .arg(call.oldest)
                .arg(self.config.per_key)
                .arg(call.rate_expiry_ms)
                .invoke_async(&mut conn)
                .await
                .map_err(|_| ReplayError::Unavailable)?;
            if allowed == 0 {
                // Not accepted, so not remembered: the key's share is not spent on it.
                let _: Result<i64, _> = redis::cmd("DEL").arg(&call.nonce_key).query_async(&mut conn).await;
                return Err(ReplayError::RateLimited);
            }
            Ok(())
        };
        tokio::time::timeout(self.config.timeout, work).await.unwrap_or(Err(ReplayError::Unavailable))
    }

    /// Whether Redis answers a `PING` within the timeout (for readiness checks).
    pub async fn ping(&self) -> bool {
        let work = async {
            let mut conn = self.manager().await.ok()?;
            redis::cmd("PING").query_async::<String>(&mut conn).await.ok()
        };
        matches!(tokio::time::timeout(self.config.timeout, work).await, Ok(Some(_)))
    }

    fn record_blocking(&self, call: &Call) -> Result<(), ReplayError> {
        let mut slot = self.sync.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.is_none() {
            let conn = self
                .client
                .get_connection_with_timeout(self.config.timeout)
                .map_err(|_| ReplayError::Unavailable)?;
            conn.set_read_timeout(Some(self.config.timeout)).map_err(|_| ReplayError::Unavailable)?;
            conn.set_write_timeout(Some(self.config.timeout)).map_err(|_| ReplayError::Unavailable)?;
            *slot = Some(conn);
        }
        let conn = slot.as_mut().ok_or(ReplayError::Unavailable)?;
        let outcome = (|| -> redis::RedisResult<Result<(), ReplayError>> {
            let set: Option<String> = Self::set_nx(call).query(conn)?;
            if set.is_none() {
                return Ok(Err(ReplayError::Replayed));
            }
            let allowed: i64 = self
                .rate
                .key(&call.rate_key)
                .arg(call.slice)
                .arg(call.oldest)
                .arg(self.config.per_key)
                .arg(call.rate_expiry_ms)
                .invoke(conn)?;
            if allowed == 0 {
                let _: i64 = redis::cmd("DEL").arg(&call.nonce_key).query(conn)?;
                return Ok(Err(ReplayError::RateLimited));
            }
            Ok(Ok(()))
        })();
        match outcome {
            Ok(answer) => answer,
            Err(_) => {
                // A broken or timed-out connection is not reused.
                *slot = None;
                Err(ReplayError::Unavailable)
            }
        }
    }
}

impl ReplayGuard for &RedisReplayStore {
    fn check_and_record(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        self.record_blocking(&self.call(kid, nonce, expires_at, now))
    }
}

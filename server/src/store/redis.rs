//! The shared replay store: Redis (one server, or a Redis Cluster), so that every verifier
//! instance behind a load balancer, and every instance after a restart, refuses a token any of
//! them accepted, and Redis's own faults do not reopen them:
//!
//! - **a Redis that may have lost data** (restarted empty or from an older snapshot, AOF or
//!   backup, flushed, a replica promoted) is noticed through epoch markers that name the Redis
//!   process that wrote them ([`markers`], [`script`]): credentials issued before the new epoch
//!   are refused as possibly used (`token already used`), fresh ones pass at once;
//! - **a failover** loses nothing acknowledged when `replicas` is set: each accepted nonce waits
//!   for that many replicas (`WAIT`), and a missing acknowledgement is a refusal (503), never an
//!   acceptance;
//! - **Redis Cluster** (`redis-cluster://host:port,host:port,…`) through redis-rs's cluster
//!   client: each check touches one slot (the key id is the hash tag), MOVED, ASK and failovers
//!   are followed by the client, and a slot without a master means 503.

mod call;
mod config;
mod connection;
mod markers;
mod script;

use core::time::Duration;

use signet_core::UnixTime;
use signet_core::turbine::{KeyId, Nonce, ReplayError, ReplayGuard};

use call::Call;
pub use config::{DEFAULT_REDIS_TIMEOUT, RedisReplayConfig};
use connection::Connections;

/// Seconds of expiry each per-key counter slice covers (as the in-process store's slices).
const SLICE_SECS: i64 = 10;

/// Replay state in Redis: per token one script that checks the epoch marker of its slot, then
/// `SET <prefix>:{<kid>}:<nonce> 1 NX PXAT <expiry ms>` (atomic, so two instances racing one
/// token cannot both win), then the key's share; with `replicas`, a `WAIT` on the node that
/// holds the key.
///
/// A refused replay is not counted against the key, so replaying someone's captured token
/// cannot use up their share. Every call is bounded by the timeout; errors and timeouts are
/// [`ReplayError::Unavailable`]. A failed connection is replaced by the next call (reading, for
/// one Redis, which process it now reaches), so Redis coming back heals the store without a
/// restart. The
/// synchronous path ([`ReplayGuard`] on `&RedisReplayStore`, for threads without a runtime)
/// keeps a connection of its own and opens a new one after any failure.
pub struct RedisReplayStore {
    connections: Connections,
    config: RedisReplayConfig,
    check: redis::Script,
    lost: core::sync::atomic::AtomicU64,
}

impl core::fmt::Debug for RedisReplayStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The URL may carry a password: never printed.
        f.debug_struct("RedisReplayStore")
            .field("prefix", &self.config.prefix)
            .field("cluster", &self.connections.is_cluster())
            .finish_non_exhaustive()
    }
}

impl RedisReplayStore {
    /// A store on `url`: `redis://HOST:PORT[/DB]` (or `rediss://`) for one Redis,
    /// `redis-cluster://HOST:PORT,HOST:PORT,…` for a Redis Cluster (any of its nodes; the
    /// client learns the rest). Connects on first use.
    ///
    /// # Errors
    /// If `url` is not such a URL.
    pub fn open(url: &str, config: RedisReplayConfig) -> Result<Self, redis::RedisError> {
        Ok(RedisReplayStore {
            connections: Connections::open(url, &config)?,
            config,
            check: redis::Script::new(if url.starts_with("redis-cluster://") {
                script::CLUSTER_CHECK_SCRIPT
            } else {
                script::SINGLE_CHECK_SCRIPT
            }),
            lost: core::sync::atomic::AtomicU64::new(0),
        })
    }

    /// The settings in force.
    #[must_use]
    pub fn config(&self) -> &RedisReplayConfig {
        &self.config
    }

    /// Whether this is a Redis Cluster.
    #[must_use]
    pub fn is_cluster(&self) -> bool {
        self.connections.is_cluster()
    }

    /// Times a check started a new epoch: its marker was missing or written by another Redis
    /// process (a restart, a failover, lost data, or markers never made:
    /// [`RedisReplayStore::prepare`]).
    #[must_use]
    pub fn data_losses_seen(&self) -> u64 {
        self.lost.load(core::sync::atomic::Ordering::Relaxed)
    }

    fn call(&self, kid: &KeyId, nonce: &Nonce, issued_ms: i64, expires_at: UnixTime, now: UnixTime) -> Call {
        let slice = expires_at.0.div_euclid(SLICE_SECS);
        let slice_end_ms = slice.saturating_add(1).saturating_mul(SLICE_SECS).saturating_mul(1000);
        let prefix = &self.config.prefix;
        let nonce_key = format!("{prefix}:{{{kid}}}:{nonce}");
        Call {
            // A single Redis's marker is named after the process a connection reaches.
            marker_key: if self.is_cluster() {
                markers::marker_for(prefix, &nonce_key)
            } else {
                String::new()
            },
            nonce_key,
            rate_key: format!("{prefix}:{{{kid}}}:rate"),
            // Live through the last second of the window, as the other stores keep it.
            expiry_ms: expires_at.0.saturating_add(1).saturating_mul(1000),
            slice,
            oldest: now.0.div_euclid(SLICE_SECS),
            rate_expiry_ms: slice_end_ms,
            issued_secs: issued_ms.div_euclid(1000),
        }
    }

    /// What the script's answer means.
    fn outcome(&self, answer: i64) -> Result<(), ReplayError> {
        match answer {
            1 => Ok(()),
            3 => {
                self.lost.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
                tracing::warn!(
                    "Redis had no epoch marker of its own here (new, restarted, failed over, or its data was lost): a new epoch starts now"
                );
                Ok(())
            }
            0 => Err(ReplayError::Replayed),
            2 => Err(ReplayError::RateLimited),
            -2 => {
                self.lost.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
                tracing::warn!(
                    "Redis restarted or lost its replay data (an epoch marker was missing or another process's): credentials issued before now are refused"
                );
                Err(ReplayError::Replayed)
            }
            // Issued before the data began: it may have been used and forgotten.
            -1 => Err(ReplayError::Replayed),
            _ => Err(ReplayError::Unavailable),
        }
    }

    /// Makes the epoch markers that are missing (one, or one per cluster slot), so that a
    /// marker missing later means lost data. A server calls it at start; until it succeeds,
    /// the first check of each slot starts its epoch (refusing only what was issued before).
    ///
    /// # Errors
    /// [`ReplayError::Unavailable`] if Redis cannot be reached.
    pub async fn prepare(&self) -> Result<(), ReplayError> {
        let markers = markers::all_markers(&self.config.prefix, self.is_cluster());
        let work = self.connections.make_markers(markers);
        // A cluster's 16,384 markers take longer than one call.
        tokio::time::timeout(self.config.timeout.saturating_mul(100).max(Duration::from_secs(5)), work)
            .await
            .unwrap_or(Err(ReplayError::Unavailable))
    }

    /// Records the nonce of a credential issued at `issued_ms`, from async code (a server's
    /// request handler).
    ///
    /// # Errors
    /// [`ReplayError::Replayed`] (also for a credential issued before Redis lost its data),
    /// [`ReplayError::RateLimited`], or [`ReplayError::Unavailable`] when Redis fails, takes
    /// longer than the timeout, or its replicas do not acknowledge in time.
    pub async fn check_and_record_async(
        &self,
        kid: &KeyId,
        nonce: &Nonce,
        issued_ms: i64,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        let call = self.call(kid, nonce, issued_ms, expires_at, now);
        let budget = self.config.timeout
            + if self.config.replicas > 0 { self.config.replica_wait } else { Duration::ZERO };
        let work = async {
            let answer = self.connections.check_async(&self.check, &call, self.config.per_key).await?;
            self.outcome(answer)?;
            if self.config.replicas > 0 {
                let acked = self
                    .connections
                    .wait_async(&call, self.config.replicas, self.config.replica_wait)
                    .await?;
                if acked < self.config.replicas {
                    // Recorded on the master only: a failover now could forget it, so the token
                    // is refused (it stays used; the client mints another).
                    return Err(ReplayError::Unavailable);
                }
            }
            Ok(())
        };
        let outcome = tokio::time::timeout(budget, work).await.unwrap_or(Err(ReplayError::Unavailable));
        if outcome == Err(ReplayError::Unavailable) {
            self.connections.failed();
        }
        outcome
    }

    /// Whether Redis answers a `PING` within the timeout (for readiness checks).
    pub async fn ping(&self) -> bool {
        let answered =
            matches!(tokio::time::timeout(self.config.timeout, self.connections.ping()).await, Ok(true));
        if !answered {
            // A dead connection is replaced by the next call, as after a failed check.
            self.connections.failed();
        }
        answered
    }
}

impl ReplayGuard for &RedisReplayStore {
    /// Without the issue time the store cannot tell a credential made before a data loss from
    /// one made after: it takes the oldest issue time the expiry allows (a day before it), so
    /// after a loss every credential is refused until those have passed. Servers use the
    /// async path, which is told.
    fn check_and_record(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        let oldest_ms = expires_at.0.saturating_sub(86_400).saturating_mul(1000);
        self.check_and_record_issued(kid, nonce, oldest_ms, expires_at, now)
    }

    fn check_and_record_issued(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        issued_at_ms: i64,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        let call = self.call(kid, nonce, issued_at_ms, expires_at, now);
        let answer = self.connections.check_blocking(&self.check, &call, self.config.per_key)?;
        self.outcome(answer)?;
        if self.config.replicas > 0 {
            let acked =
                self.connections.wait_blocking(&call, self.config.replicas, self.config.replica_wait)?;
            if acked < self.config.replicas {
                return Err(ReplayError::Unavailable);
            }
        }
        Ok(())
    }
}

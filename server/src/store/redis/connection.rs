//! The connections a store talks through: one Redis (a multiplexed connection the store replaces
//! itself after a failure, reading the Redis process's `run_id` each time, and a blocking
//! connection for synchronous callers, likewise) or a Redis Cluster (redis-rs's cluster client,
//! which follows MOVED and ASK and refreshes its slot map after a failover).

use core::time::Duration;
use std::sync::{Mutex, PoisonError};

use redis::aio::MultiplexedConnection;
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use signet_core::turbine::ReplayError;

use super::call::Call;
use super::config::RedisReplayConfig;
use super::script::{CLUSTER_MARKER_SCRIPT, SINGLE_MARKER_SCRIPT};

const UNAVAILABLE: ReplayError = ReplayError::Unavailable;

/// The store's connections.
// Made once per store and never moved after: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
pub(super) enum Connections {
    /// One Redis.
    Single {
        client: redis::Client,
        /// The connection in use and the marker of the process it reaches.
        live: Mutex<Option<Live>>,
        /// Held while connecting, so a reconnect is made once, not by every waiting request.
        connecting: tokio::sync::Mutex<()>,
        sync: Mutex<Option<(redis::Connection, String)>>,
        timeout: Duration,
        prefix: String,
    },
    /// A Redis Cluster.
    Cluster {
        client: ClusterClient,
        connection: Mutex<ClusterSlot>,
        sync: Mutex<Option<redis::cluster::ClusterConnection>>,
    },
}

/// A connection to one Redis process and the key of that process's epoch marker
/// (`<prefix>:marker:<run_id>`). A multiplexed connection never reconnects by itself, so the
/// marker always names the process at the other end.
#[derive(Clone)]
pub(super) struct Live {
    connection: MultiplexedConnection,
    marker: String,
}

/// The key of the epoch marker of the Redis process whose `INFO server` is `info`.
fn marker_of(prefix: &str, info: &str) -> Option<String> {
    let run_id = info.lines().find_map(|line| line.trim_end().strip_prefix("run_id:"))?;
    (!run_id.is_empty() && run_id.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("{prefix}:marker:{run_id}"))
}

/// The async cluster connection in use, and when it was last dropped.
///
/// redis-rs's cluster client follows MOVED and ASK, but after a master dies it keeps
/// reconnecting to the dead address: it learns the promotion only from a MOVED, which a dead
/// node never sends. So a failing connection is dropped (at most every 250 ms), and the next
/// call connects afresh, reading the slot map from whichever node answers.
#[derive(Default)]
pub(super) struct ClusterSlot {
    connection: Option<ClusterConnection>,
    dropped: Option<std::time::Instant>,
}

/// Least time between two fresh cluster connections.
const CLUSTER_RECONNECT: Duration = Duration::from_millis(250);

/// The cluster nodes of `redis-cluster://host:port,host:port`, as Redis URLs.
fn cluster_nodes(url: &str) -> Option<Vec<String>> {
    let rest = url.strip_prefix("redis-cluster://")?;
    let nodes: Vec<String> = rest
        .trim_end_matches('/')
        .split(',')
        .filter(|n| !n.is_empty())
        .map(|n| format!("redis://{n}"))
        .collect();
    (!nodes.is_empty()).then_some(nodes)
}

/// Runs `script` with the call's keys (the epoch marker `marker`) and arguments.
fn check_invocation<'a>(
    script: &'a redis::Script,
    call: &Call,
    marker: &str,
    per_key: usize,
) -> redis::ScriptInvocation<'a> {
    let mut invocation = script.prepare_invoke();
    invocation
        .key(&call.nonce_key)
        .key(&call.rate_key)
        .key(marker)
        .arg(call.expiry_ms)
        .arg(call.slice)
        .arg(call.oldest)
        .arg(per_key)
        .arg(call.rate_expiry_ms)
        .arg(call.issued_secs);
    invocation
}

fn wait_command(replicas: usize, wait: Duration) -> redis::Cmd {
    let mut cmd = redis::cmd("WAIT");
    cmd.arg(replicas).arg(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1));
    cmd
}

/// `WAIT` goes to the master holding the call's key (a keyless command would go anywhere).
fn key_master(call: &Call) -> RoutingInfo {
    RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(Route::with_key(
        &call.nonce_key,
        SlotAddr::Master,
    )))
}

impl Connections {
    pub(super) fn open(url: &str, config: &RedisReplayConfig) -> Result<Self, redis::RedisError> {
        if url.starts_with("redis-cluster://") {
            let nodes = cluster_nodes(url).ok_or_else(|| {
                redis::RedisError::from((
                    redis::ErrorKind::InvalidClientConfig,
                    "redis-cluster:// needs host:port,…",
                ))
            })?;
            let client = ClusterClient::builder(nodes)
                .connection_timeout(config.timeout)
                .response_timeout(config.timeout + config.replica_wait)
                .retries(2)
                .build()?;
            return Ok(Connections::Cluster { client, connection: Mutex::default(), sync: Mutex::new(None) });
        }
        Ok(Connections::Single {
            client: redis::Client::open(url)?,
            live: Mutex::new(None),
            connecting: tokio::sync::Mutex::new(()),
            sync: Mutex::new(None),
            timeout: config.timeout,
            prefix: config.prefix.clone(),
        })
    }

    /// Notes that a call failed or timed out: the connection is dropped, so the next call
    /// connects afresh (a single Redis: and reads which process it reaches; a cluster: and its
    /// slot map).
    pub(super) fn failed(&self) {
        match self {
            Connections::Single { live, .. } => *live.lock().unwrap_or_else(PoisonError::into_inner) = None,
            Connections::Cluster { connection, .. } => Self::cluster_failed(connection),
        }
    }

    pub(super) fn is_cluster(&self) -> bool {
        matches!(self, Connections::Cluster { .. })
    }

    /// The live connection to one Redis, connecting (and reading its `run_id`) if there is none.
    async fn single(
        client: &redis::Client,
        live: &Mutex<Option<Live>>,
        connecting: &tokio::sync::Mutex<()>,
        timeout: Duration,
        prefix: &str,
    ) -> Result<Live, ReplayError> {
        let current = || live.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(found) = current() {
            return Ok(found);
        }
        let _turn = connecting.lock().await;
        if let Some(found) = current() {
            return Ok(found);
        }
        let config = redis::AsyncConnectionConfig::new().set_connection_timeout(Some(timeout));
        let mut connection =
            client.get_multiplexed_async_connection_with_config(&config).await.map_err(|_| UNAVAILABLE)?;
        let info: String =
            redis::cmd("INFO").arg("server").query_async(&mut connection).await.map_err(|_| UNAVAILABLE)?;
        let marker = marker_of(prefix, &info).ok_or(UNAVAILABLE)?;
        let made = Live { connection, marker };
        *live.lock().unwrap_or_else(PoisonError::into_inner) = Some(made.clone());
        Ok(made)
    }

    async fn cluster(
        client: &ClusterClient,
        slot: &Mutex<ClusterSlot>,
    ) -> Result<ClusterConnection, ReplayError> {
        if let Some(connection) = slot.lock().unwrap_or_else(PoisonError::into_inner).connection.clone() {
            return Ok(connection);
        }
        // A failed connection is not kept: the next call tries again.
        let connection = client.get_async_connection().await.map_err(|_| UNAVAILABLE)?;
        let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(slot.connection.get_or_insert(connection).clone())
    }

    /// After a failure on the cluster: drops the connection (see [`ClusterSlot`]).
    fn cluster_failed(slot: &Mutex<ClusterSlot>) {
        let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.dropped.is_none_or(|at| at.elapsed() >= CLUSTER_RECONNECT) {
            slot.connection = None;
            slot.dropped = Some(std::time::Instant::now());
        }
    }

    /// Runs the check script; its answer.
    pub(super) async fn check_async(
        &self,
        script: &redis::Script,
        call: &Call,
        per_key: usize,
    ) -> Result<i64, ReplayError> {
        match self {
            Connections::Single { client, live, connecting, timeout, prefix, .. } => {
                let mut found = Self::single(client, live, connecting, *timeout, prefix).await?;
                let invocation = check_invocation(script, call, &found.marker, per_key);
                invocation.invoke_async(&mut found.connection).await.map_err(|_| UNAVAILABLE)
            }
            Connections::Cluster { client, connection, .. } => {
                let invocation = check_invocation(script, call, &call.marker_key, per_key);
                let mut conn = Self::cluster(client, connection).await?;
                invocation.invoke_async(&mut conn).await.map_err(|_| {
                    Self::cluster_failed(connection);
                    UNAVAILABLE
                })
            }
        }
    }

    /// Waits for `replicas` acknowledgements of the writes so far; how many came.
    pub(super) async fn wait_async(
        &self,
        call: &Call,
        replicas: usize,
        wait: Duration,
    ) -> Result<usize, ReplayError> {
        let cmd = wait_command(replicas, wait);
        let acked: i64 = match self {
            Connections::Single { client, live, connecting, timeout, prefix, .. } => {
                let mut found = Self::single(client, live, connecting, *timeout, prefix).await?;
                cmd.query_async(&mut found.connection).await.map_err(|_| UNAVAILABLE)?
            }
            Connections::Cluster { client, connection, .. } => {
                let mut conn = Self::cluster(client, connection).await?;
                let value = conn.route_command(cmd, key_master(call)).await.map_err(|_| {
                    Self::cluster_failed(connection);
                    UNAVAILABLE
                })?;
                redis::from_redis_value(value).map_err(|_| UNAVAILABLE)?
            }
        };
        Ok(usize::try_from(acked).unwrap_or(0))
    }

    /// Makes every missing marker, over connections of its own (the shared ones belong to the
    /// runtime that first uses them, which may not be this one).
    pub(super) async fn make_markers(&self, markers: Vec<String>) -> Result<(), ReplayError> {
        match self {
            Connections::Single { client, prefix, .. } => {
                // A single Redis has one marker, named after the process reached now.
                let _ = markers;
                let script = redis::Script::new(SINGLE_MARKER_SCRIPT);
                let mut conn = client.get_multiplexed_async_connection().await.map_err(|_| UNAVAILABLE)?;
                let info: String =
                    redis::cmd("INFO").arg("server").query_async(&mut conn).await.map_err(|_| UNAVAILABLE)?;
                let marker = marker_of(prefix, &info).ok_or(UNAVAILABLE)?;
                let _: i64 = script.key(marker).invoke_async(&mut conn).await.map_err(|_| UNAVAILABLE)?;
                Ok(())
            }
            Connections::Cluster { client, .. } => {
                let script = redis::Script::new(CLUSTER_MARKER_SCRIPT);
                let conn = client.get_async_connection().await.map_err(|_| UNAVAILABLE)?;
                // The cluster client pipelines requests to each node: many in flight at once.
                let mut tasks = tokio::task::JoinSet::new();
                for chunk in markers.chunks(256) {
                    let (mut conn, chunk, script) = (conn.clone(), chunk.to_vec(), script.clone());
                    tasks.spawn(async move {
                        for marker in chunk {
                            let _: i64 =
                                script.key(marker).invoke_async(&mut conn).await.map_err(|_| UNAVAILABLE)?;
                        }
                        Ok::<(), ReplayError>(())
                    });
                }
                while let Some(done) = tasks.join_next().await {
                    done.map_err(|_| UNAVAILABLE)??;
                }
                Ok(())
            }
        }
    }

    pub(super) async fn ping(&self) -> bool {
        let ping = redis::cmd("PING");
        match self {
            Connections::Single { client, live, connecting, timeout, prefix, .. } => {
                match Self::single(client, live, connecting, *timeout, prefix).await {
                    Ok(mut found) => ping.query_async::<String>(&mut found.connection).await.is_ok(),
                    Err(_) => false,
                }
            }
            Connections::Cluster { client, connection, .. } => {
                match Self::cluster(client, connection).await {
                    // Every master must answer: a slot without one refuses its keys.
                    Ok(mut conn) => {
                        let all = RoutingInfo::MultiNode((
                            redis::cluster_routing::MultipleNodeRoutingInfo::AllMasters,
                            None,
                        ));
                        conn.route_command(ping, all).await.is_ok()
                    }
                    Err(_) => false,
                }
            }
        }
    }

    /// [`Connections::check_async`] for threads without a runtime.
    pub(super) fn check_blocking(
        &self,
        script: &redis::Script,
        call: &Call,
        per_key: usize,
    ) -> Result<i64, ReplayError> {
        match self {
            Connections::Single { client, sync, timeout, prefix, .. } => with_blocking(
                sync,
                || single_blocking(client, *timeout, prefix),
                |(conn, marker)| check_invocation(script, call, marker, per_key).invoke(conn),
            ),
            Connections::Cluster { client, sync, .. } => with_blocking(
                sync,
                || client.get_connection(),
                |conn| check_invocation(script, call, &call.marker_key, per_key).invoke(conn),
            ),
        }
    }

    /// [`Connections::wait_async`] for threads without a runtime.
    pub(super) fn wait_blocking(
        &self,
        call: &Call,
        replicas: usize,
        wait: Duration,
    ) -> Result<usize, ReplayError> {
        let cmd = wait_command(replicas, wait);
        let acked: i64 = match self {
            Connections::Single { client, sync, timeout, prefix, .. } => with_blocking(
                sync,
                || single_blocking(client, *timeout, prefix),
                |(conn, _)| cmd.query(conn),
            )?,
            Connections::Cluster { client, sync, .. } => with_blocking(
                sync,
                || client.get_connection(),
                |conn| {
                    conn.route_command(&cmd, key_master(call))
                        .and_then(|v| redis::from_redis_value(v).map_err(redis::RedisError::from))
                },
            )?,
        };
        Ok(usize::try_from(acked).unwrap_or(0))
    }
}

/// A blocking connection and the marker of the process it reaches.
fn single_blocking(
    client: &redis::Client,
    timeout: Duration,
    prefix: &str,
) -> redis::RedisResult<(redis::Connection, String)> {
    let mut conn = client.get_connection_with_timeout(timeout)?;
    conn.set_read_timeout(Some(timeout))?;
    conn.set_write_timeout(Some(timeout))?;
    let info: String = redis::cmd("INFO").arg("server").query(&mut conn)?;
    let marker = marker_of(prefix, &info)
        .ok_or_else(|| redis::RedisError::from((redis::ErrorKind::Parse, "INFO without a run_id")))?;
    Ok((conn, marker))
}

/// Runs `op` on the kept blocking connection, opening one first if needed; a failed connection
/// is dropped, so the next call opens a new one.
fn with_blocking<C, T>(
    slot: &Mutex<Option<C>>,
    connect: impl FnOnce() -> redis::RedisResult<C>,
    op: impl FnOnce(&mut C) -> redis::RedisResult<T>,
) -> Result<T, ReplayError> {
    let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if slot.is_none() {
        *slot = Some(connect().map_err(|_| UNAVAILABLE)?);
    }
    let conn = slot.as_mut().ok_or(UNAVAILABLE)?;
    op(conn).map_err(|_| {
        *slot = None;
        UNAVAILABLE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_is_named_after_the_run_id() {
        let info = "# Server\r\nredis_version:7.0.15\r\nrun_id:3b10e3399325307af58f6e7db02f7cfbbf73d679\r\ntcp_port:6379\r\n";
        assert_eq!(
            marker_of("p", info).as_deref(),
            Some("p:marker:3b10e3399325307af58f6e7db02f7cfbbf73d679")
        );
        assert_eq!(marker_of("p", "redis_version:7\r\n"), None);
        assert_eq!(marker_of("p", "run_id:zz\r\n"), None);
    }

    #[test]
    fn cluster_urls_name_their_nodes() {
        assert_eq!(
            cluster_nodes("redis-cluster://127.0.0.1:7000,127.0.0.1:7001/"),
            Some(vec!["redis://127.0.0.1:7000".to_owned(), "redis://127.0.0.1:7001".to_owned()])
        );
        assert_eq!(cluster_nodes("redis-cluster://"), None);
        assert_eq!(cluster_nodes("redis://x"), None);
    }
}

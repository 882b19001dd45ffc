//! The accept loop: HTTP/1.1 keep-alive and pipelining through hyper, with the header block
//! bounded (431) and its read timed out, a cap on open connections, and a shutdown that lets
//! every request in flight finish.

use core::future::Future;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use core::time::Duration;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::Layer as _;

use super::burst::Burst;
use crate::http::ConnectionHold;

/// Limits on connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Most connections open at once; beyond it new ones wait in the listen backlog.
    pub max_connections: usize,
    /// Largest header block (request line and headers), in bytes: 431 beyond it.
    pub max_header_bytes: usize,
    /// Time allowed for a request's header block to arrive (idle keep-alive included), so
    /// slow or silent clients cannot hold connections.
    pub header_read_timeout: Duration,
    /// Time a shutdown waits for open connections to finish before closing them.
    pub shutdown_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 10_000,
            max_header_bytes: 16 * 1024,
            header_read_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// How long a shutdown answers requests already sent before it closes idle connections.
pub const DRAIN_GRACE: Duration = Duration::from_millis(300);

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting, closes idle
/// connections after [`DRAIN_GRACE`], answers the requests in progress (each answer closing its connection:
/// `draining` is set), waits for those connections to close (at most the shutdown timeout)
/// and closes what is left.
///
/// # Errors
/// Never, today; accept errors (out of file descriptors, say) are waited out.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    draining: Arc<AtomicBool>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let group = AcceptGroup::new(limits.max_connections, 1);
    serve_shared(listener, app, limits, &group, draining, shutdown).await
}

/// What the accept loops of one process share (one loop per worker thread, each on its own
/// descriptor of the listening socket): the connection cap, so it and the drain count every
/// connection of the process, and how many loops still listen.
#[derive(Clone, Debug)]
pub struct AcceptGroup {
    permits: Arc<Semaphore>,
    listening: Arc<AtomicUsize>,
}

impl AcceptGroup {
    /// A group of `loops` accept loops sharing a cap of `max_connections`.
    #[must_use]
    pub fn new(max_connections: usize, loops: usize) -> Self {
        AcceptGroup {
            permits: Arc::new(Semaphore::new(max_connections)),
            listening: Arc::new(AtomicUsize::new(loops)),
        }
    }
}

/// [`serve`] as one of the accept loops of `group`. Answers start closing their connections
/// (`draining`) only once every loop of the group has closed its descriptor of the listening
/// socket: a client told to reconnect must find the port closed, not a listening socket that
/// no loop accepts from any more (whose backlog would be reset with its request unanswered).
///
/// # Errors
/// Never, today; accept errors are waited out.
pub async fn serve_shared(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    group: &AcceptGroup,
    draining: Arc<AtomicBool>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = &group.permits;
    // Told to every connection at the end of the drain: finish what is in flight, then close.
    let (closing, closing_rx) = watch::channel(false);
    // Told to upgraded WebSockets when the drain starts: they have no request to finish.
    let (sessions_closing, sessions_closing_rx) = watch::channel(false);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes)
        // The read buffer must hold the largest header block; hyper's minimum is 8 KiB.
        .max_buf_size(limits.max_header_bytes.max(8 * 1024) + 8 * 1024);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(permits).acquire_owned() => permit.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => {
                    // Out of descriptors or the like: wait rather than spin.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // The permit is shared with every request of the connection: an upgraded WebSocket
        // keeps it (and its place under the cap) until the session ends, not just until the
        // 101 is sent.
        let hold = ConnectionHold::new(permit, sessions_closing_rx.clone());
        // The peer's address travels with each request (Bitzoom keys' allowlists read it).
        let service =
            axum::Extension(ConnectInfo(peer)).layer(axum::Extension(hold.clone()).layer(app.clone()));
        // With upgrades: the Bitzoom WebSocket takes the connection over after its 101.
        let connection = builder
            .serve_connection(TokioIo::new(Burst::new(stream)), TowerToHyperService::new(service))
            .with_upgrades();
        let mut closing = closing_rx.clone();
        tokio::spawn(async move {
            let mut connection = core::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = closing.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(hold);
        });
    }
    // New connections are refused once the last loop of the group has closed its descriptor.
    drop(listener);
    if group.listening.fetch_sub(1, Ordering::AcqRel) == 1 {
        draining.store(true, Ordering::Relaxed);
    }
    let _ = sessions_closing.send(true);
    // For a moment every request that arrives is answered, its answer closing its connection:
    // a request already sent but not yet read must not meet a closed connection. Then the
    // connections left idle close (an idle keep-alive client would otherwise hold the shutdown
    // for its whole timeout) while requests in progress finish.
    let start = Instant::now();
    let deadline = start + limits.shutdown_timeout;
    let grace = start + DRAIN_GRACE.min(limits.shutdown_timeout);
    while permits.available_permits() < limits.max_connections && Instant::now() < grace {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = closing.send(true);
    while permits.available_permits() < limits.max_connections && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// Completes on SIGTERM or SIGINT (Ctrl-C).
pub async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => core::future::pending().await,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

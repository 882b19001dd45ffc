//! The accept loop: HTTP/1.1 keep-alive and pipelining through hyper, with the header block
//! bounded (431) and its read timed out, a cap on open connections, and a shutdown that lets
//! every request in flight finish.

use core::future::Future;
use core::sync::atomic::{AtomicBool, Ordering};
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

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting, answers
/// everything already sent (each answer closing its connection: `draining` is set), waits
/// for the connections to close (at most the shutdown timeout) and closes what is left.
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
    let permits = Arc::new(Semaphore::new(limits.max_connections));
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
            permit = Arc::clone(&permits).acquire_owned() => permit.map_err(std::io::Error::other)?,
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
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)).with_upgrades();
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
    // New connections are refused from here on.
    drop(listener);
    draining.store(true, Ordering::Relaxed);
    let _ = sessions_closing.send(true);
    let deadline = Instant::now() + limits.shutdown_timeout;
    while permits.available_permits() < limits.max_connections && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // What is left is idle or slow: requests in progress finish, idle connections close.
    let _ = closing.send(true);
    let deadline = Instant::now() + Duration::from_secs(1);
    while permits.available_permits() < limits.max_connections && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
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

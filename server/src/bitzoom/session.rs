//! What a WebSocket session may hold and how long it may stay quiet, and the count of open
//! sessions (the HTTP layer runs the sessions; these are the service's settings).

use core::sync::atomic::{AtomicUsize, Ordering};
use core::time::Duration;
use std::sync::Arc;

/// What one WebSocket session may hold and how long it may stay quiet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WsLimits {
    /// Most subscriptions at once (default 64).
    pub max_subscriptions: usize,
    /// Largest parameters of one subscription, as JSON (default 1 KiB).
    pub max_params_bytes: usize,
    /// Largest message read (default 16 KiB; a logon is under 600 bytes).
    pub max_message_bytes: usize,
    /// Largest outgoing data buffered for a slow reader before the session is closed.
    pub max_write_buffer_bytes: usize,
    /// Time to log on or subscribe after the upgrade (default 10 s).
    pub logon_deadline: Duration,
    /// Longest silence from the client, pongs included (default 60 s; the server pings every
    /// third of it).
    pub idle_timeout: Duration,
    /// Time one answer may take to be sent before the session is closed (default 5 s).
    pub send_timeout: Duration,
}

impl Default for WsLimits {
    fn default() -> Self {
        WsLimits {
            max_subscriptions: 64,
            max_params_bytes: 1024,
            max_message_bytes: 16 * 1024,
            max_write_buffer_bytes: 64 * 1024,
            logon_deadline: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            send_timeout: Duration::from_secs(5),
        }
    }
}

impl WsLimits {
    /// The most a session holds: its subscriptions' parameters, a message being read, and the
    /// write buffer (plus a few hundred bytes of bookkeeping per subscription).
    #[must_use]
    pub fn max_session_bytes(&self) -> usize {
        self.max_subscriptions * (self.max_params_bytes + 256)
            + 2 * self.max_message_bytes
            + self.max_write_buffer_bytes
    }
}

/// Counts an open WebSocket session for as long as it lives.
#[derive(Debug)]
pub struct SessionCount(pub(crate) Arc<AtomicUsize>);

impl Drop for SessionCount {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

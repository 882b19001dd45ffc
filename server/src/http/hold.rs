//! What each request of a connection carries so that a WebSocket, once upgraded, keeps the
//! connection's place under `--max-connections` and hears the shutdown.

use std::sync::Arc;

use tokio::sync::watch;

/// A share of a connection's slot under the connection cap, and the server's shutdown signal.
/// The accept loop puts one in every request's extensions; an upgraded WebSocket keeps it for
/// its whole life, so the slot is free only when the session ends.
#[derive(Clone)]
pub struct ConnectionHold {
    _slot: Arc<dyn Send + Sync>,
    shutdown: watch::Receiver<bool>,
}

impl core::fmt::Debug for ConnectionHold {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ConnectionHold").field("shutting_down", &*self.shutdown.borrow()).finish()
    }
}

impl ConnectionHold {
    /// A hold on `slot` (dropped when the last hold goes), told of a shutdown by `shutdown`
    /// becoming `true`.
    pub fn new(slot: impl Send + Sync + 'static, shutdown: watch::Receiver<bool>) -> Self {
        ConnectionHold { _slot: Arc::new(slot), shutdown }
    }

    /// Completes when the server starts shutting down (never, if the sender is gone without
    /// saying so).
    pub async fn shutting_down(&mut self) {
        if self.shutdown.wait_for(|down| *down).await.is_err() {
            core::future::pending::<()>().await;
        }
    }
}

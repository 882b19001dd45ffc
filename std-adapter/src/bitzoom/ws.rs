//! A client of Bitzoom's private WebSocket: connects, logs on (a fresh timestamp and nonce each
//! time: a logon is never replayed), subscribes, and after a disconnect backs off, reconnects,
//! logs on again and restores private subscriptions only once the new logon succeeded.

use core::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use signet_core::HmacKey;
use signet_core::bitzoom::channels::is_private;
use signet_core::bitzoom::ws_logon::{LOGON_CHANNEL, Logon, MAX_LOGON_LEN, sign_logon};
use signet_core::turbine::Nonce;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::credentials::Secret;
use crate::platform::{SystemClock, os_rng};

/// What to connect to and how to log on.
#[derive(Debug)]
pub struct StreamConfig {
    /// `ws://host/ws` or `wss://host/ws`.
    pub url: String,
    /// `BITZOOM_API_KEY`.
    pub api_key: String,
    /// `BITZOOM_API_SECRET`.
    pub secret: Secret,
    /// The logon's `recvWindow` in ms (`None`: omitted, the server's default of 5 s).
    pub recv_window_ms: Option<u64>,
    /// First wait after a disconnect (the guide's baseline: 2 s); doubled on each failure.
    pub backoff_initial: Duration,
    /// Longest wait.
    pub backoff_max: Duration,
}

impl StreamConfig {
    /// The WebSocket URL of an HTTP base URL: `http://h` → `ws://h/ws`, `https://h` → `wss://h/ws`.
    #[must_use]
    pub fn url_for(base: &str) -> String {
        let base = base.trim_end_matches('/');
        let ws = base.strip_prefix("https://").map(|rest| format!("wss://{rest}")).unwrap_or_else(|| {
            base.strip_prefix("http://").map_or_else(|| base.to_owned(), |rest| format!("ws://{rest}"))
        });
        if ws.ends_with("/ws") { ws } else { format!("{ws}/ws") }
    }
}

/// The channel a name stands for: a path as it is (`/api/v1/balance`), or a name of one
/// (`Balance`, `openOrders`, `ticker/price`: case and a leading `/api/v1/` do not matter).
#[must_use]
pub fn channel_path(name: &str) -> String {
    if name.starts_with('/') {
        return name.to_owned();
    }
    format!("/api/v1/{}", name.to_ascii_lowercase())
}

/// What the stream reports.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamEvent {
    /// A connection is open.
    Connected,
    /// The logon on this connection succeeded.
    LoggedOn,
    /// The logon was refused (the stream keeps retrying; a caller may stop here).
    LogonRefused {
        /// Bitzoom's code (-1021, -1022, -1002, 403, …).
        code: i64,
        /// Its message.
        msg: String,
    },
    /// A subscription was confirmed.
    Subscribed {
        /// The channel.
        channel: String,
        /// Its `subId`.
        sub_id: String,
    },
    /// An update of a subscription.
    Update {
        /// The channel.
        channel: String,
        /// The `subId` it belongs to.
        sub_id: String,
        /// The payload.
        data: Value,
    },
    /// The server refused a request.
    Error {
        /// The channel.
        channel: String,
        /// The code.
        code: i64,
        /// The message.
        msg: String,
    },
    /// The connection ended or could not be made; the next attempt comes after `retry_in`.
    Disconnected {
        /// What happened.
        reason: String,
        /// The wait before reconnecting.
        retry_in: Duration,
    },
}

/// A private stream: its configuration and the subscriptions to hold.
#[derive(Debug)]
pub struct PrivateStream {
    config: StreamConfig,
    subscriptions: Vec<(String, Value)>,
}

impl PrivateStream {
    /// A stream with no subscriptions yet.
    #[must_use]
    pub fn new(config: StreamConfig) -> Self {
        PrivateStream { config, subscriptions: Vec::new() }
    }

    /// Adds a subscription (a channel path or name, and its parameters).
    #[must_use]
    pub fn subscribe(mut self, channel: &str, params: Value) -> Self {
        self.subscriptions.push((channel_path(channel), params));
        self
    }

    /// A fresh logon message: the current time, a new nonce.
    fn logon(&self) -> Result<String, String> {
        let timestamp = SystemClock.now_ms().to_string();
        let nonce = Nonce::generate(&mut os_rng()).to_string();
        let window = self.config.recv_window_ms.map(|w| w.to_string()).unwrap_or_default();
        let key = HmacKey::new(self.config.secret.expose().as_bytes());
        let signature = sign_logon(&key, &timestamp, &nonce, &window).map_err(|e| e.to_string())?.to_hex();
        let logon = Logon {
            api_key: &self.config.api_key,
            timestamp: &timestamp,
            nonce: &nonce,
            recv_window: &window,
            signature: &signature,
        };
        let mut buf = [0u8; MAX_LOGON_LEN];
        logon.write_json(&mut buf).map(str::to_owned).map_err(|e| e.to_string())
    }

    fn sub_message(channel: &str, params: &Value) -> Message {
        Message::Text(json!({ "channel": channel, "event": "sub", "data": params }).to_string().into())
    }

    /// Runs until `events` is closed: connects, logs on, subscribes, and reconnects after every
    /// disconnect with exponential backoff (reset by a successful logon).
    pub async fn run(self, events: mpsc::Sender<StreamEvent>) {
        let mut backoff = self.config.backoff_initial;
        loop {
            let reason = match self.connection(&events, &mut backoff).await {
                Ok(()) => return,
                Err(reason) => reason,
            };
            let retry_in = backoff;
            if events.send(StreamEvent::Disconnected { reason, retry_in }).await.is_err() {
                return;
            }
            tokio::time::sleep(retry_in).await;
            backoff = (backoff * 2).min(self.config.backoff_max);
        }
    }

    /// One connection's life. `Ok` when the caller went away; `Err` with why it ended.
    async fn connection(
        &self,
        events: &mpsc::Sender<StreamEvent>,
        backoff: &mut Duration,
    ) -> Result<(), String> {
        let (mut socket, _) = tokio_tungstenite::connect_async_tls_with_config(
            self.config.url.as_str(),
            None,
            true,
            Some(tokio_tungstenite::Connector::Rustls(tls_config()?)),
        )
        .await
        .map_err(|e| e.to_string())?;
        let send = |e: StreamEvent| events.send(e);
        if send(StreamEvent::Connected).await.is_err() {
            return Ok(());
        }
        for (channel, params) in self.subscriptions.iter().filter(|(c, _)| !is_private(c)) {
            socket.send(Self::sub_message(channel, params)).await.map_err(|e| e.to_string())?;
        }
        socket.send(Message::Text(self.logon()?.into())).await.map_err(|e| e.to_string())?;
        while let Some(message) = socket.next().await {
            let text = match message.map_err(|e| e.to_string())? {
                Message::Text(text) => text,
                Message::Close(frame) => return Err(format!("closed by the server: {frame:?}")),
                _ => continue,
            };
            for line in text.as_str().split('\n').filter(|l| !l.trim().is_empty()) {
                let Ok(value) = serde_json::from_str::<Value>(line) else { continue };
                let channel = value.get("channel").and_then(Value::as_str).unwrap_or_default().to_owned();
                let event = value.get("event").and_then(Value::as_str).unwrap_or_default().to_owned();
                let data = value.get("data").cloned().unwrap_or(Value::Null);
                let code = data.get("code").and_then(Value::as_i64).unwrap_or(0);
                let msg = data.get("msg").and_then(Value::as_str).unwrap_or_default().to_owned();
                let report = match (channel.as_str(), event.as_str()) {
                    (LOGON_CHANNEL, "success") => {
                        *backoff = self.config.backoff_initial;
                        // Private subscriptions only now, on a connection that is logged on.
                        for (channel, params) in self.subscriptions.iter().filter(|(c, _)| is_private(c)) {
                            socket
                                .send(Self::sub_message(channel, params))
                                .await
                                .map_err(|e| e.to_string())?;
                        }
                        StreamEvent::LoggedOn
                    }
                    (LOGON_CHANNEL, "error") => StreamEvent::LogonRefused { code, msg },
                    (_, "sub") => {
                        let sub_id =
                            data.as_object().and_then(|o| o.keys().next().cloned()).unwrap_or_default();
                        StreamEvent::Subscribed { channel, sub_id }
                    }
                    (_, "error") => StreamEvent::Error { channel, code, msg },
                    (_, "unsub" | "success") => continue,
                    _ => StreamEvent::Update { channel, sub_id: event, data },
                };
                if send(report).await.is_err() {
                    return Ok(());
                }
            }
        }
        Err("connection closed".to_owned())
    }
}

/// TLS for `wss://`: rustls with ring and the webpki root store, as ureq's HTTPS uses.
fn tls_config() -> Result<std::sync::Arc<rustls::ClientConfig>, String> {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(std::sync::Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls() {
        assert_eq!(channel_path("Balance"), "/api/v1/balance");
        assert_eq!(channel_path("ticker/price"), "/api/v1/ticker/price");
        assert_eq!(channel_path("/api/v1/depth"), "/api/v1/depth");
        assert!(is_private("/api/v1/balance") && !is_private("/api/v1/ticker"));
        assert_eq!(StreamConfig::url_for("http://127.0.0.1:8787"), "ws://127.0.0.1:8787/ws");
        assert_eq!(StreamConfig::url_for("https://api.example.com/"), "wss://api.example.com/ws");
        assert_eq!(StreamConfig::url_for("ws://h/ws"), "ws://h/ws");
    }
}

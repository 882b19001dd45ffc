//! Bitzoom's WebSocket at `/ws`: the channel protocol of its guide (`{"channel", "event":
//! "sub"|"unsub", "data"}` in, `sub`/`unsub`/`success`/`error`/`<subId>` events out, one JSON
//! object per line), public channels open to anyone, private ones only after a valid `logon` on
//! the same connection by a key with `READ`.
//!
//! signet has no market: a subscription is confirmed and answered with one sample update.

use core::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use serde_json::{Value, json};
use signet_core::bitzoom::channels::{is_private, is_public};
use signet_core::bitzoom::ws_logon::{LOGON_CHANNEL, Logon};

use crate::BitzoomService;
use crate::bitzoom::keys::Permission;
use crate::bitzoom::{BitzoomError, Caller};

/// Most subscriptions one connection may hold.
pub const MAX_SUBSCRIPTIONS: usize = 64;

/// Largest message the server reads (a logon is under 600 bytes).
const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// The connection's peer address, where the server recorded it (`signet serve` always does;
/// `axum::serve` with `into_make_service_with_connect_info`). Without it an allowlist refuses.
fn peer_ip(connect: Option<&axum::Extension<ConnectInfo<SocketAddr>>>) -> Option<IpAddr> {
    connect.map(|axum::Extension(ConnectInfo(addr))| addr.ip())
}

/// `GET /ws`: upgrades to the WebSocket session.
pub(crate) async fn upgrade(
    State(service): State<Arc<BitzoomService>>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    ws: WebSocketUpgrade,
) -> Response {
    let peer = peer_ip(connect.as_ref());
    ws.max_message_size(MAX_MESSAGE_BYTES).on_upgrade(move |socket| session(service, socket, peer))
}

/// One connection's state: its logon and subscriptions.
struct Session {
    peer: Option<IpAddr>,
    caller: Option<Caller>,
    /// (channel, parameters, subId).
    subscriptions: Vec<(String, Value, String)>,
    next_id: u64,
}

async fn session(service: Arc<BitzoomService>, mut socket: WebSocket, peer: Option<IpAddr>) {
    let mut state = Session { peer, caller: None, subscriptions: Vec::new(), next_id: 1 };
    while let Some(Ok(message)) = socket.recv().await {
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => break,
            // Pings are answered by the library; binary frames carry nothing here.
            _ => continue,
        };
        for line in text.as_str().split('\n').filter(|l| !l.trim().is_empty()) {
            for reply in state.handle(&service, line).await {
                if socket.send(Message::Text(reply.to_string().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn error(channel: &str, code: i32, msg: &str) -> Value {
    json!({ "channel": channel, "event": "error", "data": { "code": code, "msg": msg } })
}

fn refusal(channel: &str, e: &BitzoomError) -> Value {
    error(channel, e.code(), &e.to_string())
}

/// One sample update of a channel (there is no market behind this server).
fn sample(channel: &str, params: &Value, caller: Option<&Caller>) -> Value {
    let symbol = params.get("symbol").and_then(Value::as_str).unwrap_or("BTCUSDT");
    match channel {
        "/api/v1/balance" => {
            json!({ "account": caller.map(|c| c.account.as_str()), "asset": "USDT", "balance": "10000.00" })
        }
        "/api/v1/openorders" | "/api/v1/positionrisk" | "/api/v1/adlquantile" => json!([]),
        _ => json!({ "symbol": symbol }),
    }
}

impl Session {
    async fn handle(&mut self, service: &BitzoomService, line: &str) -> Vec<Value> {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            return vec![error("", -3001, "Invalid message")];
        };
        let channel = message.get("channel").and_then(Value::as_str).unwrap_or_default().to_owned();
        let event = message.get("event").and_then(Value::as_str).unwrap_or_default();
        let params = message.get("data").cloned().unwrap_or_else(|| json!({}));
        match (channel.as_str(), event) {
            (LOGON_CHANNEL, "sub") => vec![self.logon(service, line).await],
            (_, "sub") => self.subscribe(&channel, params),
            (_, "unsub") => vec![self.unsubscribe(&channel, &params)],
            _ => vec![error(&channel, -3002, "Invalid method: event must be sub or unsub")],
        }
    }

    async fn logon(&mut self, service: &BitzoomService, line: &str) -> Value {
        let logon = match Logon::parse(line.as_bytes()) {
            Ok(logon) => logon,
            Err(e) => return error(LOGON_CHANNEL, -3003, &e.to_string()),
        };
        match service.logon(&logon, self.peer).await {
            Ok(caller) => {
                self.caller = Some(caller);
                json!({ "channel": LOGON_CHANNEL, "event": "success", "data": {} })
            }
            Err(e) => refusal(LOGON_CHANNEL, &e),
        }
    }

    fn subscribe(&mut self, channel: &str, params: Value) -> Vec<Value> {
        if is_private(channel) {
            let Some(caller) = &self.caller else { return vec![error(channel, -1002, "logon required")] };
            if let Err(e) = caller.require(Permission::Read) {
                return vec![refusal(channel, &e)];
            }
        } else if !is_public(channel) {
            return vec![error(channel, -1004, "unknown channel")];
        }
        if self.subscriptions.len() >= MAX_SUBSCRIPTIONS {
            return vec![error(channel, -3004, "Too many subscriptions")];
        }
        let id = format!("s{}", self.next_id);
        self.next_id += 1;
        let update = json!({ "channel": channel, "event": id, "data": sample(channel, &params, self.caller.as_ref()) });
        self.subscriptions.push((channel.to_owned(), params, id.clone()));
        vec![json!({ "channel": channel, "event": "sub", "data": { id: {} } }), update]
    }

    fn unsubscribe(&mut self, channel: &str, params: &Value) -> Value {
        match self.subscriptions.iter().position(|(c, p, _)| c == channel && p == params) {
            Some(i) => {
                let (_, _, id) = self.subscriptions.remove(i);
                json!({ "channel": channel, "event": "unsub", "data": id })
            }
            None => error(channel, -3003, "not subscribed"),
        }
    }
}

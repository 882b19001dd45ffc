//! One WebSocket session's messages: the channel protocol of Bitzoom's guide (`{"channel",
//! "event": "sub"|"unsub", "data"}` in, `sub`/`unsub`/`success`/`error`/`<subId>` events out),
//! public channels open to anyone, private ones only after a valid `logon` on the same
//! connection by a key with `READ`.
//!
//! signet has no market: a subscription is confirmed and answered with one sample update.

use core::net::IpAddr;

use serde_json::{Value, json};
use signet_core::bitzoom::channels::{is_private, is_public};
use signet_core::bitzoom::ws_logon::{LOGON_CHANNEL, Logon};

use crate::BitzoomService;
use crate::bitzoom::WsLimits;
use crate::bitzoom::keys::Permission;
use crate::bitzoom::{BitzoomError, Caller};

/// One connection's state: its logon and subscriptions.
pub(super) struct Session {
    peer: Option<IpAddr>,
    limits: WsLimits,
    caller: Option<Caller>,
    /// (channel, parameters, subId).
    subscriptions: Vec<(String, Value, String)>,
    next_id: u64,
}

pub(super) fn error(channel: &str, code: i32, msg: &str) -> Value {
    json!({ "channel": channel, "event": "error", "data": { "code": code, "msg": msg } })
}

pub(super) fn refusal(channel: &str, e: &BitzoomError) -> Value {
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
    pub(super) fn new(peer: Option<IpAddr>, limits: WsLimits) -> Self {
        Session { peer, limits, caller: None, subscriptions: Vec::new(), next_id: 1 }
    }

    /// The peer address.
    pub(super) fn peer(&self) -> Option<IpAddr> {
        self.peer
    }

    /// The logged-on caller, if any.
    pub(super) fn caller(&self) -> Option<&Caller> {
        self.caller.as_ref()
    }

    /// Whether the session has done anything a connection is for: logged on or subscribed.
    pub(super) fn is_engaged(&self) -> bool {
        self.caller.is_some() || !self.subscriptions.is_empty()
    }

    /// What the key must still allow: `READ` while a private channel is subscribed.
    pub(super) fn needs(&self) -> Option<Permission> {
        self.subscriptions.iter().any(|(c, _, _)| is_private(c)).then_some(Permission::Read)
    }

    pub(super) async fn handle(&mut self, service: &BitzoomService, line: &str) -> Vec<Value> {
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
                service.observe("ws", "accepted");
                tracing::info!(key = %caller.id, "bitzoom logon");
                self.caller = Some(caller);
                json!({ "channel": LOGON_CHANNEL, "event": "success", "data": {} })
            }
            Err(e) => {
                service.observe("ws", e.reason());
                tracing::info!(reason = e.reason(), "bitzoom logon refused");
                refusal(LOGON_CHANNEL, &e)
            }
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
        if self.subscriptions.len() >= self.limits.max_subscriptions {
            return vec![error(channel, -3004, "Too many subscriptions")];
        }
        // What a session keeps is bounded: parameters beyond this are refused, not stored.
        if params.to_string().len() > self.limits.max_params_bytes {
            return vec![error(channel, -3005, "Subscription parameters too large")];
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

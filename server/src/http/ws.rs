//! Bitzoom's WebSocket at `/ws`: the upgrade and each session's life.
//!
//! A session is bounded in what it holds (subscriptions, their parameters, message and buffer
//! sizes: [`WsLimits`]) and in time: it must log on or subscribe within the logon deadline,
//! is closed when the client has been silent (not even a pong to the server's pings) for the
//! idle timeout, and, once logged on, has its key checked again every key-cache interval (1 s
//! by default): a revoked or disabled key, a lost permission or an address no longer allowed
//! closes it with an error event within two intervals. An upgraded connection keeps its place
//! under `--max-connections` until it closes, and closes when the server shuts down.

mod channels;

use core::net::{IpAddr, SocketAddr};
use core::time::Duration;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use serde_json::Value;
use signet_core::bitzoom::ws_logon::LOGON_CHANNEL;

use crate::BitzoomService;
use crate::bitzoom::WsLimits;
use crate::http::hold::ConnectionHold;
use channels::{Session, error, refusal};

/// The connection's peer address, where the server recorded it (`signet serve` always does;
/// `axum::serve` with `into_make_service_with_connect_info`). Without it an allowlist refuses.
fn peer_ip(connect: Option<&axum::Extension<ConnectInfo<SocketAddr>>>) -> Option<IpAddr> {
    connect.map(|axum::Extension(ConnectInfo(addr))| addr.ip())
}

/// `GET /ws`: upgrades to a WebSocket session.
pub(crate) async fn upgrade(
    State(service): State<Arc<BitzoomService>>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    hold: Option<axum::Extension<ConnectionHold>>,
    ws: WebSocketUpgrade,
) -> Response {
    let peer = peer_ip(connect.as_ref());
    let limits = *service.ws_limits();
    let hold = hold.map(|axum::Extension(h)| h);
    ws.max_message_size(limits.max_message_bytes)
        .max_frame_size(limits.max_message_bytes)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(limits.max_write_buffer_bytes)
        .on_upgrade(move |socket| session(service, socket, peer, hold))
}

/// Sends `message` within the send timeout; `false` if the session must end.
async fn send(socket: &mut WebSocket, limits: &WsLimits, message: Message) -> bool {
    matches!(tokio::time::timeout(limits.send_timeout, socket.send(message)).await, Ok(Ok(())))
}

async fn send_json(socket: &mut WebSocket, limits: &WsLimits, value: &Value) -> bool {
    send(socket, limits, Message::Text(value.to_string().into())).await
}

/// Says why (an error event), then closes.
async fn close_with(socket: &mut WebSocket, limits: &WsLimits, why: &Value, code: u16) {
    let _ = send_json(socket, limits, why).await;
    close(socket, limits, code).await;
}

/// The closing handshake: our close frame, then the client's reply (or 1 s). Dropping the
/// connection at once would make the kernel answer the client's next frame (a pong, its close)
/// with a reset, and a reset can discard what the client has not read yet, the reason included.
async fn close(socket: &mut WebSocket, limits: &WsLimits, code: u16) {
    if !send(socket, limits, Message::Close(Some(CloseFrame { code, reason: "".into() }))).await {
        return;
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

async fn session(
    service: Arc<BitzoomService>,
    mut socket: WebSocket,
    peer: Option<IpAddr>,
    hold: Option<ConnectionHold>,
) {
    let _open = service.session_opened();
    let limits = *service.ws_limits();
    let mut state = Session::new(peer, limits);
    let started = Instant::now();
    let mut heard = Instant::now();
    let mut pinged = Instant::now();
    let mut tick = tokio::time::interval(
        service.key_recheck_interval().clamp(Duration::from_millis(50), Duration::from_secs(1)),
    );
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut hold = hold;
    loop {
        let shutdown = async {
            match hold.as_mut() {
                Some(hold) => hold.shutting_down().await,
                None => core::future::pending().await,
            }
        };
        tokio::select! {
            message = socket.recv() => {
                let Some(Ok(message)) = message else { return };
                heard = Instant::now();
                let text = match message {
                    Message::Text(text) => text,
                    Message::Close(_) => return,
                    // Pings are answered by the library; pongs only show the client is there.
                    _ => continue,
                };
                for line in text.as_str().split('\n').filter(|l| !l.trim().is_empty()) {
                    for reply in state.handle(&service, line).await {
                        if !send_json(&mut socket, &limits, &reply).await {
                            return;
                        }
                    }
                }
            }
            _ = tick.tick() => {
                if let Some((why, code)) = check(&service, &state, started, heard).await {
                    close_with(&mut socket, &limits, &why, code).await;
                    return;
                }
                if pinged.elapsed() >= limits.idle_timeout / 3 {
                    pinged = Instant::now();
                    if !send(&mut socket, &limits, Message::Ping(Default::default())).await {
                        return;
                    }
                }
            }
            () = shutdown => {
                close(&mut socket, &limits, close_code::AWAY).await;
                return;
            }
        }
    }
}

/// Whether the session must end now, and the error event and close code saying why: past the
/// logon deadline without a logon or subscription, silent past the idle timeout, or its key no
/// longer allowing what it does.
async fn check(
    service: &BitzoomService,
    state: &Session,
    started: Instant,
    heard: Instant,
) -> Option<(Value, u16)> {
    let limits = service.ws_limits();
    if !state.is_engaged() && started.elapsed() >= limits.logon_deadline {
        service.observe("ws", "logon deadline passed");
        return Some((
            error(LOGON_CHANNEL, -1002, "Logon deadline passed: log on or subscribe after connecting"),
            close_code::POLICY,
        ));
    }
    if heard.elapsed() >= limits.idle_timeout {
        service.observe("ws", "idle timeout");
        return Some((error("", -1002, "Idle timeout"), close_code::POLICY));
    }
    let caller = state.caller()?;
    let e = service.recheck(caller, state.peer(), state.needs()).await.err()?;
    service.observe("ws", e.reason());
    tracing::info!(key = %caller.id, reason = e.reason(), "bitzoom session closed");
    Some((refusal(LOGON_CHANNEL, &e), close_code::POLICY))
}

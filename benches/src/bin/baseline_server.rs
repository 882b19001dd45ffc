//! The straightforward Turbine verifier the load benchmark compares `signet serve` with: axum,
//! the token split and decoded with base64 and serde_json, `verify_strict`, and the used nonces
//! in one `Mutex<HashMap>` whose expired entries a task removes every second (`retain`).
//! Correct for the benchmark's tokens, not hardened. `/auth` answers as `signet serve` does.
//!
//! Usage: baseline_server LISTEN [KID PUBLIC_KEY_HEX]... (prints `listening on http://ADDR`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, VerifyingKey};

struct AppState {
    keys: HashMap<String, VerifyingKey>,
    used: Mutex<HashMap<(String, String), i64>>,
}

#[derive(serde::Deserialize)]
struct Payload {
    kid: String,
    ts: i64,
    n: String,
}

fn refuse(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": text }))).into_response()
}

async fn auth(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some(header) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return refuse(StatusCode::UNAUTHORIZED, "missing authorization header");
    };
    let Some(token) = header.strip_prefix("Bearer ") else {
        return refuse(StatusCode::UNAUTHORIZED, "invalid authorization format");
    };
    let Some((payload_b64, signature_b64)) = token.split_once('.') else {
        return refuse(StatusCode::UNAUTHORIZED, "invalid token format");
    };
    let (Ok(payload), Ok(signature)) =
        (URL_SAFE_NO_PAD.decode(payload_b64), URL_SAFE_NO_PAD.decode(signature_b64))
    else {
        return refuse(StatusCode::UNAUTHORIZED, "invalid token format");
    };
    let (Ok(claims), Ok(signature)) =
        (serde_json::from_slice::<Payload>(&payload), Signature::from_slice(&signature))
    else {
        return refuse(StatusCode::UNAUTHORIZED, "invalid token format");
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    if now - claims.ts > 300 || claims.ts - now > 60 {
        return refuse(StatusCode::UNAUTHORIZED, "token expired");
    }
    let Some(key) = state.keys.get(&claims.kid) else {
        return refuse(StatusCode::UNAUTHORIZED, "API key not found");
    };
    if key.verify_strict(&payload, &signature).is_err() {
        return refuse(StatusCode::UNAUTHORIZED, "invalid signature");
    }
    let mut used = state.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if used.insert((claims.kid.clone(), claims.n), claims.ts + 300).is_some() {
        return refuse(StatusCode::UNAUTHORIZED, "token already used");
    }
    drop(used);
    ([("x-signet-kid", claims.kid.clone())], axum::Json(serde_json::json!({ "kid": claims.kid })))
        .into_response()
}

fn main() -> Result<(), Box<dyn core::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((listen, pairs)) =
        args.split_first().filter(|(_, rest)| !rest.is_empty() && rest.len() % 2 == 0)
    else {
        return Err("usage: baseline_server LISTEN [KID PUBLIC_KEY_HEX]...".into());
    };
    let mut keys = HashMap::new();
    for pair in pairs.chunks_exact(2) {
        let [kid, public] = pair else { continue };
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(public, &mut bytes)?;
        keys.insert(kid.clone(), VerifyingKey::from_bytes(&bytes)?);
    }
    let state = Arc::new(AppState { keys, used: Mutex::new(HashMap::new()) });
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let sweeper = Arc::clone(&state);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(core::time::Duration::from_secs(1));
            loop {
                tick.tick().await;
                let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
                sweeper
                    .used
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .retain(|_, expiry| *expiry >= now);
            }
        });
        let listener = tokio::net::TcpListener::bind(listen.as_str()).await?;
        println!("listening on http://{}", listener.local_addr()?);
        let app = Router::new().route("/auth", axum::routing::any(auth)).with_state(state);
        axum::serve(listener, app).await
    })?;
    Ok(())
}

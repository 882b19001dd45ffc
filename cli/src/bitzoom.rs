//! `signet bitzoom …`: test tokens, bearer requests and HMAC request signatures.

use clap::Subcommand;
use serde_json::{Value, json};
use signet_core::HmacKey;
use signet_core::bitzoom::request_signing::SignedRequest;
use signet_std::bitzoom::token_expires_in;
use signet_std::{BitzoomClient, Secret, SystemClock, os_rng};

use crate::output::{Context, Result};

/// `signet bitzoom …`
#[derive(Subcommand)]
pub enum BitzoomAction {
    /// Fetch a test token (GET /api/servermanage/testtoken?userid=ID).
    Token {
        /// The server.
        #[arg(long, value_parser = crate::output::host_url)]
        host: String,
        /// The user id.
        #[arg(long)]
        user: String,
    },
    /// A bearer GET with BITZOOM_API_TOKEN (or a test token for --user, refreshed as needed).
    Get {
        /// The path, e.g. /api/v1/balance.
        path: String,
        /// The server.
        #[arg(long, value_parser = crate::output::host_url)]
        host: String,
        /// Fetch and refresh test tokens for this user.
        #[arg(long)]
        user: Option<String>,
    },
    /// Print the X-BZ-* headers of a request signed with BITZOOM_API_KEY / BITZOOM_API_SECRET.
    Sign {
        /// HTTP method.
        #[arg(long, default_value = "GET")]
        method: String,
        /// Path.
        #[arg(long)]
        path: String,
        /// Raw query string, without `?`.
        #[arg(long, default_value = "")]
        query: String,
        /// Body.
        #[arg(long, default_value = "")]
        body: String,
        /// X-BZ-RECVWINDOW in ms (omitted if not given).
        #[arg(long)]
        recv_window: Option<u64>,
    },
    /// HMAC API keys of `signet serve`: create (the secret is shown once), list, disable,
    /// enable, revoke; while it runs too.
    Keys(crate::bitzoom_keys::KeysArgs),
    /// The private WebSocket with BITZOOM_API_KEY / BITZOOM_API_SECRET: log on, subscribe,
    /// print each message as a JSON line; reconnects (and logs on again) after a disconnect.
    Ws {
        /// The server (http:// or https://; the socket is at /ws).
        #[arg(long, value_parser = crate::output::host_url)]
        host: String,
        /// A channel, by name (`Balance`, `OpenOrders`, `Ticker`) or path; repeatable.
        #[arg(long = "channel", required = true)]
        channels: Vec<String>,
        /// Parameters of every subscription, as JSON (e.g. '{"symbol":"BTCUSDT"}').
        #[arg(long, default_value = "{}")]
        params: String,
        /// Stop after this many updates.
        #[arg(long)]
        count: Option<u64>,
    },
}

/// Runs `signet bitzoom`.
pub fn run(action: BitzoomAction, ctx: &Context<'_>) -> Result<()> {
    match action {
        BitzoomAction::Token { host, user } => {
            let token = BitzoomClient::new(&host).fetch_test_token(&user)?;
            ctx.output(
                &json!({ "token": token.expose(), "expires_in": token_expires_in(&token) }),
                token.expose(),
            );
        }
        BitzoomAction::Get { path, host, user } => {
            let mut client = BitzoomClient::new(&host);
            if let Some(token) = ctx.credentials()?.bitzoom_token {
                client = client.with_token(token);
            }
            if let Some(user) = &user {
                client = client.with_test_user(user);
            }
            let value = client.get(&path)?;
            ctx.output(&value, &serde_json::to_string_pretty(&value)?);
        }
        BitzoomAction::Sign { method, path, query, body, recv_window } => {
            let creds = ctx.credentials()?;
            let api_key = creds.bitzoom_api_key.ok_or("BITZOOM_API_KEY is not set")?;
            let secret: Secret = creds.bitzoom_api_secret.ok_or("BITZOOM_API_SECRET is not set")?;
            let timestamp = SystemClock.now_ms().to_string();
            let nonce = signet_core::turbine::Nonce::generate(&mut os_rng()).to_string();
            let window = recv_window.map(|w| w.to_string()).unwrap_or_default();
            let request = SignedRequest {
                timestamp: &timestamp,
                nonce: &nonce,
                recv_window: &window,
                method: &method,
                path: &path,
                query: &query,
                body: body.as_bytes(),
            };
            let signature = request.sign(&HmacKey::new(secret.expose().as_bytes()))?.to_hex().to_string();
            let mut headers = vec![
                ("X-BZ-APIKEY", api_key),
                ("X-BZ-TIMESTAMP", timestamp),
                ("X-BZ-NONCE", nonce),
                ("X-BZ-SIGNATURE", signature),
            ];
            if !window.is_empty() {
                headers.push(("X-BZ-RECVWINDOW", window));
            }
            let value: Value = headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(v.as_str())))
                .collect::<serde_json::Map<_, _>>()
                .into();
            let text = headers.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n");
            ctx.output(&value, &text);
        }
        BitzoomAction::Keys(args) => crate::bitzoom_keys::run(args, ctx)?,
        BitzoomAction::Ws { host, channels, params, count } => ws(&host, &channels, &params, count, ctx)?,
    }
    Ok(())
}

/// `signet bitzoom ws`: runs the stream, printing events, until `count` updates arrived or the
/// logon was refused.
fn ws(host: &str, channels: &[String], params: &str, count: Option<u64>, ctx: &Context<'_>) -> Result<()> {
    use signet_std::bitzoom::ws::{PrivateStream, StreamConfig, StreamEvent};
    let creds = ctx.credentials()?;
    let params: Value = serde_json::from_str(params).map_err(|e| format!("--params: {e}"))?;
    let config = StreamConfig {
        url: StreamConfig::url_for(host),
        api_key: creds.bitzoom_api_key.ok_or("BITZOOM_API_KEY is not set")?,
        secret: creds.bitzoom_api_secret.ok_or("BITZOOM_API_SECRET is not set")?,
        recv_window_ms: None,
        backoff_initial: core::time::Duration::from_secs(2),
        backoff_max: core::time::Duration::from_secs(60),
    };
    let stream = channels.iter().fold(PrivateStream::new(config), |s, c| s.subscribe(c, params.clone()));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let task = tokio::spawn(stream.run(tx));
        let mut updates = 0;
        while let Some(event) = rx.recv().await {
            let line = match &event {
                StreamEvent::Connected => json!({ "event": "connected" }),
                StreamEvent::LoggedOn => json!({ "event": "logon", "status": "success" }),
                StreamEvent::LogonRefused { code, msg } => json!({ "event": "logon", "status": "error", "code": code, "msg": msg }),
                StreamEvent::Subscribed { channel, sub_id } => json!({ "event": "sub", "channel": channel, "subId": sub_id }),
                StreamEvent::Update { channel, sub_id, data } => json!({ "event": "update", "channel": channel, "subId": sub_id, "data": data }),
                StreamEvent::Error { channel, code, msg } => json!({ "event": "error", "channel": channel, "code": code, "msg": msg }),
                StreamEvent::Disconnected { reason, retry_in } => {
                    json!({ "event": "disconnected", "reason": reason, "retry_in_ms": retry_in.as_millis() as u64 })
                }
            };
            println!("{line}");
            if let StreamEvent::LogonRefused { code, msg } = event {
                task.abort();
                return Err(format!("logon refused: {code} {msg}").into());
            }
            if matches!(event, StreamEvent::Update { .. }) {
                updates += 1;
                if count.is_some_and(|c| updates >= c) {
                    break;
                }
            }
        }
        task.abort();
        Ok::<(), Box<dyn core::error::Error>>(())
    })
}

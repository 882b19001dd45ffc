//! Bitzoom's private WebSocket with the Rust client against `signet serve`: logon, private
//! subscriptions restored only after a new logon when the server comes back; and over HTTP the
//! per-key rate limit (-1003) and the client reading both of Bitzoom's answer envelopes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use core::time::Duration;
use std::sync::Arc;

use serde_json::{Value, json};
use signet_server::BitzoomService;
use signet_server::http::bitzoom_routes;
use signet_std::bitzoom::ws::{PrivateStream, StreamConfig, StreamEvent};
use signet_std::{BitzoomClient, ClientError, Secret};
use support::{SIGNET, SignetServer, free_port, serve_router};
use tokio::sync::mpsc;

/// Events until `done` says so (at most 20 s).
async fn until(
    rx: &mut mpsc::Receiver<StreamEvent>,
    seen: &mut Vec<StreamEvent>,
    done: impl Fn(&[StreamEvent]) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done(seen) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(event)) => seen.push(event),
            other => panic!("stream ended or stalled ({other:?}) after {seen:#?}"),
        }
    }
}

fn balance_update(e: &StreamEvent) -> bool {
    matches!(e, StreamEvent::Update { channel, data, .. } if channel == "/api/v1/balance" && data["balance"] == "10000.00")
}

#[test]
fn the_client_logs_on_again_after_the_server_comes_back_and_only_then_resubscribes() {
    let dir = tempfile::tempdir().unwrap();
    let listen = format!("127.0.0.1:{}", free_port());
    let mut server = SignetServer::start_at(SIGNET, &listen, dir.path(), &["--log-level", "warn"], &[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_signet"))
        .args([
            "bitzoom",
            "keys",
            "--json",
            "create",
            "--account",
            "ws-test",
            "--permissions",
            "READ",
            "--data",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key: Value = serde_json::from_slice(&out.stdout).unwrap();
    let config = StreamConfig {
        url: StreamConfig::url_for(&format!("http://{listen}")),
        api_key: key["apiKey"].as_str().unwrap().to_owned(),
        secret: Secret::new(key["secret"].as_str().unwrap().to_owned()),
        recv_window_ms: Some(5_000),
        backoff_initial: Duration::from_millis(100),
        backoff_max: Duration::from_secs(1),
    };
    let stream = PrivateStream::new(config)
        .subscribe("Balance", json!({}))
        .subscribe("Ticker", json!({ "symbol": "BTCUSDT" }));

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let (tx, mut rx) = mpsc::channel(64);
        let task = tokio::spawn(stream.run(tx));
        let mut seen = Vec::new();
        until(&mut rx, &mut seen, |s| s.iter().any(balance_update)).await;
        let logon = seen.iter().position(|e| *e == StreamEvent::LoggedOn).unwrap();
        let private = seen
            .iter()
            .position(
                |e| matches!(e, StreamEvent::Subscribed { channel, .. } if channel == "/api/v1/balance"),
            )
            .unwrap();
        assert!(logon < private, "private subscription only after the logon: {seen:#?}");

        // The server goes away (killed, not drained) and comes back on the same address.
        server.signal("KILL");
        let first = seen.len();
        until(&mut rx, &mut seen, |s| {
            s[first..].iter().any(|e| matches!(e, StreamEvent::Disconnected { .. }))
        })
        .await;
        let _server = SignetServer::start_at(SIGNET, &listen, dir.path(), &["--log-level", "warn"], &[]);
        until(&mut rx, &mut seen, |s| s[first..].iter().any(balance_update)).await;
        let after = &seen[first..];
        let relogon = after.iter().position(|e| *e == StreamEvent::LoggedOn).expect("a second logon");
        let resub = after
            .iter()
            .position(
                |e| matches!(e, StreamEvent::Subscribed { channel, .. } if channel == "/api/v1/balance"),
            )
            .unwrap();
        assert!(relogon < resub, "the private subscription came back only after the new logon: {after:#?}");
        // Waits grew while the server was away (100 ms, then doubled).
        let waits: Vec<_> = after
            .iter()
            .filter_map(|e| {
                if let StreamEvent::Disconnected { retry_in, .. } = e { Some(*retry_in) } else { None }
            })
            .collect();
        assert!(
            waits.windows(2).all(|w| w[1] >= w[0]) && waits[0] == Duration::from_millis(100),
            "{waits:?}"
        );
        task.abort();
    });
}

#[test]
fn a_key_over_its_rate_limit_gets_minus_1003() {
    let mut service = BitzoomService::new(b"jwt-secret-for-the-rate-limit-test").with_rate_limit(1, 2);
    service.add_api_key("rate-key", b"demo_secret_7f3b9c2d").unwrap();
    let base = serve_router(bitzoom_routes(Arc::new(service)));
    let client =
        BitzoomClient::new(&base).with_api_key("rate-key", &Secret::new("demo_secret_7f3b9c2d".into()));
    assert!(client.signed_get("/api/v1/balance", "").is_ok());
    assert!(client.signed_get("/api/v1/balance", "").is_ok());
    match client.signed_get("/api/v1/balance", "") {
        Err(ClientError::Bitzoom { code: -1003, msg }) => assert_eq!(msg, "Rate limit exceeded"),
        other => panic!("{other:?}"),
    }
    std::thread::sleep(Duration::from_millis(1_100));
    assert!(client.signed_get("/api/v1/balance", "").is_ok(), "the bucket refills");
}

#[test]
fn the_client_reads_both_answer_envelopes() {
    use axum::routing::get;
    let app = axum::Router::new()
        .route("/api/v1/balance", get(|| async { axum::Json(json!({ "traceid": "t", "errorCode": -1002, "errorMessage": "token expired", "success": false, "data": null })) }))
        .route("/api/v1/positions", get(|| async { axum::Json(json!({ "traceid": "t", "errorCode": 200, "errorMessage": "", "success": true, "data": [1] })) }));
    let base = serve_router(app);
    let client = BitzoomClient::new(&base).with_token(Secret::new("eyJhbGciOiJIUzI1NiJ9.e30.sig".into()));
    match client.balance() {
        Err(ClientError::Bitzoom { code: -1002, msg }) => assert_eq!(msg, "token expired"),
        other => panic!("an errorCode/success:false answer must fail, got {other:?}"),
    }
    assert_eq!(client.get("/api/v1/positions").unwrap()["data"], json!([1]));
}

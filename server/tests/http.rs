//! Over real sockets on 127.0.0.1: an axum server built from the verifier services, and the
//! Turbine and Bitzoom clients against it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod support;

use std::sync::Arc;

use signet_core::eth::WalletKey;
use signet_core::turbine::order::OrderQuery;
use signet_core::turbine::{AuthError, KeyId};
use signet_core::{Clock, UnixTime};
use signet_server::http::{bitzoom_routes, turbine_routes};
use signet_server::store::RedbRegistry;
use signet_server::{BitzoomService, Registry, VerifierService};
use signet_std::{BitzoomClient, ClientError, Secret, SystemClock, TurbineClient, os_rng};
use support::block;

fn serve(app: axum::Router) -> String {
    support::serve_router(app)
}

fn turbine_server() -> (String, Arc<VerifierService<Registry>>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::from(RedbRegistry::open_or_create(&dir.path().join("keys.redb")).unwrap());
    let service = Arc::new(VerifierService::new(registry));
    (serve(turbine_routes(Arc::clone(&service))), service, dir)
}

#[test]
fn turbine_client_registers_writes_and_is_refused_as_documented() {
    let (base, service, _dir) = turbine_server();
    let client = TurbineClient::new(&base);
    assert!(client.markets().is_ok());
    for answer in [
        client.orderbook("42"),
        client.trades("42"),
        client.stats("42"),
        client.platform_stats(),
        client.quick_markets("BTC"),
        client.resolution("42"),
    ] {
        assert!(answer.is_ok(), "{answer:?}");
    }

    let wallet = WalletKey::generate(&mut os_rng());
    let key = client.register_api_key(&wallet, Some("bot")).unwrap();
    match client.register_api_key(&wallet, None) {
        Err(ClientError::AlreadyRegistered { api_key_id }) => assert_eq!(api_key_id, key.key_id.as_str()),
        other => panic!("{other:?}"),
    }
    assert!(client.orders(&key, &OrderQuery::default()).unwrap().is_empty());

    // One token presented twice: the second is a replay.
    let header = TurbineClient::bearer(&key);
    assert_eq!(client.send_raw("GET", "/api/v1/orders", Some(&header)).unwrap().0, 200);
    let (status, body) = client.send_raw("GET", "/api/v1/orders", Some(&header)).unwrap();
    assert_eq!((status, body.as_str()), (401, r#"{"error":"token already used"}"#));
    // Tampered, missing, malformed, unknown.
    let mut tampered = TurbineClient::bearer(&key).into_bytes();
    let i = tampered.len() - 5;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let expect = |auth: Option<&str>, text: &str| {
        let (status, body) = client.send_raw("GET", "/api/v1/orders", auth).unwrap();
        assert_eq!(status, 401, "{body}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["error"], text);
    };
    expect(Some(core::str::from_utf8(&tampered).unwrap()), "invalid signature");
    expect(None, "missing authorization header");
    expect(Some("Basic abc"), "invalid authorization format");
    expect(Some("Bearer abc.def"), "invalid token format");
    let stranger = signet_std::TurbineApiKey {
        key_id: KeyId::new("0123456789abcdef0123456789abcdef").unwrap(),
        secret: key.secret.clone(),
    };
    let all = OrderQuery::default();
    assert!(matches!(client.orders(&stranger, &all), Err(ClientError::Auth(AuthError::KeyNotFound))));

    // Expired, then revoked, keys.
    block(service.set_expiry_async(&key.key_id, Some(UnixTime(SystemClock.now().0 - 1)))).unwrap();
    assert!(matches!(client.orders(&key, &all), Err(ClientError::Auth(AuthError::KeyExpired))));
    block(service.set_expiry_async(&key.key_id, None)).unwrap();
    block(service.revoke_async(&key.key_id)).unwrap();
    assert!(matches!(client.orders(&key, &all), Err(ClientError::Auth(AuthError::KeyInactive))));
    // A revoked key frees the wallet for a new registration (the client signs the timestamped
    // message the server asks for once a wallet has had a key).
    let again = client.register_api_key(&wallet, None).unwrap();
    assert!(client.orders(&again, &all).is_ok());
}

#[test]
fn concurrent_http_requests_never_accept_a_replayed_nonce() {
    let (base, _service, _dir) = turbine_server();
    let client = TurbineClient::new(&base);
    let key = client.register_api_key(&WalletKey::generate(&mut os_rng()), None).unwrap();
    let headers: Arc<Vec<String>> = Arc::new((0..16).map(|_| TurbineClient::bearer(&key)).collect());
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (base, headers) = (base.clone(), Arc::clone(&headers));
            std::thread::spawn(move || {
                let client = TurbineClient::new(&base);
                headers
                    .iter()
                    .filter(|h| client.send_raw("GET", "/api/v1/orders", Some(h)).unwrap().0 == 200)
                    .count()
            })
        })
        .collect();
    let accepted: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(accepted, headers.len(), "each token accepted exactly once across all threads");
}

#[test]
fn bitzoom_client_refreshes_tokens_and_signs_requests() {
    let secret = b"bitzoom-jwt-secret";
    let mut service = BitzoomService::new(secret).with_test_tokens(true);
    service.add_api_key("bz-key", b"demo_secret_7f3b9c2d").unwrap();
    let base = serve(bitzoom_routes(Arc::new(service)));

    // A token that has already expired is replaced before use.
    let expired = BitzoomService::new(secret)
        .with_test_tokens(true)
        .with_lifetime_secs(-10)
        .issue_token("990016")
        .unwrap();
    let client = BitzoomClient::new(&base).with_token(Secret::new(expired)).with_test_user("990016");
    assert_eq!(client.balance().unwrap()["data"]["uid"], "990016");

    // A token the client still trusts (its margin reaches past exp) but the server calls
    // expired: -1002, then one refresh.
    let stale =
        BitzoomService::new(secret).with_test_tokens(true).with_lifetime_secs(-10).issue_token("7").unwrap();
    let trusting = BitzoomClient::new(&base)
        .with_token(Secret::new(stale))
        .with_test_user("7")
        .with_refresh_margin_secs(-3600);
    assert_eq!(trusting.balance().unwrap()["data"]["uid"], "7");

    // A token the server refuses (-1002 would come for an expired one; a bad signature gives
    // -1022 in JSON mode) is not retried without a way to refresh it.
    let forged = BitzoomService::new(b"other-secret").with_test_tokens(true).issue_token("1").unwrap();
    let no_refresh = BitzoomClient::new(&base).with_token(Secret::new(forged.clone()));
    assert!(matches!(no_refresh.balance(), Err(ClientError::Bitzoom { code: -1022, .. })));

    // HMAC-signed requests are accepted; a wrong secret is -1022.
    let signer =
        BitzoomClient::new(&base).with_api_key("bz-key", &Secret::new("demo_secret_7f3b9c2d".into()));
    assert_eq!(signer.signed_get("/api/v1/balance", "asset=USDT&b=2&a=1").unwrap()["data"]["uid"], "bz-key");
    let order = br#"{"symbol":"BTCUSDT","side":"BUY","quantity":"0.001"}"#;
    let placed = signer.signed_request("POST", "/api/v1/order", "", order).unwrap();
    assert_eq!(placed["data"]["order"]["quantity"], "0.001");
    let wrong = BitzoomClient::new(&base).with_api_key("bz-key", &Secret::new("nope".into()));
    assert!(matches!(wrong.signed_get("/api/v1/balance", ""), Err(ClientError::Bitzoom { code: -1022, .. })));

    // Bitzoom's framework answers a failed JWT with a bare 401: the client refreshes once.
    let bare = BitzoomService::new(secret).with_test_tokens(true).with_bare_401(true);
    let bare_base = serve(bitzoom_routes(Arc::new(bare)));
    let raw = ureq::get(&format!("{bare_base}/api/v1/balance"))
        .header("Authorization", &format!("Bearer {forged}"))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap();
    assert_eq!(raw.status().as_u16(), 401);
    let refreshing = BitzoomClient::new(&bare_base).with_token(Secret::new(forged)).with_test_user("42");
    assert_eq!(refreshing.balance().unwrap()["data"]["uid"], "42");
    assert!(
        signet_std::bitzoom::token_expires_in(
            &BitzoomClient::new(&bare_base).fetch_test_token("42").unwrap()
        )
        .unwrap()
            > 86_000
    );
}

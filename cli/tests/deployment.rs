//! Several `signet serve` instances behaving as one server (one PostgreSQL, one Redis, real
//! servers on loopback), revocation while serving, the key store going down and back, a
//! captured registration replayed, and `signet register` never losing an issued key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use core::time::Duration;
use std::process::{Command, Output};
use std::sync::{Arc, Barrier};
use std::time::Instant;

use serde_json::{Value, json};
use signet_core::eth::WalletKey;
use signet_core::turbine::order::{MarketId, Outcome, Side};
use signet_std::turbine::NewOrder;
use signet_std::{ClientError, TurbineApiKey, TurbineClient, os_rng};
use support::{PostgresServer, RedisServer, SIGNET, SignetServer, request, running_as_root, wait_for};

fn signet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_signet")).args(args).output().unwrap()
}

fn auth(server: &SignetServer, header: &str) -> (u16, String) {
    request("GET", &format!("{}/auth", server.base()), Some(header), None)
}

fn register(server: &SignetServer, wallet: &WalletKey) -> TurbineApiKey {
    TurbineClient::new(&server.base()).register_api_key(wallet, Some("deploy")).unwrap()
}

/// Polls until every server refuses `key`'s fresh tokens with `text`; returns how long it took.
fn until_refused(servers: &[&SignetServer], key: &TurbineApiKey, text: &str) -> Duration {
    let start = Instant::now();
    let want = format!(r#"{{"error":"{text}"}}"#);
    wait_for("the refusal", Duration::from_secs(5), || {
        servers.iter().all(|s| auth(s, &TurbineClient::bearer(key)) == (401, want.clone()))
    });
    start.elapsed()
}

#[test]
fn two_instances_on_one_postgres_and_one_redis_behave_as_one_server() {
    let (postgres, redis) = (PostgresServer::start(), RedisServer::start());
    let (pg, rd) = (postgres.url(), redis.url());
    let args = ["--key-store", pg.as_str(), "--replay-store", rd.as_str(), "--log-level", "warn"];
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut a = SignetServer::start(SIGNET, a_dir.path(), &args, &[]);
    let mut b = SignetServer::start(SIGNET, b_dir.path(), &args, &[]);

    // A key issued by A works at B; a token is accepted once across both.
    let key = register(&a, &WalletKey::generate(&mut os_rng()));
    assert_eq!(auth(&b, &TurbineClient::bearer(&key)).0, 200);
    let header = TurbineClient::bearer(&key);
    assert_eq!(auth(&a, &header).0, 200);
    assert_eq!(auth(&b, &header), (401, r#"{"error":"token already used"}"#.to_owned()));

    // Sixteen registrations of one wallet at once, half at A, half at B: one key.
    let wallet = WalletKey::generate(&mut os_rng());
    let signed = wallet.sign_registration();
    let body = json!({ "address": signed.address.to_checksummed().as_str(), "signature": signed.signature.to_hex().as_str() }).to_string();
    let barrier = Arc::new(Barrier::new(16));
    let bases = [a.base(), b.base()];
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let (url, body, barrier) =
                (format!("{}/api/v1/api-keys", bases[i % 2]), body.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                request("POST", &url, None, Some(&body))
            })
        })
        .collect();
    let answers: Vec<(u16, Value)> = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .map(|(s, b)| (s, serde_json::from_str(&b).unwrap()))
        .collect();
    let issued: Vec<_> = answers.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(issued.len(), 1, "{answers:?}");
    let winner = issued[0].1["api_key_id"].as_str().unwrap().to_owned();
    for (status, answer) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_eq!((*status, answer["api_key_id"].as_str()), (409, Some(winner.as_str())));
    }

    // One order book: an order posted at A is served at B, cancelled at B, seen cancelled at A,
    // and refused as a duplicate at either.
    let trader = WalletKey::generate(&mut os_rng());
    let trader_key = register(&a, &trader);
    let (at_a, at_b) = (TurbineClient::new(&a.base()), TurbineClient::new(&b.base()));
    let new = NewOrder {
        market_id: MarketId::parse(b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928")
            .unwrap(),
        side: Side::Buy,
        outcome: Outcome::No,
        price: 250_000,
        size: 40_000_000,
        expiration: None,
        nonce: None,
        maker_fee_recipient: None,
    };
    let posted = at_a.create_order(&trader_key, &mut &trader, &new).unwrap();
    let hash = posted.accepted.order_hash;
    assert_eq!(at_b.order(&trader_key, &hash).unwrap().status, "open");
    at_b.cancel_order(&trader_key, &hash, Some(&new.market_id), Some(Side::Buy)).unwrap();
    assert_eq!(at_a.order(&trader_key, &hash).unwrap().status, "cancelled");
    for client in [&at_a, &at_b] {
        match client.post_order_with(&TurbineClient::bearer(&trader_key), &posted.signed) {
            Err(ClientError::Status { status: 409, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    // Revoked through the shared store while both run: refused at both within a second.
    let out = signet(&["keys", "--key-store", &pg, "revoke", key.key_id.as_str()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let took = until_refused(&[&a, &b], &key, "API key is inactive");
    assert!(took < Duration::from_millis(1_500), "revocation took {took:?}");
    let listed = signet(&["keys", "--key-store", &pg, "--json", "list"]);
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["api_key_id"] == key.key_id.as_str() && k["status"] == "inactive")
    );

    // Both restarted: keys and used nonces are still known.
    let other = register(&b, &WalletKey::generate(&mut os_rng()));
    let used = TurbineClient::bearer(&other);
    assert_eq!(auth(&a, &used).0, 200);
    a.signal("TERM");
    b.signal("TERM");
    let a = SignetServer::start(SIGNET, a_dir.path(), &args, &[]);
    let b = SignetServer::start(SIGNET, b_dir.path(), &args, &[]);
    assert_eq!(auth(&b, &used), (401, r#"{"error":"token already used"}"#.to_owned()));
    assert_eq!(auth(&a, &TurbineClient::bearer(&other)).0, 200);
    assert_eq!(
        auth(&b, &TurbineClient::bearer(&key)),
        (401, r#"{"error":"API key is inactive"}"#.to_owned())
    );
}

#[test]
fn redb_keys_are_revoked_while_serving_and_only_by_the_data_folders_owner() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let server = SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn"], &[]);
    let key = register(&server, &WalletKey::generate(&mut os_rng()));
    let other = register(&server, &WalletKey::generate(&mut os_rng()));
    assert_eq!(auth(&server, &TurbineClient::bearer(&key)).0, 200);

    // Another user cannot use the admin socket (nor open the locked file).
    if running_as_root() {
        let out = Command::new("setpriv")
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_signet"))
            .args(["keys", "--data", data, "revoke", other.key_id.as_str()])
            .output()
            .unwrap();
        assert!(!out.status.success(), "a non-owner revoked a key: {}", String::from_utf8_lossy(&out.stdout));
    } else {
        // Without another user to test with, the socket's own protection is checked.
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let socket = signet_server::serve::admin::socket_path(dir.path());
        let meta = std::fs::metadata(&socket).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(socket.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(meta.uid(), std::fs::metadata(dir.path()).unwrap().uid());
    }
    assert_eq!(auth(&server, &TurbineClient::bearer(&other)).0, 200, "the other key is untouched");

    // The owner revokes and expires while the server runs: the very next token is refused.
    let out = signet(&["keys", "--data", data, "revoke", key.key_id.as_str()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        auth(&server, &TurbineClient::bearer(&key)),
        (401, r#"{"error":"API key is inactive"}"#.to_owned())
    );
    let out = signet(&["keys", "--data", data, "expire", other.key_id.as_str()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        auth(&server, &TurbineClient::bearer(&other)),
        (401, r#"{"error":"API key has expired"}"#.to_owned())
    );
    let listed = String::from_utf8(signet(&["keys", "--data", data, "list"]).stdout).unwrap();
    assert!(
        listed.contains(&format!("{}  inactive", key.key_id))
            && listed.contains(&format!("{}  expired", other.key_id)),
        "{listed}"
    );
}

#[test]
fn postgres_down_cached_keys_work_until_their_ttl_then_503_and_it_recovers() {
    let mut postgres = PostgresServer::start();
    let dir = tempfile::tempdir().unwrap();
    let pg = postgres.url();
    let args = [
        "--key-store",
        pg.as_str(),
        "--key-cache-ttl-ms",
        "2000",
        "--key-store-timeout-ms",
        "300",
        "--log-level",
        "warn",
    ];
    let server = SignetServer::start(SIGNET, dir.path(), &args, &[]);
    let key = register(&server, &WalletKey::generate(&mut os_rng()));
    assert_eq!(auth(&server, &TurbineClient::bearer(&key)).0, 200);
    postgres.stop();
    let stopped = Instant::now();
    // Within the cache's lifetime the key keeps working.
    assert_eq!(auth(&server, &TurbineClient::bearer(&key)).0, 200);
    assert!(stopped.elapsed() < Duration::from_millis(1_500));
    // Past it: 503, never an acceptance; registration 503 too; readiness names the store.
    std::thread::sleep(Duration::from_millis(2_200));
    for _ in 0..3 {
        assert_eq!(
            auth(&server, &TurbineClient::bearer(&key)),
            (503, r#"{"error":"key store unavailable"}"#.to_owned())
        );
    }
    let wallet = WalletKey::generate(&mut os_rng());
    let signed = wallet.sign_registration();
    let body = json!({ "address": signed.address.to_checksummed().as_str(), "signature": signed.signature.to_hex().as_str() }).to_string();
    let (status, _) = request("POST", &format!("{}/api/v1/api-keys", server.base()), None, Some(&body));
    assert_eq!(status, 503);
    let (status, ready) = request("GET", &format!("{}/readyz", server.base()), None, None);
    assert_eq!((status, ready.contains("key store")), (503, true), "{ready}");
    postgres.restart();
    wait_for("recovery", Duration::from_secs(15), || auth(&server, &TurbineClient::bearer(&key)).0 == 200);
    assert_eq!(request("POST", &format!("{}/api/v1/api-keys", server.base()), None, Some(&body)).0, 200);
}

#[test]
fn a_captured_registration_replayed_after_revocation_gets_no_key() {
    let dir = tempfile::tempdir().unwrap();
    let server = SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn"], &[]);
    let url = format!("{}/api/v1/api-keys", server.base());
    let wallet = WalletKey::generate(&mut os_rng());
    let signed = wallet.sign_registration();
    // What a proxy log would hold: the exact body the official client sends.
    let captured = json!({ "address": signed.address.to_checksummed().as_str(), "signature": signed.signature.to_hex().as_str() }).to_string();
    let (status, body) = request("POST", &url, None, Some(&captured));
    assert_eq!(status, 200, "{body}");
    let first: Value = serde_json::from_str(&body).unwrap();
    let kid = first["api_key_id"].as_str().unwrap();
    let data = dir.path().to_str().unwrap();
    assert!(signet(&["keys", "--data", data, "revoke", kid]).status.success());
    let (status, body) = request("POST", &url, None, Some(&captured));
    assert_eq!(status, 403, "the replay got a key: {body}");
    assert!(body.contains("timestamped registration message"), "{body}");
    assert!(!body.contains("api_private_key"));
    // The owner, who holds the wallet key, signs the timestamped message (the client does
    // it when the server asks), once.
    let again = register(&server, &wallet);
    assert_ne!(again.key_id.as_str(), kid);
    assert_eq!(auth(&server, &TurbineClient::bearer(&again)).0, 200);
    assert!(signet(&["keys", "--data", data, "revoke", again.key_id.as_str()]).status.success());
    // A second later than the client's own timestamped registration (each must be newer).
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let now = signet_core::UnixTime(i64::try_from(secs).unwrap() + 1);
    let timed = wallet.sign_reregistration(now);
    let body = json!({
        "address": timed.address.to_checksummed().as_str(),
        "signature": timed.signature.to_hex().as_str(),
        "timestamp": now.0,
    })
    .to_string();
    let (status, issued) = request("POST", &url, None, Some(&body));
    assert_eq!(status, 200, "{issued}");
    let third: Value = serde_json::from_str(&issued).unwrap();
    assert!(
        signet(&["keys", "--data", data, "revoke", third["api_key_id"].as_str().unwrap()]).status.success()
    );
    let (status, replayed) = request("POST", &url, None, Some(&body));
    assert_eq!(status, 401, "a timestamped body replayed got a key: {replayed}");
    // Names are bounded.
    let stranger = WalletKey::generate(&mut os_rng()).sign_registration();
    let long = json!({
        "address": stranger.address.to_checksummed().as_str(),
        "signature": stranger.signature.to_hex().as_str(),
        "name": "n".repeat(1_000),
    })
    .to_string();
    let (status, body) = request("POST", &url, None, Some(&long));
    assert_eq!((status, body.contains("at most 64 printable characters")), (400, true), "{body}");
}

#[test]
fn signet_register_never_loses_an_issued_key() {
    let dir = tempfile::tempdir().unwrap();
    let server = SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn"], &[]);
    let wallet = WalletKey::generate(&mut os_rng());
    let private = format!("0x{}", hex::encode(wallet.to_bytes().as_ref()));
    let run = |out: &str| {
        Command::new(env!("CARGO_BIN_EXE_signet"))
            .args(["register", "--host", &server.base(), "--out", out])
            .env("TURBINE_PRIVATE_KEY", &private)
            .output()
            .unwrap()
    };
    let refused = run("/missing-dir/creds");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("nothing was registered"));
    // Nothing was issued: the wallet registers normally afterwards (no 409).
    let out = dir.path().join("creds");
    let done = run(out.to_str().unwrap());
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("TURBINE_API_KEY_ID=") && written.contains("TURBINE_API_PRIVATE_KEY="));
}

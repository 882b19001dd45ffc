//! Replay protection between processes, through the built `signet serve` over loopback HTTP:
//! two instances on one Redis accept a token once; a token used before a restart (SIGTERM or
//! kill -9) is refused after it, with the memory store (its journal) and with Redis.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::path::Path;

use signet_core::eth::WalletKey;
use signet_std::{TurbineApiKey, TurbineClient, os_rng};
use support::{RedisServer, SIGNET, SignetServer, request};

/// Registers a new wallet's key at `server`.
fn register(server: &SignetServer) -> TurbineApiKey {
    TurbineClient::new(&server.base())
        .register_api_key(&WalletKey::generate(&mut os_rng()), Some("replay-test"))
        .unwrap()
}

fn auth(server: &SignetServer, header: &str) -> (u16, String) {
    request("GET", &format!("{}/auth", server.base()), Some(header), None)
}

const USED: (u16, &str) = (401, r#"{"error":"token already used"}"#);

#[test]
fn two_instances_on_one_redis_accept_a_token_once() {
    let redis = RedisServer::start();
    let url = redis.url();
    let store = ["--replay-store", url.as_str()];
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Until the registry is shared (PostgreSQL), B gets a copy of A's keys.
    let mut a = SignetServer::start(SIGNET, a_dir.path(), &store, &[]);
    let key = register(&a);
    a.signal("TERM");
    std::fs::copy(a_dir.path().join("keys.redb"), b_dir.path().join("keys.redb")).unwrap();
    let a = SignetServer::start(SIGNET, a_dir.path(), &store, &[]);
    let b = SignetServer::start(SIGNET, b_dir.path(), &store, &[]);
    for (first, second) in [(&a, &b), (&b, &a)] {
        let header = TurbineClient::bearer(&key);
        let (status, body) = auth(first, &header);
        assert_eq!(status, 200, "{body}");
        let (status, body) = auth(second, &header);
        assert_eq!((status, body.as_str()), USED);
    }
}

/// A token is used, the server is stopped with `signal` and started again on the same data:
/// the token is refused.
fn used_token_stays_used_across_a_restart(data: &Path, args: &[&str], signal: &str) {
    let mut server = SignetServer::start(SIGNET, data, args, &[]);
    let key = register(&server);
    let header = TurbineClient::bearer(&key);
    assert_eq!(auth(&server, &header).0, 200);
    assert_eq!(auth(&server, &header), (USED.0, USED.1.to_owned()));
    server.signal(signal);
    let server = SignetServer::start(SIGNET, data, args, &[]);
    assert_eq!(auth(&server, &header), (USED.0, USED.1.to_owned()), "after {signal}");
    // A fresh token of the same key is accepted at once.
    assert_eq!(auth(&server, &TurbineClient::bearer(&key)).0, 200);
}

#[test]
fn memory_store_a_token_used_before_a_restart_is_refused_after_it() {
    for signal in ["TERM", "KILL"] {
        let dir = tempfile::tempdir().unwrap();
        used_token_stays_used_across_a_restart(dir.path(), &[], signal);
    }
}

#[test]
fn redis_store_a_token_used_before_a_restart_is_refused_after_it() {
    let redis = RedisServer::start();
    let url = redis.url();
    for signal in ["TERM", "KILL"] {
        let dir = tempfile::tempdir().unwrap();
        used_token_stays_used_across_a_restart(dir.path(), &["--replay-store", &url], signal);
    }
}

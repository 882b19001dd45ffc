//! Keys are free to register, so the third review registered nine and filled the memory
//! replay store (every other key got 503 for minutes), and registered 300 in 2.4 s. Here, on
//! loopback against the real binary: registrations are limited per source address and
//! overall (only issued keys count), and the review's nine keys, each taking all it may,
//! leave room for a key registered after them. Figures are printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::collections::BTreeMap;

use signet_core::eth::WalletKey;
use signet_std::{ClientError, TurbineApiKey, TurbineClient, os_rng};
use support::{SIGNET, SignetServer, metric, request};

fn register(server: &SignetServer) -> Result<TurbineApiKey, ClientError> {
    TurbineClient::new(&server.base()).register_api_key(&WalletKey::generate(&mut os_rng()), Some("free"))
}

fn status_of(result: Result<TurbineApiKey, ClientError>) -> (u16, String) {
    match result {
        Ok(_) => (200, String::new()),
        Err(ClientError::Status { status, body }) => (status, body),
        Err(e) => panic!("{e}"),
    }
}

fn serve(dir: &tempfile::TempDir, extra: &[&str]) -> SignetServer {
    let mut args = vec!["--log-level", "warn"];
    args.extend_from_slice(extra);
    SignetServer::start(SIGNET, dir.path(), &args, &[])
}

#[test]
fn registrations_are_limited_per_address_and_overall_and_only_issued_keys_count() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir, &["--registrations-per-address-per-hour", "3", "--registrations-per-hour", "0"]);
    // Refused registrations spend nothing: a wrong signature, five times.
    let wrong = format!(
        r#"{{"address":"{}","signature":"0x{}"}}"#,
        WalletKey::generate(&mut os_rng()).address(),
        "11".repeat(65)
    );
    for _ in 0..5 {
        let (status, _) = request("POST", &format!("{}/api/v1/api-keys", server.base()), None, Some(&wrong));
        assert!(status == 400 || status == 401, "{status}");
    }
    let statuses: Vec<(u16, String)> = (0..5).map(|_| status_of(register(&server))).collect();
    println!(
        "registrations from one address at 3 an hour: {:?}",
        statuses.iter().map(|s| s.0).collect::<Vec<_>>()
    );
    assert_eq!(statuses.iter().filter(|s| s.0 == 200).count(), 3);
    assert_eq!(
        statuses[3],
        (429, r#"{"error":"too many registrations: try again later","success":false}"#.to_owned())
    );

    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir, &["--registrations-per-address-per-hour", "0", "--registrations-per-hour", "2"]);
    let overall: Vec<u16> = (0..4).map(|_| status_of(register(&server)).0).collect();
    println!("registrations from everyone at 2 an hour: {overall:?}");
    assert_eq!(overall, [200, 200, 429, 429]);
}

#[test]
fn the_reviews_nine_free_keys_leave_room_for_a_key_registered_after_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir, &["--replay-capacity", "4096"]);
    let auth = |key: &TurbineApiKey| {
        request("GET", &format!("{}/auth", server.base()), Some(&TurbineClient::bearer(key)), None).0
    };
    let mut taken = Vec::new();
    let mut refusals = BTreeMap::new();
    for _ in 0..9 {
        let key = register(&server).unwrap();
        let mut n = 0;
        loop {
            let status = auth(&key);
            if status != 200 {
                *refusals.entry(status).or_insert(0) += 1;
                break;
            }
            n += 1;
            assert!(n <= 600, "a key took more than its share");
        }
        taken.push(n);
    }
    let held = metric(
        &request("GET", &format!("{}/metrics", server.base()), None, None).1,
        "signet_replay_store_entries ",
    );
    let newcomer = register(&server).unwrap();
    let served = (0..20).filter(|_| auth(&newcomer) == 200).count();
    println!(
        "signet serve, replay capacity 4096: nine free keys took {taken:?} ({held} nonces held, refusals {refusals:?}); \
         a key registered after them: {served} of 20 tokens accepted"
    );
    assert_eq!(refusals.keys().copied().collect::<Vec<_>>(), [429], "the store filled up: {refusals:?}");
    assert_eq!(served, 20);
}

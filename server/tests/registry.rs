//! Key registry semantics, written once and run against both stores: the redb file and a real
//! PostgreSQL (a throwaway cluster on a free loopback port; Debian package `postgresql`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::sync::{Arc, Barrier};

use signet_core::UnixTime;
use signet_core::ed25519_dalek::SigningKey;
use signet_core::eth::Address;
use signet_core::turbine::{KeyId, KeyRecord, KeyStatus};
use signet_server::Registry;
use signet_server::store::{Entry, KeyRegistry, KeySource, Proof, RedbRegistry, RegistryError};
use support::{PostgresServer, block, postgres_registry};

fn entry(kid: &str, wallet: u8, name: Option<&str>) -> Entry {
    Entry {
        kid: KeyId::new(kid).unwrap(),
        record: KeyRecord::active(SigningKey::from_bytes(&[wallet; 32]).verifying_key()),
        wallet: Address::from_bytes([wallet; 20]),
        created_at: UnixTime(1_000),
        name: name.map(str::to_owned),
    }
}

fn kid(s: &str) -> KeyId {
    KeyId::new(s).unwrap()
}

const NOW: UnixTime = UnixTime(2_000);

/// The cases both registries must pass; `open` gives a fresh handle on the same store.
async fn semantics<F: core::future::Future<Output = Registry>>(open: impl Fn() -> F) {
    let registry = open().await;
    registry.register(&entry("k1", 7, Some("bot ✓")), Proof::Documented, NOW).await.unwrap();
    // One usable key per wallet, with either proof.
    for proof in [Proof::Documented, Proof::Timestamped(NOW)] {
        match registry.register(&entry("k2", 7, None), proof, NOW).await {
            Err(RegistryError::WalletHasKey(existing)) => assert_eq!(existing, kid("k1")),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        registry.register(&entry("k1", 8, None), Proof::Documented, NOW).await,
        Err(RegistryError::DuplicateKeyId)
    ));
    let got = registry.get(&kid("k1")).await.unwrap().unwrap();
    assert_eq!(got, entry("k1", 7, Some("bot ✓")));
    assert_eq!(registry.lookup_key(&kid("k1")).await.unwrap().unwrap().status, KeyStatus::Active);
    assert!(registry.lookup_key(&kid("nope")).await.unwrap().is_none());

    // A new handle (a restart, another instance) sees the same keys.
    drop(registry);
    let registry = open().await;
    let revoked = registry.revoke(&kid("k1")).await.unwrap();
    assert_eq!(revoked.record.status, KeyStatus::Inactive);
    assert_eq!(registry.lookup_key(&kid("k1")).await.unwrap().unwrap().status, KeyStatus::Inactive);
    // The wallet has had a key: the documented proof is not taken again, a fresh timestamp is,
    // once.
    assert!(matches!(
        registry.register(&entry("k2", 7, None), Proof::Documented, NOW).await,
        Err(RegistryError::WalletRegisteredBefore)
    ));
    registry.register(&entry("k2", 7, None), Proof::Timestamped(NOW), NOW).await.unwrap();
    registry.set_expiry(&kid("k2"), Some(NOW)).await.unwrap();
    assert!(matches!(
        registry.register(&entry("k3", 7, None), Proof::Timestamped(NOW), NOW).await,
        Err(RegistryError::StaleTimestamp)
    ));
    // An expired key frees the wallet too.
    registry.register(&entry("k3", 7, None), Proof::Timestamped(UnixTime(NOW.0 + 1)), NOW).await.unwrap();
    let cleared = registry.set_expiry(&kid("k3"), Some(UnixTime(5_000))).await.unwrap();
    assert_eq!(cleared.record.expires_at, Some(UnixTime(5_000)));
    assert_eq!(registry.set_expiry(&kid("k3"), None).await.unwrap().record.expires_at, None);
    let listed: Vec<String> = registry.list().await.unwrap().iter().map(|e| e.kid.to_string()).collect();
    assert_eq!(listed, ["k1", "k2", "k3"]);
    assert!(matches!(registry.revoke(&kid("missing")).await, Err(RegistryError::NotFound)));
    assert!(registry.is_ready().await);
}

/// Sixteen registrations of one wallet at once, each through its own handle: one key.
async fn concurrent_registrations_issue_one_key(open: impl Fn() -> Registry + Send + Sync + 'static) {
    let open = Arc::new(open);
    let barrier = Arc::new(Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let (open, barrier) = (Arc::clone(&open), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                let registry = open();
                barrier.wait();
                runtime.block_on(registry.register(&entry(&format!("c{i}"), 9, None), Proof::Documented, NOW))
            })
        })
        .collect();
    let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let issued: Vec<_> = outcomes.iter().filter(|o| o.is_ok()).collect();
    assert_eq!(issued.len(), 1, "{outcomes:?}");
    let winner = (0..16).find(|&i| outcomes[i].is_ok()).unwrap();
    for outcome in outcomes.iter().filter(|o| o.is_err()) {
        match outcome {
            Err(RegistryError::WalletHasKey(existing)) => {
                assert_eq!(existing.to_string(), format!("c{winner}"))
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn redb_registry_semantics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    block(semantics(|| async { Registry::from(RedbRegistry::open_or_create(&path).unwrap()) }));
}

#[test]
fn redb_concurrent_registrations_issue_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Arc::new(RedbRegistry::open_or_create(&dir.path().join("keys.redb")).unwrap());
    // One file, one handle shared by the threads (redb serialises write transactions).
    let barrier = Arc::new(Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let (registry, barrier) = (Arc::clone(&registry), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                registry.register(&entry(&format!("c{i}"), 9, None), Proof::Documented, NOW)
            })
        })
        .collect();
    let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| o.is_ok() || matches!(o, Err(RegistryError::WalletHasKey(_)))));
}

#[test]
fn postgres_registry_semantics() {
    let server = PostgresServer::start();
    let url = server.url();
    block(semantics(|| postgres_registry(&url, 2)));
}

#[test]
fn postgres_concurrent_registrations_issue_one_key() {
    let server = PostgresServer::start();
    let url = server.url();
    block(concurrent_registrations_issue_one_key(move || block(postgres_registry(&url, 2))));
}

#[test]
fn postgres_down_is_unavailable_and_heals() {
    let mut server = PostgresServer::start();
    let registry = block(postgres_registry(&server.url(), 2));
    block(registry.register(&entry("k1", 1, None), Proof::Documented, NOW)).unwrap();
    server.stop();
    assert!(block(registry.lookup_key(&kid("k1"))).is_err());
    assert!(matches!(
        block(registry.register(&entry("k2", 2, None), Proof::Documented, NOW)),
        Err(RegistryError::Unavailable)
    ));
    assert!(!block(registry.is_ready()));
    server.restart();
    support::wait_for("PostgreSQL again", core::time::Duration::from_secs(10), || {
        block(registry.lookup_key(&kid("k1"))).is_ok_and(|r| r.is_some())
    });
}

#[test]
fn postgres_schema_error_is_not_an_outage() {
    // A missing table is a fault of the deployment, not a database that is down: it must say
    // what is wrong (and not ask clients to retry with a 503).
    let server = PostgresServer::start();
    let url = server.url();
    let registry = block(postgres_registry(&url, 2));
    block(registry.register(&entry("k1", 1, None), Proof::Documented, NOW)).unwrap();
    let rename = |sql: &'static str| {
        block(async {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            client.batch_execute(sql).await.unwrap();
        });
    };
    rename("ALTER TABLE signet_api_keys RENAME TO signet_api_keys_moved");
    match block(registry.register(&entry("k2", 2, None), Proof::Documented, NOW)) {
        Err(RegistryError::Database(detail)) => {
            let detail = detail.detail();
            assert!(detail.contains("signet_api_keys") && detail.contains("42P01"), "{detail}");
            assert!(!detail.contains(&url), "{detail}");
        }
        other => panic!("expected a database error naming the table, got {other:?}"),
    }
    assert!(block(registry.is_ready()), "the database itself still answers");
    rename("ALTER TABLE signet_api_keys_moved RENAME TO signet_api_keys");
    block(registry.register(&entry("k2", 2, None), Proof::Documented, NOW)).unwrap();
}

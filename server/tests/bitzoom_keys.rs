//! Bitzoom HMAC keys in the key store, written once and run against both registries (redb and a
//! real PostgreSQL; Debian package `postgresql`): the 20-key limit, disable/enable, revoke for
//! good, persistence; and with PostgreSQL, the limit under concurrent creation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use signet_core::UnixTime;
use signet_server::Registry;
use signet_server::bitzoom::keys::{
    BitzoomKey, BitzoomKeyError, BitzoomKeyStatus, MAX_KEYS_PER_ACCOUNT, Permissions, parse_network,
};
use signet_server::store::{BitzoomKeyStore, RedbRegistry, RegistryError};
use support::{PostgresServer, block, postgres_registry};

fn key(account: &str, t: i64) -> BitzoomKey {
    let allow = vec![parse_network("127.0.0.1").unwrap(), parse_network("10.0.0.0/8").unwrap()];
    BitzoomKey::generate(account, "READ,TRADE".parse().unwrap(), allow, Some(format!("k{t}")), UnixTime(t))
}

async fn semantics<F: core::future::Future<Output = Registry>>(open: impl Fn() -> F) {
    let registry = open().await;
    let first = key("alice", 1);
    registry.create_bitzoom_key(&first).await.unwrap();
    for t in 2..=i64::try_from(MAX_KEYS_PER_ACCOUNT).unwrap() {
        registry.create_bitzoom_key(&key("alice", t)).await.unwrap();
    }
    assert!(matches!(
        registry.create_bitzoom_key(&key("alice", 99)).await,
        Err(BitzoomKeyError::TooManyKeys)
    ));
    // Another account has its own 20.
    registry.create_bitzoom_key(&key("bob", 1)).await.unwrap();

    // A new handle (a restart, another instance) reads the same keys, secrets included.
    drop(registry);
    let registry = open().await;
    assert_eq!(registry.bitzoom_key(&first.api_key).await.unwrap().unwrap(), first);
    assert!(registry.bitzoom_key("unknown").await.unwrap().is_none());
    let alices = registry.bitzoom_keys(Some("alice")).await.unwrap();
    assert_eq!(alices.len(), MAX_KEYS_PER_ACCOUNT);
    assert_eq!(alices[0], first, "listed in creation order");
    assert_eq!(registry.bitzoom_keys(None).await.unwrap().len(), MAX_KEYS_PER_ACCOUNT + 1);

    // Disable and enable; revoke for good, which frees a place.
    let disabled = registry.set_bitzoom_key_status(&first.api_key, BitzoomKeyStatus::Disabled).await.unwrap();
    assert_eq!(disabled.status, BitzoomKeyStatus::Disabled);
    assert!(matches!(
        registry.create_bitzoom_key(&key("alice", 98)).await,
        Err(BitzoomKeyError::TooManyKeys)
    ));
    registry.set_bitzoom_key_status(&first.api_key, BitzoomKeyStatus::Active).await.unwrap();
    registry.set_bitzoom_key_status(&first.api_key, BitzoomKeyStatus::Revoked).await.unwrap();
    assert!(matches!(
        registry.set_bitzoom_key_status(&first.api_key, BitzoomKeyStatus::Active).await,
        Err(BitzoomKeyError::Revoked)
    ));
    assert_eq!(
        registry.bitzoom_key(&first.api_key).await.unwrap().unwrap().status,
        BitzoomKeyStatus::Revoked
    );
    registry.create_bitzoom_key(&key("alice", 97)).await.unwrap();
    assert!(matches!(
        registry.set_bitzoom_key_status("unknown", BitzoomKeyStatus::Disabled).await,
        Err(BitzoomKeyError::NotFound)
    ));
    let permissions: Permissions = "READ".parse().unwrap();
    assert_ne!(first.permissions, permissions);
}

#[test]
fn redb_bitzoom_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    block(semantics(|| async { Registry::from(RedbRegistry::open(&path).unwrap()) }));
}

#[test]
fn postgres_bitzoom_keys() {
    let server = PostgresServer::start();
    let url = server.url();
    block(semantics(|| postgres_registry(&url, 4)));
}

#[test]
fn postgres_twenty_five_creations_at_once_make_twenty_keys() {
    let server = PostgresServer::start();
    let url = server.url();
    block(postgres_registry(&url, 4));
    let outcomes = support::at_once(25, move |t, runtime| {
        let registry = runtime.block_on(postgres_registry(&url, 4));
        runtime.block_on(registry.create_bitzoom_key(&key("racer", t as i64)))
    });
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), MAX_KEYS_PER_ACCOUNT, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| o.is_ok() || matches!(o, Err(BitzoomKeyError::TooManyKeys))));
    assert_eq!(
        block(block(postgres_registry(&server.url(), 4)).bitzoom_keys(Some("racer"))).unwrap().len(),
        MAX_KEYS_PER_ACCOUNT
    );
}

#[test]
fn postgres_down_is_unavailable() {
    let mut server = PostgresServer::start();
    let registry = block(postgres_registry(&server.url(), 4));
    server.stop();
    assert!(matches!(block(registry.bitzoom_key("k")), Err(RegistryError::Unavailable)));
    assert!(matches!(
        block(registry.create_bitzoom_key(&key("a", 1))),
        Err(BitzoomKeyError::Registry(RegistryError::Unavailable))
    ));
}

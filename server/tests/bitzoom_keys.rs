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
use signet_server::store::{BitzoomKeyStore, RedbRegistry, RegistryError, SealError, SecretSealer};
use support::{PostgresServer, block, postgres_registry, redb_registry};

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
    block(semantics(|| async { redb_registry(&path) }));
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

/// What a registry does with secrets at rest: sealed (the stored bytes hold no secret), opened
/// only with the key that sealed them (or that key given as the previous one), resealed with
/// the current key at start; a secret stored in clear by an older version is sealed then too.
async fn sealing<F: core::future::Future<Output = Registry>>(
    open: impl Fn(std::sync::Arc<SecretSealer>) -> F,
    raw_secrets: impl Fn() -> Vec<String>,
    store_clear: impl Fn(&str, &str),
) {
    let old = std::sync::Arc::new(SecretSealer::new(&[1; 32]));
    let registry = open(std::sync::Arc::clone(&old)).await;
    let first = key("sealed", 1);
    registry.create_bitzoom_key(&first).await.unwrap();
    drop(registry);
    let stored = raw_secrets();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with("sealed:v1:") && !stored[0].contains(first.secret.expose()), "{stored:?}");

    // Another key cannot open it; no key cannot either.
    let other = open(std::sync::Arc::new(SecretSealer::new(&[2; 32]))).await;
    assert!(matches!(
        other.bitzoom_key(&first.api_key).await,
        Err(RegistryError::Sealing(SealError::UnknownKey(_)))
    ));
    drop(other);

    // An older version's clear secret, beside the sealed one.
    let legacy = key("sealed", 2);
    store_clear(&legacy.api_key, legacy.secret.expose());

    // Rotation: the new key with the old as previous opens both and reseals both.
    let rotating = open(std::sync::Arc::new(SecretSealer::new(&[2; 32]).with_previous(&[1; 32]))).await;
    assert_eq!(rotating.bitzoom_key(&first.api_key).await.unwrap().unwrap(), first);
    assert_eq!(rotating.reseal_bitzoom_secrets().await.unwrap(), 2);
    assert_eq!(rotating.reseal_bitzoom_secrets().await.unwrap(), 0);
    drop(rotating);
    let stored = raw_secrets();
    assert!(
        stored.iter().all(|s| s.starts_with("sealed:v1:") && !s.contains(legacy.secret.expose())),
        "{stored:?}"
    );
    // The old key is no longer needed.
    let rotated = open(std::sync::Arc::new(SecretSealer::new(&[2; 32]))).await;
    assert_eq!(rotated.bitzoom_key(&first.api_key).await.unwrap().unwrap(), first);
    let read = rotated.bitzoom_key(&legacy.api_key).await.unwrap().unwrap();
    assert_eq!(read.secret.expose(), legacy.secret.expose());
}

#[test]
fn redb_secrets_are_sealed_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    let table: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("bitzoom_keys");
    // The stored values, read with redb itself: each key's "secret" field.
    let raw = || {
        use redb::{ReadableDatabase as _, ReadableTable as _};
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_read().unwrap();
        let table = txn.open_table(table).unwrap();
        table
            .iter()
            .unwrap()
            .map(|item| {
                let value: serde_json::Value = serde_json::from_slice(item.unwrap().1.value()).unwrap();
                value["secret"].as_str().unwrap().to_owned()
            })
            .collect::<Vec<_>>()
    };
    let store_clear = |api_key: &str, secret: &str| {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(table).unwrap();
            let value = serde_json::json!({
                "account": "sealed", "label": null, "permissions": 3, "allowed_ips": [],
                "status": "active", "created_at": 2, "secret": secret,
            });
            table.insert(api_key, value.to_string().as_bytes()).unwrap();
        }
        txn.commit().unwrap();
    };
    block(sealing(
        |sealer| {
            let path = path.clone();
            async move { Registry::from(RedbRegistry::open_or_create(&path).unwrap()).with_sealer(sealer) }
        },
        raw,
        store_clear,
    ));
}

#[test]
fn postgres_secrets_are_sealed_at_rest() {
    let server = PostgresServer::start();
    let url = server.url();
    // Plain SQL on a thread of its own (the test body runs inside a runtime).
    let sql = |statement: &'static str, params: Vec<String>| -> Vec<String> {
        let url = url.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let (client, connection) =
                    tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(connection);
                let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
                client
                    .query(statement, &params)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get::<_, String>(0))
                    .collect()
            })
        })
        .join()
        .unwrap()
    };
    let raw = || sql("SELECT secret FROM signet_bitzoom_keys ORDER BY created_at", Vec::new());
    let store_clear = |api_key: &str, secret: &str| {
        sql(
            "INSERT INTO signet_bitzoom_keys (api_key, account, label, permissions, allowed_ips, status, created_at, secret) \
             VALUES ($1, 'sealed', NULL, 3, '', 'active', 2, $2) RETURNING api_key",
            vec![api_key.to_owned(), secret.to_owned()],
        );
    };
    block(sealing(
        |sealer| {
            let url = url.clone();
            async move {
                let config = signet_server::store::PostgresConfig::default();
                Registry::from(signet_server::store::PostgresRegistry::connect(&url, config).await.unwrap())
                    .with_sealer(sealer)
            }
        },
        raw,
        store_clear,
    ));
}

/// The third review: resealing 20,000 clear secrets ran in one `--key-store-timeout-ms` window
/// (1 s) and failed after 914. Now it goes in batches, each in a transaction and timeout of
/// its own, so it completes; and a second start finds nothing left to reseal.
#[test]
fn postgres_reseals_twenty_thousand_secrets_in_batches_within_a_one_second_timeout() {
    let server = PostgresServer::start();
    let url = server.url();
    block(async {
        let config = signet_server::store::PostgresConfig::default();
        drop(signet_server::store::PostgresRegistry::connect(&url, config).await.unwrap());
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client
            .execute(
                "INSERT INTO signet_bitzoom_keys \
                 (api_key, account, label, permissions, allowed_ips, status, created_at, secret) \
                 SELECT 'bz' || lpad(n::text, 8, '0'), 'acct' || (n % 1000), NULL, 3, '', 'active', n, \
                        md5(n::text) || md5((n + 1)::text) \
                 FROM generate_series(1, 20000) n",
                &[],
            )
            .await
            .unwrap();
    });
    let open = || async {
        let config = signet_server::store::PostgresConfig {
            timeout: core::time::Duration::from_secs(1),
            ..signet_server::store::PostgresConfig::default()
        };
        Registry::from(signet_server::store::PostgresRegistry::connect(&url, config).await.unwrap())
            .with_sealer(support::test_sealer())
    };
    let started = std::time::Instant::now();
    let registry = block(open());
    let resealed = block(registry.reseal_bitzoom_secrets()).unwrap();
    let took = started.elapsed();
    assert_eq!(block(registry.sealed_bitzoom_secrets()).unwrap(), 20_000);
    let again = block(block(open()).reseal_bitzoom_secrets()).unwrap();
    println!(
        "postgres reseal: {resealed} clear secrets sealed in {took:?} with a 1 s timeout per batch of 500; \
         a second start resealed {again}"
    );
    assert_eq!((resealed, again), (20_000, 0));
    // Every secret opens: the one of key 17 is what was stored in clear.
    let key = block(registry.bitzoom_key("bz00000017")).unwrap().unwrap();
    assert_eq!(key.account, "acct17");
}

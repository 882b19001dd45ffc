//! What the server's tests share: the workspace's test support, and a PostgreSQL registry.
#![allow(dead_code, unused_imports)]

pub use signet_testing::*;

/// The secrets key the tests' registries seal Bitzoom secrets with.
pub const TEST_SECRETS_KEY: [u8; 32] = [9; 32];

/// A sealer with [`TEST_SECRETS_KEY`].
pub fn test_sealer() -> std::sync::Arc<signet_server::store::SecretSealer> {
    std::sync::Arc::new(signet_server::store::SecretSealer::new(&TEST_SECRETS_KEY))
}

/// A registry on the PostgreSQL at `url`, with a pool of `pool_size` connections, sealing
/// Bitzoom secrets with [`TEST_SECRETS_KEY`].
#[cfg(feature = "postgres")]
pub async fn postgres_registry(url: &str, pool_size: usize) -> signet_server::Registry {
    let config =
        signet_server::store::PostgresConfig { pool_size, ..signet_server::store::PostgresConfig::default() };
    signet_server::Registry::from(signet_server::store::PostgresRegistry::connect(url, config).await.unwrap())
        .with_sealer(test_sealer())
}

/// The redb registry at `path`, sealing Bitzoom secrets with [`TEST_SECRETS_KEY`].
pub fn redb_registry(path: &std::path::Path) -> signet_server::Registry {
    signet_server::Registry::from(signet_server::store::RedbRegistry::open_or_create(path).unwrap())
        .with_sealer(test_sealer())
}

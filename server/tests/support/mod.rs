//! What the server's tests share: the workspace's test support, and a PostgreSQL registry.
#![allow(dead_code, unused_imports)]

pub use signet_testing::*;

/// A registry on the PostgreSQL at `url`, with a pool of `pool_size` connections.
#[cfg(feature = "postgres")]
pub async fn postgres_registry(url: &str, pool_size: usize) -> signet_server::Registry {
    let config =
        signet_server::store::PostgresConfig { pool_size, ..signet_server::store::PostgresConfig::default() };
    signet_server::Registry::from(signet_server::store::PostgresRegistry::connect(url, config).await.unwrap())
}

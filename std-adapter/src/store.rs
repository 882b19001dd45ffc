//! Where a server keeps its state: the key registry (with the orders keys posted) and the
//! replay stores.

mod bitzoom_keys;
pub mod key_cache;
pub mod memory;
pub mod orders;
pub mod postgres;
mod postgres_orders;
pub mod redb;
mod redb_orders;
pub mod redis;
pub mod registry;
pub mod replay_store;
pub mod sharded;

pub use self::redb::{Entry, RedbRegistry, RegistryError};
pub use self::redis::{DEFAULT_REDIS_TIMEOUT, RedisReplayConfig, RedisReplayStore};
pub use key_cache::{Cached, DEFAULT_KEY_CACHE_TTL, KeyCache};
pub use memory::{DEFAULT_REPLAY_CAPACITY, MemoryReplayConfig, MemoryReplayStore, ReplayStats};
pub use orders::{MAX_ORDERS_LISTED, OrderQuery, OrderRecord, OrderStatus, OrderStoreError};
pub use postgres::{PostgresConfig, PostgresRegistry};
pub use registry::{KeySource, Proof, Registry};
pub use replay_store::ReplayStore;
pub use sharded::ShardedReplayCache;

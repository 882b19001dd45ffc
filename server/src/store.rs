//! Where a server keeps its state: the key registry (keys, the orders they posted, Bitzoom HMAC
//! keys) and the replay stores.
//!
//! The shared types ([`Entry`], [`Proof`], [`RegistryError`]) and traits ([`KeySource`],
//! [`KeyRegistry`], [`OrderStore`], [`BitzoomKeyStore`]) have modules of their own; each backend
//! has a folder behind its feature (`redb`, `postgres`, `redis`), and [`Registry`](crate::Registry) and
//! [`ReplayStore`] dispatch to whichever backends this build has.

mod bitzoom_keys;
mod entry;
mod error;
mod key_cache;
mod keys;
mod memory;
mod orders;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redb")]
mod redb;
#[cfg(feature = "redis")]
mod redis;
pub(crate) mod registry;
mod relayer;
mod replay;
mod sealing;

pub use bitzoom_keys::BitzoomKeyStore;
pub use entry::{Entry, Proof};
pub use error::{DatabaseError, RegistryError};
pub use key_cache::{Cached, DEFAULT_KEY_CACHE_TTL, KeyCache};
pub use keys::{KeyRegistry, KeySource};
pub use memory::{DEFAULT_REPLAY_CAPACITY, MemoryReplayConfig, MemoryReplayStore, ReplayStats};
pub use orders::{
    DEFAULT_MAX_CLOSED_ORDERS, DEFAULT_MAX_OPEN_ORDERS, DEFAULT_MAX_STORED_ORDERS,
    DEFAULT_ORDER_RETENTION_SECS, MAX_ORDERS_LISTED, OrderLimits, OrderListing, OrderStore, OrderStoreError,
};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresConfig, PostgresRegistry};
#[cfg(feature = "redb")]
pub use redb::RedbRegistry;
#[cfg(feature = "redis")]
pub use redis::{DEFAULT_REDIS_TIMEOUT, RedisReplayConfig, RedisReplayStore};
pub use relayer::{
    AcceptedMessage, DEFAULT_MAX_RELAYED_PER_OWNER, MAX_RELAYED_LISTED, RelayerStore, RelayerStoreError,
};
pub use replay::ReplayStore;
pub use sealing::{SealError, SecretSealer};

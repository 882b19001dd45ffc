//! Where a server keeps its state: the key registry and the replay cache.

pub mod redb;
pub mod replay;

pub use self::redb::{Entry, RedbRegistry, RegistryError};
pub use replay::ShardedReplayCache;

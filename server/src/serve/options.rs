//! What `signet serve` is told: where it listens, where its state lives, which stores, limits.

use core::net::SocketAddr;
use core::time::Duration;
use std::path::{Path, PathBuf};

use signet_core::Clock;
use signet_core::eth::Address;
use signet_core::turbine::order::{DEFAULT_CHAIN_ID, OrderDomain};
use signet_std::Secret;
use signet_std::SystemClock;

use crate::Registry;
use crate::bitzoom::{DEFAULT_RATE_BURST, DEFAULT_RATE_PER_SEC, WsLimits};
use crate::serve::accept::ConnectionLimits;
use crate::serve::app::AppConfig;
use crate::serve::error::ServeError;
use crate::store::{
    BitzoomKeyStore as _, DEFAULT_KEY_CACHE_TTL, DEFAULT_REPLAY_CAPACITY, MemoryReplayConfig,
    MemoryReplayStore, ReplayStore, SealError, SecretSealer,
};

/// Whether opening a key store may make a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreCreation {
    /// Only an existing store is opened (a restart, a command working on the store).
    Existing,
    /// A first start (`--init`, or an empty data folder): a redb file that is missing is made.
    /// (A PostgreSQL database is made by its operator; signet makes its tables.)
    FirstStart,
}

/// Settings of a server (`signet serve`'s flags, or a program's choices).
#[derive(Debug)]
pub struct ServeOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Folder of the key registry, the replay journal and the Bitzoom signing secret.
    pub data: PathBuf,
    /// A first start (`--init`): the data folder and a new key registry may be made. Without
    /// it only an empty data folder gets a new registry.
    pub init: bool,
    /// Lifetime of Bitzoom test tokens.
    pub token_lifetime_secs: i64,
    /// Bitzoom HMAC API keys and their secrets from configuration.
    pub bitzoom_api_keys: Vec<(String, Secret)>,
    /// The replay store.
    pub replay: ReplayOptions,
    /// Routes and request limits.
    pub app: AppConfig,
    /// Connection limits and shutdown.
    pub connections: ConnectionLimits,
    /// Runtime worker threads.
    pub workers: usize,
    /// Lifetime of cached key records.
    pub key_cache_ttl: Duration,
    /// `redb:`, `redb:PATH` or a PostgreSQL connection string.
    pub key_store: String,
    /// Time allowed for each PostgreSQL operation.
    pub key_store_timeout: Duration,
    /// The domain orders are checked in.
    pub order_domain: OrderDomain,
    /// Requests per second and burst of each Bitzoom key.
    pub bitzoom_rate_limit: (u32, u32),
    /// Test mode: Bitzoom test tokens issued to anyone and taken as test users.
    pub bitzoom_test_tokens: bool,
    /// How many Turbine orders are kept: open and closed per wallet, for how long, in all.
    pub order_limits: crate::store::OrderLimits,
    /// Relayer messages kept per wallet ([`crate::store::DEFAULT_MAX_RELAYED_PER_OWNER`]).
    pub max_relayed_per_owner: usize,
    /// Turbine API keys that may be registered an hour, per source address and overall.
    pub registration_limits: crate::turbine::RegistrationLimits,
    /// Bounds of each Bitzoom WebSocket session.
    pub ws_limits: WsLimits,
    /// The key Bitzoom secrets are sealed with at rest.
    pub secrets: SecretsOptions,
}

/// Where the key that seals Bitzoom secrets at rest comes from: a variable's value, else a
/// key file (default `<data>/secrets.key`, made on first use, mode 600). During a rotation the
/// previous key is given too; the server reseals every secret with the current one at start.
#[derive(Clone, Debug)]
pub struct SecretsOptions {
    /// The key as 64 hex digits (`SIGNET_SECRETS_KEY`); wins over the file.
    pub key: Option<Secret>,
    /// The key file (`--secrets-key-file`).
    pub key_file: Option<PathBuf>,
    /// The key being replaced, as 64 hex digits (`SIGNET_PREVIOUS_SECRETS_KEY`).
    pub previous_key: Option<Secret>,
    /// The file of the key being replaced (`--previous-secrets-key-file`; must exist).
    pub previous_key_file: Option<PathBuf>,
    /// Whether a missing key file is made (a server's first start), or means "no key" (a
    /// command working on the store: Bitzoom secrets then cannot be read or stored, nothing
    /// else changes).
    pub create_key_file: bool,
}

impl Default for SecretsOptions {
    fn default() -> Self {
        SecretsOptions {
            key: None,
            key_file: None,
            previous_key: None,
            previous_key_file: None,
            create_key_file: true,
        }
    }
}

impl SecretsOptions {
    /// The key file [`SecretsOptions::sealer`] would make for `data` (none is given by value
    /// or exists, and one is to be made), if any.
    #[must_use]
    pub fn file_to_make(&self, data: &Path) -> Option<PathBuf> {
        if self.key.is_some() || !self.create_key_file {
            return None;
        }
        let file = self.key_file.clone().unwrap_or_else(|| data.join("secrets.key"));
        (!file.exists()).then_some(file)
    }

    /// The sealer these options describe for a server whose data folder is `data`; `None`
    /// when there is no key and none is to be made.
    ///
    /// # Errors
    /// [`ServeError::Config`] for a key that is malformed, unreadable or readable by others.
    pub fn sealer(&self, data: &Path) -> Result<Option<SecretSealer>, ServeError> {
        let config = |e: SealError| ServeError::Config(e.to_string());
        let default_file = data.join("secrets.key");
        let key = match (&self.key, &self.key_file) {
            (Some(hex), _) => SecretSealer::key_from_hex(hex, "SIGNET_SECRETS_KEY").map_err(config)?,
            (None, file) => {
                let file = file.as_deref().unwrap_or(&default_file);
                if !self.create_key_file && !file.exists() {
                    return Ok(None);
                }
                SecretSealer::key_from_file(file).map_err(config)?
            }
        };
        let mut sealer = SecretSealer::new(&key);
        if let Some(hex) = &self.previous_key {
            let previous = SecretSealer::key_from_hex(hex, "SIGNET_PREVIOUS_SECRETS_KEY").map_err(config)?;
            sealer = sealer.with_previous(&previous);
        }
        if let Some(file) = &self.previous_key_file {
            if !file.exists() {
                return Err(ServeError::Config(format!(
                    "previous secrets key file {} does not exist",
                    file.display()
                )));
            }
            let previous = SecretSealer::key_from_file(file).map_err(config)?;
            sealer = sealer.with_previous(&previous);
        }
        Ok(Some(sealer))
    }
}

impl ServeOptions {
    /// Defaults for a server on `listen` with its state in `data`.
    #[must_use]
    pub fn new(listen: SocketAddr, data: PathBuf) -> Self {
        ServeOptions {
            listen,
            data,
            init: false,
            token_lifetime_secs: 86_400,
            bitzoom_api_keys: Vec::new(),
            replay: ReplayOptions::default(),
            app: AppConfig::default(),
            connections: ConnectionLimits::default(),
            workers: std::thread::available_parallelism().map_or(2, usize::from),
            key_cache_ttl: DEFAULT_KEY_CACHE_TTL,
            key_store: "redb:".to_owned(),
            key_store_timeout: Duration::from_secs(1),
            bitzoom_rate_limit: (DEFAULT_RATE_PER_SEC, DEFAULT_RATE_BURST),
            bitzoom_test_tokens: false,
            order_limits: crate::store::OrderLimits::default(),
            max_relayed_per_owner: crate::store::DEFAULT_MAX_RELAYED_PER_OWNER,
            registration_limits: crate::turbine::RegistrationLimits::default(),
            ws_limits: WsLimits::default(),
            secrets: SecretsOptions::default(),
            order_domain: OrderDomain::for_chain(DEFAULT_CHAIN_ID)
                .unwrap_or_else(|| OrderDomain::new(DEFAULT_CHAIN_ID, Address::from_bytes([0; 20]))),
        }
    }
}

/// Where the server remembers used tokens (`--replay-*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayOptions {
    /// `memory` (this process, journaled in the data folder), `redis://HOST:PORT[/DB]`, or
    /// `redis-cluster://HOST:PORT,HOST:PORT,…`.
    pub store: String,
    /// Most live nonces the memory store holds.
    pub capacity: usize,
    /// Most live nonces of one key, with either store (default: an eighth of the capacity);
    /// the memory store shrinks it as it fills ([`MemoryReplayConfig::share`]).
    pub per_key: Option<usize>,
    /// Live nonces every key may hold in the memory store however full it is (default:
    /// capacity / 4,096).
    pub floor: Option<usize>,
    /// Prefix of the Redis keys, so services can share one Redis.
    pub prefix: String,
    /// Time allowed for each Redis call before the request is refused with 503.
    pub timeout: Duration,
    /// Redis replicas that must acknowledge each accepted nonce (`WAIT`); 0: none.
    pub redis_replicas: usize,
    /// Time their acknowledgement may take before the request is refused with 503.
    pub redis_wait: Duration,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            store: "memory".into(),
            capacity: DEFAULT_REPLAY_CAPACITY,
            per_key: None,
            floor: None,
            prefix: "signet".into(),
            timeout: Duration::from_millis(100),
            redis_replicas: 0,
            redis_wait: Duration::from_millis(50),
        }
    }
}

impl ReplayOptions {
    /// The store these settings describe; the memory store journals in `data/replay`.
    ///
    /// # Errors
    /// [`ServeError::Config`] for a store this build cannot open, [`ServeError::Io`] if the
    /// journal cannot be opened.
    pub fn open(&self, data: &Path) -> Result<ReplayStore, ServeError> {
        let per_key = self.per_key.unwrap_or(self.capacity / 8).max(1);
        if self.store == "memory" {
            let floor = self.floor.unwrap_or(MemoryReplayConfig::sized(self.capacity).floor).max(1);
            let config = MemoryReplayConfig { capacity: self.capacity, per_key, floor };
            let dir = data.join("replay");
            let store = MemoryReplayStore::persistent(&dir, config, SystemClock.now())
                .map_err(|e| ServeError::io(format!("replay journal {}", dir.display()), e))?;
            return Ok(ReplayStore::Memory(store));
        }
        if ["redis://", "rediss://", "redis-cluster://"].iter().any(|s| self.store.starts_with(s)) {
            return self.open_redis(per_key);
        }
        Err(ServeError::Config(
            "--replay-store takes memory, redis://HOST:PORT[/DB] or redis-cluster://HOST:PORT,HOST:PORT,…"
                .into(),
        ))
    }

    #[cfg(feature = "redis")]
    fn open_redis(&self, per_key: usize) -> Result<ReplayStore, ServeError> {
        use crate::store::{RedisReplayConfig, RedisReplayStore};
        let config = RedisReplayConfig {
            prefix: self.prefix.clone(),
            per_key,
            timeout: self.timeout.max(Duration::from_millis(1)),
            replicas: self.redis_replicas,
            replica_wait: self.redis_wait.max(Duration::from_millis(1)),
        };
        // The URL's error may quote it (with a password): say only what kind of error.
        let store = RedisReplayStore::open(&self.store, config)
            .map_err(|e| ServeError::Config(format!("--replay-store: {:?}", e.kind())))?;
        Ok(ReplayStore::Redis(Box::new(store)))
    }

    #[cfg(not(feature = "redis"))]
    fn open_redis(&self, _per_key: usize) -> Result<ReplayStore, ServeError> {
        Err(ServeError::Config(
            "--replay-store redis://…: this build has no Redis support (feature redis)".into(),
        ))
    }
}

/// Opens the key registry `spec` names (`redb:` in the data folder, `redb:PATH`, or
/// `postgres://…`) with Bitzoom secrets sealed by `secrets`, and seals any secret not yet
/// sealed with its current key (an older database, or a rotation); the password of a
/// connection string never appears in an error. A redb file is made only with
/// [`StoreCreation::FirstStart`]; a secrets key file is never made while the store holds
/// secrets sealed with a key.
///
/// # Errors
/// [`ServeError::KeyStore`] if the store cannot be opened or reached (or is missing or empty
/// outside a first start), [`ServeError::Config`] for a spec this build cannot open or a
/// secrets key that cannot be used or is missing.
#[cfg_attr(not(any(feature = "redb", feature = "postgres")), allow(unused_variables, unreachable_code))]
pub async fn open_registry(
    spec: &str,
    data: &Path,
    timeout: Duration,
    secrets: &SecretsOptions,
    creation: StoreCreation,
) -> Result<Registry, ServeError> {
    let registry = if let Some(path) = spec.strip_prefix("redb:") {
        let path = if path.is_empty() { data.join("keys.redb") } else { PathBuf::from(path) };
        open_redb(&path, creation)?
    } else if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        open_postgres(spec, timeout).await?
    } else {
        return Err(ServeError::Config("--key-store takes redb:, redb:PATH or postgres://…".into()));
    };
    if let Some(file) = secrets.file_to_make(data) {
        // A new key would make every sealed secret unreadable, and take the old key's place.
        let sealed = registry.sealed_bitzoom_secrets().await.map_err(ServeError::KeyStore)?;
        if sealed > 0 {
            return Err(ServeError::Config(format!(
                "secrets key file {} is missing, but the key store holds {sealed} Bitzoom secrets sealed with a \
                 secrets key: restore that file (or give the key with --secrets-key-file or SIGNET_SECRETS_KEY); \
                 no new key was written",
                file.display()
            )));
        }
    }
    let Some(sealer) = secrets.sealer(data)? else { return Ok(registry) };
    let key_id = sealer.key_id().to_owned();
    let registry = registry.with_sealer(std::sync::Arc::new(sealer));
    let resealed = registry.reseal_bitzoom_secrets().await.map_err(ServeError::KeyStore)?;
    if resealed > 0 {
        tracing::info!(resealed, key = %key_id, "Bitzoom secrets sealed with the current secrets key");
    }
    Ok(registry)
}

#[cfg(feature = "redb")]
fn open_redb(path: &Path, creation: StoreCreation) -> Result<Registry, ServeError> {
    use crate::store::{RedbRegistry, RegistryError};
    let opened = match creation {
        StoreCreation::FirstStart if !path.exists() => {
            let registry = RedbRegistry::create(path);
            tracing::info!(path = %path.display(), "first start: a new, empty key registry");
            registry
        }
        _ => RedbRegistry::open(path),
    };
    opened.map(Registry::from).map_err(|e| match e {
        RegistryError::Missing(_) => ServeError::Config(match path.parent().filter(|f| !f.exists()) {
            // No folder at all: a mistyped --data, most likely; nothing of an earlier start to restore.
            Some(folder) if !folder.as_os_str().is_empty() => format!(
                "no key registry at {}: there is no folder {}; check --data (or --key-store redb:PATH), or \
                 start `signet serve` with --init to make a new, empty registry there",
                path.display(),
                folder.display()
            ),
            _ => format!(
                "no key registry at {}, and this is not a first start (the data folder holds files of an \
                 earlier one): restore it from a backup, check --data (or --key-store redb:PATH), or start \
                 `signet serve` with --init to make a new, empty registry",
                path.display()
            ),
        }),
        e => ServeError::KeyStore(e),
    })
}

#[cfg(not(feature = "redb"))]
fn open_redb(_: &Path, _: StoreCreation) -> Result<Registry, ServeError> {
    Err(ServeError::Config("--key-store redb: this build has no redb support (feature redb)".into()))
}

#[cfg(feature = "postgres")]
async fn open_postgres(url: &str, timeout: Duration) -> Result<Registry, ServeError> {
    use crate::store::{PostgresConfig, PostgresRegistry};
    let config = PostgresConfig { timeout, ..PostgresConfig::default() };
    match PostgresRegistry::connect(url, config).await {
        Ok(registry) => Ok(Registry::from(registry)),
        Err(crate::store::RegistryError::Unavailable) => {
            Err(ServeError::Config(unreachable_postgres(url, timeout)))
        }
        Err(e) => Err(ServeError::KeyStore(e)),
    }
}

/// Where the database is and why it cannot be reached, for a start that fails: the URL
/// without its password, and what a TCP connection to each of its hosts met (refused, timed
/// out, no such host), or that the host answered and PostgreSQL did not in time.
#[cfg(feature = "postgres")]
fn unreachable_postgres(url: &str, timeout: Duration) -> String {
    let Ok(config) = url.parse::<tokio_postgres::Config>() else {
        return "--key-store: not a PostgreSQL connection string".into();
    };
    let user = config.get_user().unwrap_or("");
    let database = config.get_dbname().unwrap_or("");
    let ports = config.get_ports();
    let mut places = Vec::new();
    for (i, host) in config.get_hosts().iter().enumerate() {
        let port = ports.get(i).or_else(|| ports.first()).copied().unwrap_or(5432);
        let name = match host {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(path) => {
                places.push(format!("socket {}: PostgreSQL did not answer in time", path.display()));
                continue;
            }
        };
        let reached = std::net::ToSocketAddrs::to_socket_addrs(&(name.as_str(), port))
            .map_err(|e| format!("no such host ({e})"))
            .and_then(|mut addrs| addrs.next().ok_or_else(|| "no address".to_owned()))
            .and_then(|addr| {
                std::net::TcpStream::connect_timeout(&addr, timeout.max(Duration::from_millis(100)))
                    .map_err(|e| e.to_string())
            });
        places.push(match reached {
            Ok(_) => format!("{name}:{port}: reachable, but PostgreSQL did not answer within {timeout:?}"),
            Err(why) => format!("{name}:{port}: {why}"),
        });
    }
    format!(
        "--key-store postgres://{user}@…/{database} (password not shown): key store unavailable: {}",
        places.join("; ")
    )
}

#[cfg(not(feature = "postgres"))]
async fn open_postgres(_: &str, _: Duration) -> Result<Registry, ServeError> {
    Err(ServeError::Config(
        "--key-store postgres://…: this build has no PostgreSQL support (feature postgres)".into(),
    ))
}

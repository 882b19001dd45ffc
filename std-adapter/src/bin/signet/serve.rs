//! `signet serve`: the documented Turbine and Bitzoom endpoints, forward authentication,
//! health and metrics, with limits, logs and a graceful shutdown. Every flag can also be set
//! from the environment (`SIGNET_*`); secrets never come from the command line.

use core::net::SocketAddr;
use core::sync::atomic::AtomicBool;
use core::time::Duration;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use signet_core::Clock;
use signet_core::eth::Address;
use signet_core::turbine::VerifyConfig;
use signet_core::turbine::order::OrderDomain;
use signet_std::bitzoom::BitzoomService;
use signet_std::server::admin;
use signet_std::server::http::{ConnectionLimits, serve as serve_http, termination};
use signet_std::server::log::LogFormat;
use signet_std::server::middleware::RequestLimits;
use signet_std::server::{AppConfig, app};
use signet_std::store::{PostgresConfig, PostgresRegistry, Registry, ReplayStore};
use signet_std::{RedbRegistry, Secret, SystemClock, VerifierService};

use crate::order::ChainArgs;
use crate::output::Context;
pub use crate::replay_args::ReplayArgs;

/// `signet serve …`
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SIGNET_LISTEN", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Folder for the key registry, the replay journal and the Bitzoom signing secret.
    #[arg(long, env = "SIGNET_DATA", default_value = "signet-data")]
    data: PathBuf,
    /// Lifetime of Bitzoom test tokens, in seconds.
    #[arg(long, env = "SIGNET_TOKEN_LIFETIME", default_value_t = 86_400)]
    token_lifetime: i64,
    /// Runtime worker threads (default: the available cores).
    #[arg(long, env = "SIGNET_WORKERS")]
    workers: Option<usize>,
    /// Most connections open at once.
    #[arg(long, env = "SIGNET_MAX_CONNECTIONS", default_value_t = 10_000)]
    max_connections: usize,
    /// Largest request body in bytes (413 beyond it).
    #[arg(long, env = "SIGNET_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    max_body_bytes: usize,
    /// Largest header block in bytes (431 beyond it).
    #[arg(long, env = "SIGNET_MAX_HEADER_BYTES", default_value_t = 16 * 1024)]
    max_header_bytes: usize,
    /// Seconds allowed for a request's headers to arrive (idle keep-alive included).
    #[arg(long, env = "SIGNET_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    header_timeout_secs: u64,
    /// Seconds allowed to receive a body, and again to answer.
    #[arg(long, env = "SIGNET_REQUEST_TIMEOUT_SECS", default_value_t = 10)]
    request_timeout_secs: u64,
    /// Seconds a shutdown (SIGTERM, SIGINT) waits for requests in flight.
    #[arg(long, env = "SIGNET_SHUTDOWN_TIMEOUT_SECS", default_value_t = 10)]
    shutdown_timeout_secs: u64,
    /// `human` or `json` log lines.
    #[arg(long, env = "SIGNET_LOG_FORMAT", default_value = "human")]
    log_format: LogFormat,
    /// Log filter: `info` logs every request, `warn` only problems.
    #[arg(long, env = "SIGNET_LOG", default_value = "info")]
    log_level: String,
    /// Path of forward authentication (nginx `auth_request`, Traefik `forwardAuth`, Envoy
    /// `ext_authz`).
    #[arg(long, env = "SIGNET_AUTH_PATH", default_value = "/auth")]
    auth_path: String,
    /// Where keys live: `redb:` (a file in the data folder, the default), `redb:PATH`, or
    /// `postgres://USER:PASSWORD@HOST:PORT/DB` (shared by every instance).
    #[arg(
        long = "key-store",
        env = "SIGNET_KEY_STORE",
        default_value = "redb:",
        hide_env_values = true,
        hide_default_value = true
    )]
    key_store: String,
    /// Milliseconds allowed for each key store operation (PostgreSQL) before 503.
    #[arg(long, env = "SIGNET_KEY_STORE_TIMEOUT_MS", default_value_t = 1_000)]
    key_store_timeout_ms: u64,
    /// Milliseconds a looked-up key is trusted: how long a revocation made by another
    /// instance takes to reach this one.
    #[arg(long, env = "SIGNET_KEY_CACHE_TTL_MS", default_value_t = 1_000)]
    key_cache_ttl_ms: u64,
    /// Requests a second each Bitzoom HMAC key may make (beyond it: 429, -1003).
    #[arg(long, env = "SIGNET_BITZOOM_RATE_LIMIT", default_value_t = signet_std::bitzoom::service::DEFAULT_RATE_PER_SEC)]
    bitzoom_rate_limit: u32,
    /// The burst each Bitzoom HMAC key may make at once.
    #[arg(long, env = "SIGNET_BITZOOM_RATE_BURST", default_value_t = signet_std::bitzoom::service::DEFAULT_RATE_BURST)]
    bitzoom_rate_burst: u32,
    /// The EIP-712 domain orders must be signed in (the posted body names no chain).
    #[command(flatten)]
    chain: ChainArgs,
    /// Removed: a secret on the command line is visible to every user of the machine.
    #[arg(long = "bitzoom-api-key", hide = true)]
    removed_bitzoom_api_key: Vec<String>,
    #[command(flatten)]
    replay: ReplayArgs,
}

/// Settings of a server (the command's flags, or the demo's choices).
pub struct ServeOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Folder of the key registry, the replay journal and the Bitzoom signing secret.
    pub data: PathBuf,
    /// Lifetime of Bitzoom test tokens.
    pub token_lifetime_secs: i64,
    /// Bitzoom HMAC API keys and their secrets.
    pub bitzoom_api_keys: Vec<(String, Secret)>,
    /// The replay store.
    pub replay: ReplayArgs,
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
}

impl ServeOptions {
    /// Defaults for a server on `listen` with its state in `data`.
    pub fn new(listen: SocketAddr, data: PathBuf) -> Self {
        ServeOptions {
            listen,
            data,
            token_lifetime_secs: 86_400,
            bitzoom_api_keys: Vec::new(),
            replay: ReplayArgs::default(),
            app: AppConfig::default(),
            connections: ConnectionLimits::default(),
            workers: std::thread::available_parallelism().map_or(2, usize::from),
            key_cache_ttl: signet_std::store::DEFAULT_KEY_CACHE_TTL,
            key_store: "redb:".to_owned(),
            key_store_timeout: Duration::from_secs(1),
            bitzoom_rate_limit: (
                signet_std::bitzoom::service::DEFAULT_RATE_PER_SEC,
                signet_std::bitzoom::service::DEFAULT_RATE_BURST,
            ),
            order_domain: OrderDomain::for_chain(signet_std::turbine::DEFAULT_CHAIN_ID).unwrap_or_else(
                || OrderDomain::new(signet_std::turbine::DEFAULT_CHAIN_ID, Address::from_bytes([0; 20])),
            ),
        }
    }
}

/// Bitzoom HMAC keys: `SIGNET_BITZOOM_API_KEYS` (`NAME=SECRET,…`) and the credentials'
/// `BITZOOM_API_KEY` / `BITZOOM_API_SECRET`; never the command line.
fn bitzoom_keys(ctx: &Context<'_>) -> Result<Vec<(String, Secret)>, Box<dyn core::error::Error>> {
    let mut keys = Vec::new();
    if let Some(list) = std::env::var_os("SIGNET_BITZOOM_API_KEYS") {
        let list = Secret::new(list.into_string().map_err(|_| "SIGNET_BITZOOM_API_KEYS is not UTF-8")?);
        for pair in list.expose().split(',').filter(|p| !p.trim().is_empty()) {
            let (name, secret) = pair.split_once('=').ok_or("SIGNET_BITZOOM_API_KEYS takes NAME=SECRET,…")?;
            keys.push((name.trim().to_owned(), Secret::new(secret.trim().to_owned())));
        }
    }
    let creds = ctx.credentials()?;
    if let (Some(name), Some(secret)) = (creds.bitzoom_api_key, creds.bitzoom_api_secret) {
        keys.push((name, secret));
    }
    Ok(keys)
}

/// Runs `signet serve` until SIGTERM or SIGINT.
pub fn run(args: ServeArgs, ctx: &Context<'_>) -> crate::output::Result<()> {
    if !args.removed_bitzoom_api_key.is_empty() {
        return Err(
            "--bitzoom-api-key was removed: a secret on the command line is visible to every user (ps). \
                    Set SIGNET_BITZOOM_API_KEYS=NAME=SECRET,… or BITZOOM_API_KEY and BITZOOM_API_SECRET \
                    (environment or --credentials FILE)"
                .into(),
        );
    }
    let _log = signet_std::server::log::init(args.log_format, &args.log_level)?;
    let mut options = ServeOptions::new(args.listen, args.data);
    options.token_lifetime_secs = args.token_lifetime;
    options.bitzoom_api_keys = bitzoom_keys(ctx)?;
    options.replay = args.replay;
    options.app = AppConfig {
        auth_path: args.auth_path,
        limits: RequestLimits {
            max_body_bytes: args.max_body_bytes,
            request_timeout: Duration::from_secs(args.request_timeout_secs.max(1)),
        },
    };
    options.connections = ConnectionLimits {
        max_connections: args.max_connections.max(1),
        max_header_bytes: args.max_header_bytes.max(1024),
        header_read_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
        shutdown_timeout: Duration::from_secs(args.shutdown_timeout_secs),
    };
    if let Some(workers) = args.workers {
        options.workers = workers.max(1);
    }
    options.key_cache_ttl = Duration::from_millis(args.key_cache_ttl_ms);
    options.key_store = args.key_store;
    options.key_store_timeout = Duration::from_millis(args.key_store_timeout_ms.max(1));
    options.order_domain = args.chain.domain()?;
    options.bitzoom_rate_limit = (args.bitzoom_rate_limit, args.bitzoom_rate_burst);
    serve(&options, |addr| eprintln!("signet serve: listening on http://{addr}"))
}

/// The Bitzoom JWT secret of a data folder: created on first use (32 random bytes, written
/// atomically, mode 600) so tokens stay valid across restarts; refused if it is shorter than
/// 32 bytes or others can read it (an empty file would mean an empty HMAC key: anyone could
/// mint tokens).
fn bitzoom_secret(data: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, Box<dyn core::error::Error>> {
    use signet_std::private_file::{PrivateFileError, read_private, write_atomic};
    let path = data.join("bitzoom-jwt.secret");
    match read_private(&path) {
        Ok(secret) if secret.len() >= 32 => Ok(secret),
        Ok(secret) => Err(format!(
            "{}: {} bytes, at least 32 needed; delete it to have a new one made",
            path.display(),
            secret.len()
        )
        .into()),
        Err(PrivateFileError::TooOpen { mode }) => Err(format!(
            "{} is readable by others (mode {mode:o}); run `chmod 600 {}` (and consider replacing it)",
            path.display(),
            path.display()
        )
        .into()),
        Err(PrivateFileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut secret = zeroize::Zeroizing::new(vec![0u8; 32]);
            rand_core::Rng::fill_bytes(&mut signet_std::os_rng(), &mut secret);
            write_atomic(&path, &secret).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(secret)
        }
        Err(PrivateFileError::Io(e)) => Err(format!("{}: {e}", path.display()).into()),
        Err(e) => Err(format!("{}: {e:?}", path.display()).into()),
    }
}

/// Opens the key registry `spec` names (see `--key-store`); the password of a connection
/// string never appears in an error.
///
/// # Errors
/// If the store cannot be opened or reached.
pub async fn open_registry(
    spec: &str,
    data: &Path,
    timeout: Duration,
) -> Result<Registry, Box<dyn core::error::Error>> {
    if let Some(path) = spec.strip_prefix("redb:") {
        let path = if path.is_empty() { data.join("keys.redb") } else { PathBuf::from(path) };
        return Ok(Registry::from(RedbRegistry::open(&path)?));
    }
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        let config = PostgresConfig { timeout, ..PostgresConfig::default() };
        let registry = PostgresRegistry::connect(spec, config)
            .await
            .map_err(|e| format!("--key-store (PostgreSQL): {e}"))?;
        return Ok(Registry::from(registry));
    }
    Err("--key-store takes redb:, redb:PATH or postgres://…".into())
}

/// Builds the services and the router for a data folder.
///
/// # Errors
/// If the registry, journal or secret cannot be opened, or an API key is malformed.
async fn build(
    options: &ServeOptions,
    draining: Arc<AtomicBool>,
) -> Result<(axum::Router, Arc<VerifierService<Registry>>), Box<dyn core::error::Error>> {
    std::fs::create_dir_all(&options.data)?;
    let registry = open_registry(&options.key_store, &options.data, options.key_store_timeout).await?;
    tracing::info!(store = registry.kind(), "key store");
    let config = VerifyConfig::default();
    let replay = options.replay.open(&options.data)?;
    tracing::info!(store = replay.kind(), "replay store");
    let turbine = Arc::new(
        VerifierService::with_replay_store(registry, config, replay)
            .with_key_cache_ttl(options.key_cache_ttl)
            .with_order_domain(options.order_domain),
    );
    tracing::info!(
        chain = options.order_domain.chain_id(),
        contract = %options.order_domain.verifying_contract(),
        "orders signed in"
    );
    // Bitzoom's HMAC keys made with `signet bitzoom keys` live in the same key store.
    let mut bitzoom = BitzoomService::new(&bitzoom_secret(&options.data)?)
        .with_lifetime_secs(options.token_lifetime_secs)
        .with_key_store(Arc::clone(&turbine))
        .with_rate_limit(options.bitzoom_rate_limit.0, options.bitzoom_rate_limit.1);
    for (name, secret) in &options.bitzoom_api_keys {
        bitzoom.add_api_key(name, secret.expose().as_bytes())?;
    }
    let (router, _metrics) = app(Arc::clone(&turbine), Arc::new(bitzoom), &options.app, draining);
    Ok((router, turbine))
}

/// Serves until SIGTERM or SIGINT, on a runtime of its own. `ready` gets the bound address.
///
/// # Errors
/// If the app cannot be built or the address cannot be bound.
pub fn serve(
    options: &ServeOptions,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), Box<dyn core::error::Error>> {
    // Thousands of connections need as many descriptors; the soft limit is often 1024.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let draining = Arc::new(AtomicBool::new(false));
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(options.workers).enable_all().build()?;
    // Built inside the runtime: the Redis and PostgreSQL connections need one.
    let (app, turbine) = runtime.block_on(build(options, Arc::clone(&draining)))?;
    // Keys in a redb file can be administered through the data folder's socket meanwhile.
    let _admin = match turbine.keys() {
        Registry::Redb(_) => Some(runtime.block_on(admin::listen(&options.data, Arc::clone(&turbine)))?),
        Registry::Postgres(_) => None,
    };
    let listener = std::net::TcpListener::bind(options.listen)?;
    listener.set_nonblocking(true)?;
    ready(listener.local_addr()?);
    runtime.block_on(async move {
        // The memory store drops passed slices as it is used; this returns idle memory too.
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                if let ReplayStore::Memory(store) = turbine.replay_store() {
                    store.purge(SystemClock.now());
                }
            }
        });
        let listener = tokio::net::TcpListener::from_std(listener)?;
        serve_http(listener, app, options.connections, draining, termination()).await
    })?;
    // Like the listening line, always written, whatever the log level.
    eprintln!("signet serve: stopped");
    Ok(())
}

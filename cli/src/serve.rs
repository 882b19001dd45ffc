//! `signet serve`: the documented Turbine and Bitzoom endpoints, forward authentication,
//! health and metrics, with limits, logs and a graceful shutdown. Every flag can also be set
//! from the environment (`SIGNET_*`); secrets never come from the command line.

use core::net::SocketAddr;
use core::time::Duration;
use std::path::PathBuf;

use clap::Args;
use signet_server::bitzoom::{DEFAULT_RATE_BURST, DEFAULT_RATE_PER_SEC};
use signet_server::serve::accept::ConnectionLimits;
use signet_server::serve::log::LogFormat;
use signet_server::serve::middleware::RequestLimits;
use signet_server::serve::{AppConfig, ServeOptions};
use signet_server::store::OrderLimits;
use signet_server::turbine::{
    DEFAULT_REGISTRATIONS_PER_ADDRESS_PER_HOUR, DEFAULT_REGISTRATIONS_PER_HOUR, RegistrationLimits,
};
use signet_std::Secret;

use crate::order::ChainArgs;
use crate::output::Context;
use crate::replay_args::ReplayArgs;

/// `signet serve …`
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SIGNET_LISTEN", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Folder for the key registry, the replay journal and the Bitzoom signing secret. It must
    /// exist (mode 700) unless --init is given; an empty folder is a first start.
    #[arg(long, env = "SIGNET_DATA", default_value = "signet-data")]
    data: PathBuf,
    /// A first start: make the data folder if it is missing and a new, empty key registry
    /// (redb). Without it, a missing folder or a missing or empty registry in a folder used
    /// before stops the start (a mistyped path, a lost file).
    #[arg(long)]
    init: bool,
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
    #[arg(long, env = "SIGNET_BITZOOM_RATE_LIMIT", default_value_t = DEFAULT_RATE_PER_SEC)]
    bitzoom_rate_limit: u32,
    /// The burst each Bitzoom HMAC key may make at once.
    #[arg(long, env = "SIGNET_BITZOOM_RATE_BURST", default_value_t = DEFAULT_RATE_BURST)]
    bitzoom_rate_burst: u32,
    /// Test mode: serve Bitzoom test tokens (GET /api/servermanage/testtoken?userid=ANY) and
    /// take bearer tokens as test users who may read and trade. Anyone who can reach the
    /// server can then trade as anyone: development only.
    #[arg(long, env = "SIGNET_BITZOOM_TEST_TOKENS")]
    bitzoom_test_tokens: bool,
    /// Most open Turbine orders one API key may hold (beyond it: 429).
    #[arg(long, env = "SIGNET_MAX_OPEN_ORDERS", default_value_t = signet_server::store::DEFAULT_MAX_OPEN_ORDERS)]
    max_open_orders: usize,
    /// Most closed (cancelled or expired) orders kept per wallet; past it, its oldest go.
    #[arg(long, env = "SIGNET_MAX_CLOSED_ORDERS", default_value_t = signet_server::store::DEFAULT_MAX_CLOSED_ORDERS)]
    max_closed_orders: usize,
    /// Seconds a closed order is kept after it closed (default 7 days).
    #[arg(long, env = "SIGNET_ORDER_RETENTION_SECS", default_value_t = signet_server::store::DEFAULT_ORDER_RETENTION_SECS)]
    order_retention_secs: i64,
    /// Most orders kept in all; at it the earliest closed go, and with none closed new orders
    /// are refused (503).
    #[arg(long, env = "SIGNET_MAX_STORED_ORDERS", default_value_t = signet_server::store::DEFAULT_MAX_STORED_ORDERS)]
    max_stored_orders: usize,
    /// Relayer messages (permits, approvals, redemptions) kept per wallet; past it, its oldest
    /// go (their nonces stay used).
    #[arg(long, env = "SIGNET_MAX_RELAYED_PER_OWNER", default_value_t = signet_server::store::DEFAULT_MAX_RELAYED_PER_OWNER)]
    max_relayed_per_owner: usize,
    /// Turbine API keys one source address may register an hour (an IPv4 address, an IPv6 /64;
    /// behind a proxy, the proxy's); 0: no limit. Beyond it: 429.
    #[arg(long, env = "SIGNET_REGISTRATIONS_PER_ADDRESS_PER_HOUR", default_value_t = DEFAULT_REGISTRATIONS_PER_ADDRESS_PER_HOUR)]
    registrations_per_address_per_hour: u32,
    /// Turbine API keys everyone together may register an hour; 0: no limit. Beyond it: 429.
    #[arg(long, env = "SIGNET_REGISTRATIONS_PER_HOUR", default_value_t = DEFAULT_REGISTRATIONS_PER_HOUR)]
    registrations_per_hour: u32,
    /// Seconds a Bitzoom WebSocket has to log on or subscribe after connecting.
    #[arg(long, env = "SIGNET_WS_LOGON_DEADLINE_SECS", default_value_t = 10)]
    ws_logon_deadline_secs: u64,
    /// Seconds a Bitzoom WebSocket client may stay silent (pongs count) before it is closed.
    #[arg(long, env = "SIGNET_WS_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    ws_idle_timeout_secs: u64,
    /// The file of the key Bitzoom secrets are sealed with at rest (default: secrets.key in the
    /// data folder, made on first use). SIGNET_SECRETS_KEY (64 hex digits) overrides it.
    #[arg(long, env = "SIGNET_SECRETS_KEY_FILE")]
    secrets_key_file: Option<PathBuf>,
    /// During a rotation, the file of the key being replaced (or SIGNET_PREVIOUS_SECRETS_KEY):
    /// the server reseals every secret with the current key at start.
    #[arg(long, env = "SIGNET_PREVIOUS_SECRETS_KEY_FILE")]
    previous_secrets_key_file: Option<PathBuf>,
    /// The EIP-712 domain orders must be signed in (the posted body names no chain).
    #[command(flatten)]
    chain: ChainArgs,
    /// Removed: a secret on the command line is visible to every user of the machine.
    #[arg(long = "bitzoom-api-key", hide = true)]
    removed_bitzoom_api_key: Vec<String>,
    #[command(flatten)]
    replay: ReplayArgs,
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
    let _log = signet_server::serve::log::init(args.log_format, &args.log_level)?;
    let mut options = ServeOptions::new(args.listen, args.data);
    options.init = args.init;
    options.token_lifetime_secs = args.token_lifetime;
    options.bitzoom_api_keys = bitzoom_keys(ctx)?;
    options.replay = args.replay.options();
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
    options.bitzoom_test_tokens = args.bitzoom_test_tokens;
    options.order_limits = OrderLimits {
        max_open: args.max_open_orders.max(1),
        max_closed: args.max_closed_orders,
        retention_secs: args.order_retention_secs.max(0),
        max_stored: args.max_stored_orders.max(1),
    };
    options.max_relayed_per_owner = args.max_relayed_per_owner.max(1);
    options.registration_limits = RegistrationLimits {
        per_address_per_hour: args.registrations_per_address_per_hour,
        per_hour: args.registrations_per_hour,
    };
    options.secrets = crate::keys::secrets_options(args.secrets_key_file, args.previous_secrets_key_file)?;
    options.ws_limits.logon_deadline = Duration::from_secs(args.ws_logon_deadline_secs.max(1));
    options.ws_limits.idle_timeout = Duration::from_secs(args.ws_idle_timeout_secs.max(1));
    let backend = signet_std::Ed25519Backend::detect();
    signet_server::serve::run(&options, |addr| {
        // The listening line first: scripts wait for it on the first line.
        eprintln!("signet serve: listening on http://{addr}");
        eprintln!("signet serve: Ed25519 on {backend}");
    })?;
    Ok(())
}

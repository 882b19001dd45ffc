//! `signet serve`: the documented Turbine and Bitzoom endpoints on a local port.

use core::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use clap::Args;
use signet_core::{Clock, VerifyConfig};
use signet_std::bitzoom::BitzoomService;
use signet_std::server::{bitzoom_routes, turbine_routes};
use signet_std::store::{
    MemoryReplayConfig, MemoryReplayStore, RedisReplayConfig, RedisReplayStore, ReplayStore,
};
use signet_std::{RedbRegistry, SystemClock, VerifierService};

/// `signet serve …`
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SIGNET_LISTEN", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Folder for the key registry.
    #[arg(long, env = "SIGNET_DATA", default_value = "signet-data")]
    data: PathBuf,
    /// Lifetime of Bitzoom test tokens, in seconds.
    #[arg(long, env = "SIGNET_TOKEN_LIFETIME", default_value_t = 86_400)]
    token_lifetime: i64,
    /// A Bitzoom HMAC API key, NAME=SECRET (repeatable).
    #[arg(long = "bitzoom-api-key", value_name = "NAME=SECRET")]
    bitzoom_api_keys: Vec<String>,
    #[command(flatten)]
    replay: ReplayArgs,
}

/// Where the server remembers used tokens.
#[derive(Args, Clone, Debug)]
pub struct ReplayArgs {
    /// `memory` (this process; the default) or `redis://HOST:PORT[/DB]` (shared by every
    /// instance, kept across restarts).
    #[arg(
        long = "replay-store",
        env = "SIGNET_REPLAY_STORE",
        default_value = "memory",
        hide_env_values = true
    )]
    pub store: String,
    /// Most live nonces the memory store holds (default 4,194,304: over 10,000 tokens a second
    /// for the 300 s window and 60 s of skew; about 102 MiB when full).
    #[arg(long = "replay-capacity", env = "SIGNET_REPLAY_CAPACITY", default_value_t = signet_std::store::DEFAULT_REPLAY_CAPACITY)]
    pub capacity: usize,
    /// Most live nonces of one key, with either store; beyond it that key gets 429 (default:
    /// an eighth of the memory capacity).
    #[arg(long = "replay-per-key", env = "SIGNET_REPLAY_PER_KEY")]
    pub per_key: Option<usize>,
    /// Prefix of the Redis keys, so services can share one Redis.
    #[arg(long = "replay-prefix", env = "SIGNET_REPLAY_PREFIX", default_value = "signet")]
    pub prefix: String,
    /// Milliseconds allowed for each Redis call before the request is refused with 503.
    #[arg(long = "replay-timeout-ms", env = "SIGNET_REPLAY_TIMEOUT_MS", default_value_t = 100)]
    pub timeout_ms: u64,
}

impl Default for ReplayArgs {
    fn default() -> Self {
        ReplayArgs {
            store: "memory".into(),
            capacity: signet_std::store::DEFAULT_REPLAY_CAPACITY,
            per_key: None,
            prefix: "signet".into(),
            timeout_ms: 100,
        }
    }
}

impl ReplayArgs {
    /// The store these settings describe; the memory store journals in `data/replay`.
    ///
    /// # Errors
    /// If `--replay-store` is neither `memory` nor a Redis URL, or the journal cannot be opened.
    pub fn open(&self, data: &Path) -> Result<ReplayStore, Box<dyn core::error::Error>> {
        let per_key = self.per_key.unwrap_or(self.capacity / 8).max(1);
        if self.store == "memory" {
            let config = MemoryReplayConfig { capacity: self.capacity, per_key };
            let dir = data.join("replay");
            let store = MemoryReplayStore::persistent(&dir, config, SystemClock.now())
                .map_err(|e| format!("replay journal {}: {e}", dir.display()))?;
            return Ok(ReplayStore::Memory(store));
        }
        if !self.store.starts_with("redis://") && !self.store.starts_with("rediss://") {
            return Err("--replay-store takes memory or redis://HOST:PORT[/DB]".into());
        }
        let config = RedisReplayConfig {
            prefix: self.prefix.clone(),
            per_key,
            timeout: core::time::Duration::from_millis(self.timeout_ms.max(1)),
        };
        // The URL's error may quote it (with a password): say only what kind of error.
        let store = RedisReplayStore::open(&self.store, config)
            .map_err(|e| format!("--replay-store: {:?}", e.kind()))?;
        Ok(ReplayStore::Redis(Box::new(store)))
    }
}

/// Runs `signet serve` until the process ends.
pub fn run(args: ServeArgs) -> crate::output::Result<()> {
    let ServeArgs { listen, data, token_lifetime, bitzoom_api_keys, replay } = args;
    let options =
        ServeOptions { listen, data, token_lifetime_secs: token_lifetime, bitzoom_api_keys, replay };
    serve(&options, |addr| eprintln!("signet serve: listening on http://{addr}"))
}

/// Settings of a local server.
pub struct ServeOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Folder of the key registry and the Bitzoom signing secret.
    pub data: PathBuf,
    /// Lifetime of Bitzoom test tokens.
    pub token_lifetime_secs: i64,
    /// Bitzoom HMAC API keys, `NAME=SECRET`.
    pub bitzoom_api_keys: Vec<String>,
    /// The replay store.
    pub replay: ReplayArgs,
}

/// Logs method, path and status of each request: never a header, so never a token.
async fn log_request(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    eprintln!("{method} {path} -> {} ({} ms)", response.status().as_u16(), started.elapsed().as_millis());
    response
}

/// The Bitzoom JWT secret of a data folder, created (mode 600) on first use so tokens stay
/// valid across restarts.
fn bitzoom_secret(data: &Path) -> Result<Vec<u8>, Box<dyn core::error::Error>> {
    let path = data.join("bitzoom-jwt.secret");
    if let Ok(secret) = std::fs::read(&path) {
        return Ok(secret);
    }
    let mut secret = vec![0u8; 32];
    rand_core::Rng::fill_bytes(&mut signet_std::os_rng(), &mut secret);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&path)?, &secret)?;
    Ok(secret)
}

/// Builds the app for a data folder.
///
/// # Errors
/// If the registry or secret cannot be opened, or an API key is malformed.
pub fn app(options: &ServeOptions) -> Result<(Router, Arc<VerifierService>), Box<dyn core::error::Error>> {
    std::fs::create_dir_all(&options.data)?;
    let registry = RedbRegistry::open(&options.data.join("keys.redb"))?;
    let config = VerifyConfig::default();
    let replay = options.replay.open(&options.data)?;
    eprintln!("signet serve: replay store: {}", replay.kind());
    let turbine = Arc::new(VerifierService::with_replay_store(registry, config, replay));
    let mut bitzoom =
        BitzoomService::new(&bitzoom_secret(&options.data)?).with_lifetime_secs(options.token_lifetime_secs);
    for pair in &options.bitzoom_api_keys {
        let (name, secret) = pair.split_once('=').ok_or("--bitzoom-api-key takes NAME=SECRET")?;
        bitzoom.add_api_key(name, secret.as_bytes())?;
    }
    let router = turbine_routes(Arc::clone(&turbine))
        .merge(signet_std::turbine::forward_auth_route(Arc::clone(&turbine), "/auth"))
        .merge(bitzoom_routes(Arc::new(bitzoom)))
        .layer(middleware::from_fn(log_request));
    Ok((router, turbine))
}

/// Serves until the process ends, on a runtime of its own. `ready` gets the bound address.
///
/// # Errors
/// If the app cannot be built or the address cannot be bound.
pub fn serve(
    options: &ServeOptions,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), Box<dyn core::error::Error>> {
    let (app, turbine) = app(options)?;
    let listener = std::net::TcpListener::bind(options.listen)?;
    listener.set_nonblocking(true)?;
    ready(listener.local_addr()?);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        // The memory store drops passed slices as it is used; this returns idle memory too.
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(core::time::Duration::from_secs(1));
            loop {
                tick.tick().await;
                if let ReplayStore::Memory(store) = turbine.replay_store() {
                    store.purge(SystemClock.now());
                }
            }
        });
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, app).await
    })?;
    Ok(())
}

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
use signet_std::bitzoom::BitzoomService;
use signet_std::server::{bitzoom_routes, turbine_routes};
use signet_std::{RedbRegistry, VerifierService};

/// `signet serve …`
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Folder for the key registry.
    #[arg(long, default_value = "signet-data")]
    data: PathBuf,
    /// Lifetime of Bitzoom test tokens, in seconds.
    #[arg(long, default_value_t = 86_400)]
    token_lifetime: i64,
    /// A Bitzoom HMAC API key, NAME=SECRET (repeatable).
    #[arg(long = "bitzoom-api-key", value_name = "NAME=SECRET")]
    bitzoom_api_keys: Vec<String>,
}

/// Runs `signet serve` until the process ends.
pub fn run(args: ServeArgs) -> crate::output::Result<()> {
    let ServeArgs { listen, data, token_lifetime, bitzoom_api_keys } = args;
    let options = ServeOptions { listen, data, token_lifetime_secs: token_lifetime, bitzoom_api_keys };
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
pub fn app(options: &ServeOptions) -> Result<Router, Box<dyn core::error::Error>> {
    std::fs::create_dir_all(&options.data)?;
    let registry = RedbRegistry::open(&options.data.join("keys.redb"))?;
    let turbine = Arc::new(VerifierService::new(registry));
    let mut bitzoom =
        BitzoomService::new(&bitzoom_secret(&options.data)?).with_lifetime_secs(options.token_lifetime_secs);
    for pair in &options.bitzoom_api_keys {
        let (name, secret) = pair.split_once('=').ok_or("--bitzoom-api-key takes NAME=SECRET")?;
        bitzoom.add_api_key(name, secret.as_bytes())?;
    }
    Ok(turbine_routes(turbine)
        .merge(bitzoom_routes(Arc::new(bitzoom)))
        .layer(middleware::from_fn(log_request)))
}

/// Serves until the process ends, on a runtime of its own. `ready` gets the bound address.
///
/// # Errors
/// If the app cannot be built or the address cannot be bound.
pub fn serve(
    options: &ServeOptions,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), Box<dyn core::error::Error>> {
    let app = app(options)?;
    let listener = std::net::TcpListener::bind(options.listen)?;
    listener.set_nonblocking(true)?;
    ready(listener.local_addr()?);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, app).await
    })?;
    Ok(())
}

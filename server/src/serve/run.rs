//! Running a server from its options: the stores, the services, the router, the admin socket
//! and the accept loop, on a runtime of its own, until SIGTERM or SIGINT.

use core::net::SocketAddr;
use core::sync::atomic::AtomicBool;
use core::time::Duration;
use std::path::Path;
use std::sync::Arc;

use signet_core::Clock;
use signet_core::turbine::VerifyConfig;
use signet_std::SystemClock;
use signet_std::private_file::{PrivateFileError, read_private, write_atomic};
use tokio::sync::watch;
use zeroize::Zeroizing;

use crate::BitzoomService;
use crate::Registry;
use crate::VerifierService;
use crate::serve::accept::{AcceptGroup, serve_shared, termination};
use crate::serve::admin;
use crate::serve::app::app;
use crate::serve::error::ServeError;
use crate::serve::options::{ServeOptions, StoreCreation, open_registry};
use crate::store::KeyRegistry;

/// The Bitzoom JWT secret of a data folder: created on first use (32 random bytes, written
/// atomically, mode 600) so tokens stay valid across restarts; refused if it is shorter than
/// 32 bytes or others can read it (an empty file would mean an empty HMAC key: anyone could
/// mint tokens).
fn bitzoom_secret(data: &Path) -> Result<Zeroizing<Vec<u8>>, ServeError> {
    let path = data.join("bitzoom-jwt.secret");
    match read_private(&path) {
        Ok(secret) if secret.len() >= 32 => Ok(secret),
        Ok(secret) => Err(ServeError::Config(format!(
            "{}: {} bytes, at least 32 needed; delete it to have a new one made",
            path.display(),
            secret.len()
        ))),
        Err(PrivateFileError::TooOpen { mode }) => Err(ServeError::Config(format!(
            "{} is readable by others (mode {mode:o}); run `chmod 600 {}` (and consider replacing it)",
            path.display(),
            path.display()
        ))),
        Err(PrivateFileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut secret = Zeroizing::new(vec![0u8; 32]);
            rand_core::Rng::fill_bytes(&mut signet_std::os_rng(), &mut secret);
            write_atomic(&path, &secret).map_err(|e| ServeError::io(path.display().to_string(), e))?;
            Ok(secret)
        }
        Err(PrivateFileError::Io(e)) => Err(ServeError::io(path.display().to_string(), e)),
        Err(e) => Err(ServeError::Config(format!("{}: {e}", path.display()))),
    }
}

/// Builds the services and the router for a data folder (inside a runtime: the Redis and
/// PostgreSQL connections need one).
///
/// # Errors
/// If the registry, journal or secret cannot be opened, or an API key is malformed.
pub async fn build(
    options: &ServeOptions,
    draining: Arc<AtomicBool>,
) -> Result<(axum::Router, Arc<VerifierService<Registry>>), ServeError> {
    let found = crate::serve::data_dir::prepare(&options.data, options.init)?;
    // A new registry only on a first start: an empty folder, or --init.
    let creation = if options.init || found == crate::serve::data_dir::Found::Nothing {
        StoreCreation::FirstStart
    } else {
        StoreCreation::Existing
    };
    let registry = open_registry(
        &options.key_store,
        &options.data,
        options.key_store_timeout,
        &options.secrets,
        creation,
    )
    .await?;
    tracing::info!(store = registry.kind(), "key store");
    tracing::info!(
        backend = %signet_std::Ed25519Backend::detect(),
        "Ed25519 verification backend (curve25519-dalek's, chosen by CPUID)"
    );
    let config = VerifyConfig::default();
    let replay = options.replay.open(&options.data)?;
    tracing::info!(store = replay.kind(), "replay store");
    if replay.prepare().await.is_err() {
        tracing::warn!("replay store not reachable at start: requests are refused (503) until it answers");
    }
    let turbine = Arc::new(
        VerifierService::with_replay_store(registry, config, replay)
            .with_key_cache_ttl(options.key_cache_ttl)
            .with_order_domain(options.order_domain)
            .with_order_limits(options.order_limits)
            .with_max_relayed_per_owner(options.max_relayed_per_owner)
            .with_registration_limits(options.registration_limits),
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
        .with_rate_limit(options.bitzoom_rate_limit.0, options.bitzoom_rate_limit.1)
        .with_test_tokens(options.bitzoom_test_tokens)
        .with_ws_limits(options.ws_limits);
    if options.bitzoom_test_tokens {
        tracing::warn!("TEST MODE: Bitzoom test tokens (GET /api/servermanage/testtoken) for anyone");
    }
    for (name, secret) in &options.bitzoom_api_keys {
        bitzoom
            .add_api_key(name, secret.expose().as_bytes())
            .map_err(|_| ServeError::Config(format!("Bitzoom API key {name:?}: not a valid key id")))?;
    }
    let (router, _metrics) = app(Arc::clone(&turbine), Arc::new(bitzoom), &options.app, draining);
    Ok((router, turbine))
}

/// Orders dropped per transaction when pruning.
const PRUNE_BATCH: usize = 1_000;

/// Drops closed orders past their retention, in batches, every half retention (at least each
/// second, at most each minute), for as long as the server runs.
async fn prune_orders(turbine: Arc<VerifierService<Registry>>) {
    use crate::store::OrderStore as _;
    let retention = turbine.order_limits().retention_secs;
    let period = Duration::from_secs(u64::try_from(retention / 2).unwrap_or(0).clamp(1, 60));
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        let mut pruned = 0;
        loop {
            match turbine.keys().prune_orders(SystemClock.now(), retention, PRUNE_BATCH).await {
                Ok(n) => {
                    pruned += n;
                    if n < PRUNE_BATCH {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "pruning closed orders failed; trying again later");
                    break;
                }
            }
        }
        if pruned > 0 {
            tracing::info!(pruned, retention_secs = retention, "closed orders past their retention dropped");
        }
    }
}

/// Serves until SIGTERM or SIGINT, on runtimes of its own. `ready` gets the bound address.
///
/// One single-threaded runtime per worker thread, each accepting on its own copy of the
/// listening socket and serving its connections itself: a request never changes threads and
/// never wakes another (a work-stealing pool handed tasks and wake-ups between its threads on
/// every request). The first runtime, on this thread, also runs the signals, the admin socket,
/// the store's connections and the background tasks.
///
/// # Errors
/// If the app cannot be built or the address cannot be bound.
pub fn run(options: &ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    // Whatever this process creates (redb's files, journals, the socket) is owner-only, even
    // where a library makes it with default permissions.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    // Thousands of connections need as many descriptors; the soft limit is often 1024.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let draining = Arc::new(AtomicBool::new(false));
    let single = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ServeError::io("runtime", e))
    };
    let runtime = single()?;
    let (app, turbine) = runtime.block_on(build(options, Arc::clone(&draining)))?;
    if options.bitzoom_test_tokens {
        // Like the listening line, always written, whatever the log level.
        eprintln!(
            "signet serve: TEST MODE: Bitzoom test tokens are issued to anyone and trade as test users; \
             development only"
        );
    }
    // Keys in a redb file can be administered through the data folder's socket meanwhile.
    #[cfg(unix)]
    let _admin = match turbine.keys().kind() {
        "redb" => Some(
            runtime
                .block_on(admin::listen(&options.data, Arc::clone(&turbine)))
                .map_err(|e| ServeError::io("admin socket", e))?,
        ),
        _ => None,
    };
    let bind = |e| ServeError::io(format!("listen on {}", options.listen), e);
    let listener = std::net::TcpListener::bind(options.listen).map_err(bind)?;
    listener.set_nonblocking(true).map_err(bind)?;
    let group = AcceptGroup::new(options.connections.max_connections, options.workers.max(1));
    let (stop, stopped) = watch::channel(false);
    let stop = Arc::new(stop);
    let until_stopped = |mut stopped: watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    // The other workers: each its own runtime and its own descriptor of the listening socket
    // (every one of them watches it; whichever is free accepts).
    let mut workers = Vec::new();
    for i in 1..options.workers.max(1) {
        let listener = listener.try_clone().map_err(bind)?;
        let (app, limits, group) = (app.clone(), options.connections, group.clone());
        let (draining, stopped) = (Arc::clone(&draining), stopped.clone());
        let worker = single()?;
        let thread = std::thread::Builder::new()
            .name(format!("signet-worker-{i}"))
            .spawn(move || {
                worker.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    serve_shared(listener, app, limits, &group, draining, until_stopped(stopped)).await
                })
            })
            .map_err(|e| ServeError::io("worker thread", e))?;
        workers.push(thread);
    }
    ready(listener.local_addr().map_err(bind)?);
    let signalled = Arc::clone(&stop);
    let served = runtime.block_on(async move {
        tokio::spawn(prune_orders(Arc::clone(&turbine)));
        // The memory store drops passed slices as it is used; this returns idle memory too.
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                turbine.replay_store().purge(SystemClock.now());
            }
        });
        tokio::spawn(async move {
            termination().await;
            let _ = signalled.send(true);
        });
        let listener = tokio::net::TcpListener::from_std(listener)?;
        serve_shared(listener, app, options.connections, &group, draining, until_stopped(stopped)).await
    });
    // Stopped by the signal, or this accept loop failed: the others stop too.
    let _ = stop.send(true);
    for worker in workers {
        let joined =
            worker.join().map_err(|_| ServeError::io("worker thread", std::io::Error::other("panicked")))?;
        joined.map_err(|e| ServeError::io("serve", e))?;
    }
    served.map_err(|e| ServeError::io("serve", e))?;
    // Like the listening line, always written, whatever the log level.
    eprintln!("signet serve: stopped");
    Ok(())
}

//! The server behind `signet serve`, as a library: the documented Turbine and Bitzoom endpoints,
//! forward authentication for API servers in other languages, health and metrics, behind an
//! accept loop with limits and a graceful shutdown.
//!
//! - [`app`] builds the router (with [`middleware::observe`]: request ids, limits, one log
//!   line per request, metrics); [`http::serve`] runs it on a listener until a signal.
//! - The first release's paths stay: [`TurbineAuth`], [`turbine_routes`], [`bitzoom_routes`].

#[cfg(unix)]
pub mod admin;
pub mod health;
pub mod http;
pub mod log;
pub mod metrics;
pub mod middleware;
pub mod record;

use core::sync::atomic::AtomicBool;
use std::sync::Arc;

use axum::Router;

pub use crate::bitzoom::routes::bitzoom_routes;
pub use crate::turbine::routes::{TurbineAuth, forward_auth_route, turbine_routes};

use crate::bitzoom::service::BitzoomService;
use crate::platform::SystemClock;
use crate::store::registry::Registry;
use crate::store::replay_store::ReplayStore;
use crate::turbine::service::VerifierService;
use metrics::{Metrics, StoreStats};
use middleware::{RequestLimits, Shared};

/// What the router needs beyond the services.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppConfig {
    /// Path of forward authentication (its subpaths too, as Envoy appends the original path).
    pub auth_path: String,
    /// Body size and request time limits.
    pub limits: RequestLimits,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig { auth_path: "/auth".to_owned(), limits: RequestLimits::default() }
    }
}

/// The whole server's router over its services, and its metrics. `draining` is set by the
/// accept loop when shutting down.
pub fn app(
    turbine: Arc<VerifierService<Registry>>,
    bitzoom: Arc<BitzoomService>,
    config: &AppConfig,
    draining: Arc<AtomicBool>,
) -> (Router, Arc<Metrics>) {
    let stats = Arc::clone(&turbine);
    let metrics = Arc::new(Metrics::new(move || {
        use signet_core::Clock as _;
        let replay = match stats.replay_store() {
            ReplayStore::Memory(store) => Some(store.stats(SystemClock.now())),
            ReplayStore::Redis(_) => None,
        };
        let (key_cache_hits, key_cache_misses) = stats.key_cache().hits_and_misses();
        StoreStats {
            replay_entries: replay.map(|r| r.live as u64),
            replay_capacity: replay.map(|r| r.capacity as u64),
            key_cache_hits,
            key_cache_misses,
        }
    }));
    let scrape = Arc::clone(&metrics);
    let auth_path = config.auth_path.trim_end_matches('/');
    let router =
        turbine_routes(Arc::clone(&turbine))
            .merge(forward_auth_route(Arc::clone(&turbine), auth_path))
            .merge(forward_auth_route(Arc::clone(&turbine), &format!("{auth_path}/{{*original}}")))
            .merge(bitzoom_routes(bitzoom))
            .merge(health::health_routes(turbine, Arc::clone(&draining)))
            .route(
                "/metrics",
                axum::routing::get(move || {
                    let metrics = Arc::clone(&scrape);
                    async move {
                        ([("content-type", "text/plain; version=0.0.4; charset=utf-8")], metrics.render())
                    }
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                Shared::new(Arc::clone(&metrics), config.limits, draining),
                middleware::observe,
            ));
    (router, metrics)
}

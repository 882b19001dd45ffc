//! The whole server's router: every endpoint, behind the request middleware.

use core::sync::atomic::AtomicBool;
use std::sync::Arc;

use axum::Router;
use signet_std::SystemClock;

use crate::BitzoomService;
use crate::Registry;
use crate::VerifierService;
use crate::http::{bitzoom_routes, forward_auth_route, health_routes, turbine_routes};
use crate::serve::metrics::{Metrics, StoreStats};
use crate::serve::middleware::{RequestLimits, Shared};

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
    // Weak: the service keeps the metrics (as its observer), so a strong reference back would
    // keep both alive for ever.
    let sessions = Arc::downgrade(&bitzoom);
    let metrics = Arc::new(Metrics::new(move || {
        use signet_core::Clock as _;
        let replay: Option<crate::store::ReplayStats> = stats.replay_store().stats(SystemClock.now());
        let (key_cache_hits, key_cache_misses) = stats.key_cache().hits_and_misses();
        StoreStats {
            replay_entries: replay.map(|r| r.live as u64),
            replay_capacity: replay.map(|r| r.capacity as u64),
            replay_reserved: replay.map(|r| r.reserved as u64),
            key_cache_hits,
            key_cache_misses,
            ws_sessions: sessions.upgrade().map_or(0, |s| s.open_sessions() as u64),
            bitzoom_key_cache: sessions.upgrade().map_or((0, 0), |s| {
                let (found, missing) = s.key_cache_sizes();
                (found as u64, missing as u64)
            }),
        }
    }));
    let observer = Arc::clone(&metrics);
    bitzoom.set_observer(move |surface, outcome| observer.bitzoom_outcome(surface, outcome));
    let scrape = Arc::clone(&metrics);
    let auth_path = config.auth_path.trim_end_matches('/');
    let router =
        turbine_routes(Arc::clone(&turbine))
            .merge(forward_auth_route(Arc::clone(&turbine), auth_path))
            .merge(forward_auth_route(Arc::clone(&turbine), &format!("{auth_path}/{{*original}}")))
            .merge(bitzoom_routes(bitzoom))
            .merge(health_routes(turbine, Arc::clone(&draining)))
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
                crate::serve::middleware::observe,
            ));
    (router, metrics)
}

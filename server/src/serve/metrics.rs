//! `GET /metrics` in the Prometheus text format: requests, verifications, registrations and
//! Bitzoom calls by outcome, verification latency, store errors, replay store occupancy, key
//! cache use, open WebSocket sessions.

use std::sync::{Arc, OnceLock};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::http::Record;

/// What the stores report at scrape time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Live nonces in the in-process replay store (`None` for Redis).
    pub replay_entries: Option<u64>,
    /// Its capacity.
    pub replay_capacity: Option<u64>,
    /// Nonces it reserves for keys with history.
    pub replay_reserved: Option<u64>,
    /// Key lookups served by the cache.
    pub key_cache_hits: u64,
    /// Key lookups that went to the key store.
    pub key_cache_misses: u64,
    /// Bitzoom WebSocket sessions open.
    pub ws_sessions: u64,
    /// Bitzoom keys cached, and unknown key ids remembered.
    pub bitzoom_key_cache: (u64, u64),
}

type Label = [(&'static str, String); 1];

/// The counters nearly every request touches, resolved from their families on first use: a
/// request then counts with one atomic add each, not a lock, a hash and a `String` per label.
#[derive(Default)]
struct Hot {
    status_200: OnceLock<Counter>,
    status_401: OnceLock<Counter>,
    accepted: OnceLock<Counter>,
}

/// The server's metrics.
pub struct Metrics {
    hot: Hot,
    registry: Registry,
    requests: Family<Label, Counter>,
    verifications: Family<Label, Counter>,
    verify_seconds: Histogram,
    registrations: Family<Label, Counter>,
    store_errors: Family<Label, Counter>,
    bitzoom: Family<[(&'static str, String); 2], Counter>,
}

impl core::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// Reads the stores on each scrape.
struct Stores(Arc<dyn Fn() -> StoreStats + Send + Sync>);

impl core::fmt::Debug for Stores {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Stores")
    }
}

impl Collector for Stores {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> core::fmt::Result {
        let stats = (self.0)();
        let gauges = [
            (
                "signet_replay_store_entries",
                "Live nonces in the in-process replay store",
                stats.replay_entries,
            ),
            (
                "signet_replay_store_capacity",
                "Capacity of the in-process replay store",
                stats.replay_capacity,
            ),
            (
                "signet_replay_store_reserved",
                "Nonces the in-process replay store reserves for keys in use the epoch before",
                stats.replay_reserved,
            ),
            ("signet_ws_sessions", "Bitzoom WebSocket sessions open", Some(stats.ws_sessions)),
            ("signet_bitzoom_keys_cached", "Bitzoom keys in the key cache", Some(stats.bitzoom_key_cache.0)),
            (
                "signet_bitzoom_unknown_ids_cached",
                "Unknown Bitzoom key ids remembered (bounded)",
                Some(stats.bitzoom_key_cache.1),
            ),
        ];
        for (name, help, value) in gauges {
            if let Some(value) = value {
                let gauge = ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX));
                gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
            }
        }
        let counters = [
            ("signet_key_cache_hits", "Key lookups answered from the key cache", stats.key_cache_hits),
            ("signet_key_cache_misses", "Key lookups that went to the key store", stats.key_cache_misses),
        ];
        for (name, help, value) in counters {
            let counter = ConstCounter::new(value);
            counter.encode(encoder.encode_descriptor(name, help, None, counter.metric_type())?)?;
        }
        Ok(())
    }
}

impl Metrics {
    /// Metrics reading the stores through `stores` on each scrape.
    pub fn new(stores: impl Fn() -> StoreStats + Send + Sync + 'static) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<Label, Counter>::default();
        let verifications = Family::<Label, Counter>::default();
        let registrations = Family::<Label, Counter>::default();
        let store_errors = Family::<Label, Counter>::default();
        let bitzoom = Family::<[(&'static str, String); 2], Counter>::default();
        // 50 µs to about 3.3 s.
        let verify_seconds = Histogram::new(exponential_buckets(0.000_05, 2.0, 17));
        registry.register("signet_http_requests", "HTTP requests answered, by status", requests.clone());
        registry.register(
            "signet_verifications",
            "Bearer token verifications, by outcome (accepted or the refusal text)",
            verifications.clone(),
        );
        registry.register(
            "signet_verification_duration_seconds",
            "Time to verify a bearer token, replay store included",
            verify_seconds.clone(),
        );
        registry.register("signet_registrations", "API key registrations, by outcome", registrations.clone());
        registry.register(
            "signet_store_errors",
            "Requests refused because a store failed, by store",
            store_errors.clone(),
        );
        registry.register(
            "signet_bitzoom",
            "Bitzoom requests (surface rest) and WebSocket logons and session checks (surface ws), by outcome (accepted or the refusal's reason)",
            bitzoom.clone(),
        );
        registry.register_collector(Box::new(Stores(Arc::new(stores))));
        Metrics {
            hot: Hot::default(),
            registry,
            requests,
            verifications,
            verify_seconds,
            registrations,
            store_errors,
            bitzoom,
        }
    }

    /// Counts one answered request and what it recorded.
    pub fn observe(&self, status: u16, record: &Record) {
        let hot =
            |cell: &OnceLock<Counter>, family: &Family<Label, Counter>, label: &'static str, value: &str| {
                cell.get_or_init(|| family.get_or_create(&[(label, value.to_owned())]).clone()).inc();
            };
        match status {
            200 => hot(&self.hot.status_200, &self.requests, "status", "200"),
            401 => hot(&self.hot.status_401, &self.requests, "status", "401"),
            _ => {
                self.requests.get_or_create(&[("status", status.to_string())]).inc();
            }
        }
        if let Some(took) = record.verify_time {
            match record.refusal {
                None => hot(&self.hot.accepted, &self.verifications, "outcome", "accepted"),
                Some(refusal) => {
                    self.verifications.get_or_create(&[("outcome", refusal.to_owned())]).inc();
                }
            }
            self.verify_seconds.observe(took.as_secs_f64());
        }
        if let Some(outcome) = record.registration {
            self.registrations.get_or_create(&[("outcome", outcome.to_owned())]).inc();
        }
        if let Some(outcome) = record.bitzoom {
            self.bitzoom_outcome("rest", outcome);
        }
        let store = match record.refusal {
            Some("key store unavailable") => Some("key"),
            Some("replay store unavailable") => Some("replay"),
            _ => None,
        };
        if let Some(store) = store {
            self.store_errors.get_or_create(&[("store", store.to_owned())]).inc();
        }
    }

    /// Counts one Bitzoom outcome on `surface` (`rest` or `ws`).
    pub fn bitzoom_outcome(&self, surface: &'static str, outcome: &'static str) {
        self.bitzoom.get_or_create(&[("surface", surface.to_owned()), ("outcome", outcome.to_owned())]).inc();
    }

    /// The text a scrape gets.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

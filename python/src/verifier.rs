//! Turbine token verification for Python API servers: the server crate's verifier service (the
//! documented checks and texts, the replay store, the key cache), over keys given in Python or
//! a key registry (redb file or PostgreSQL), with the memory replay store or Redis.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use pyo3::prelude::*;
use signet_core::Clock as _;
use signet_core::ed25519_dalek::VerifyingKey;
use signet_core::turbine::{KeyId, KeyRecord, KeyStoreError, VerifyConfig};
use signet_server::store::{
    KeySource, MemoryReplayConfig, MemoryReplayStore, PostgresConfig, PostgresRegistry, RedbRegistry,
    RedisReplayConfig, RedisReplayStore, ReplayStore,
};
use signet_server::{Registry, VerifierService};
use signet_std::SystemClock;

use crate::failure::failure;

fn config_error(message: impl Into<String>) -> PyErr {
    failure("config", message, 0)
}

/// Keys a verifier looks up: given in Python, or a registry.
enum Keys {
    Given(Arc<RwLock<HashMap<KeyId, KeyRecord>>>),
    Registry(Registry),
}

impl KeySource for Keys {
    async fn lookup_key(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        match self {
            Keys::Given(keys) => {
                Ok(keys.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(kid).cloned())
            }
            Keys::Registry(registry) => registry.lookup_key(kid).await,
        }
    }
}

/// Verifies `Authorization` headers. `Send + Sync`: share one per process.
#[pyclass(frozen, module = "signet_credentials._native")]
pub struct Verifier {
    runtime: tokio::runtime::Runtime,
    service: VerifierService<Keys>,
    given: Option<Arc<RwLock<HashMap<KeyId, KeyRecord>>>>,
}

fn replay_store(runtime: &tokio::runtime::Runtime, spec: &str, capacity: usize) -> PyResult<ReplayStore> {
    if spec == "memory" {
        let config = MemoryReplayConfig::sized(capacity);
        let window = VerifyConfig::default().window_secs;
        return Ok(ReplayStore::Memory(MemoryReplayStore::new(config, SystemClock.now(), window)));
    }
    if ["redis://", "rediss://", "redis-cluster://"].iter().any(|s| spec.starts_with(s)) {
        let config = RedisReplayConfig { per_key: (capacity / 8).max(1), ..RedisReplayConfig::default() };
        // The URL may hold a password: only the kind of error is said.
        let store = RedisReplayStore::open(spec, config)
            .map_err(|e| config_error(format!("replay_store: {:?}", e.kind())))?;
        // Markers made now, on this runtime; if Redis is down, requests are refused until it answers.
        let _ = runtime.block_on(store.prepare());
        return Ok(ReplayStore::Redis(Box::new(store)));
    }
    Err(config_error("replay_store takes \"memory\", redis://… or redis-cluster://…"))
}

fn registry(runtime: &tokio::runtime::Runtime, spec: &str) -> PyResult<Registry> {
    if let Some(path) = spec.strip_prefix("redb:") {
        let registry =
            RedbRegistry::open(path.as_ref()).map_err(|e| config_error(format!("key_store: {e}")))?;
        return Ok(Registry::from(registry));
    }
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        let registry = runtime
            .block_on(PostgresRegistry::connect(spec, PostgresConfig::default()))
            .map_err(|e| config_error(format!("key_store: {e}")))?;
        return Ok(Registry::from(registry));
    }
    Err(config_error("key_store takes redb:PATH or postgres://…"))
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (key_store=None, replay_store="memory", replay_capacity=1 << 20))]
    fn new(key_store: Option<&str>, replay_store: &str, replay_capacity: usize) -> PyResult<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| config_error(e.to_string()))?;
        let replay = self::replay_store(&runtime, replay_store, replay_capacity.max(1))?;
        let (keys, given) = match key_store {
            None => {
                let given = Arc::new(RwLock::new(HashMap::new()));
                (Keys::Given(Arc::clone(&given)), Some(given))
            }
            Some(spec) => (Keys::Registry(registry(&runtime, spec)?), None),
        };
        let service = VerifierService::with_replay_store(keys, VerifyConfig::default(), replay);
        Ok(Verifier { runtime, service, given })
    }

    /// Trusts `key_id` with the Ed25519 public key `public_key` (hex), for verifiers without a
    /// key store.
    fn add_key(&self, key_id: &str, public_key: &str) -> PyResult<()> {
        let given = self.given.as_ref().ok_or_else(|| config_error("keys come from the key store"))?;
        let kid = KeyId::new(key_id).map_err(|e| config_error(format!("key id: {e}")))?;
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(public_key.strip_prefix("0x").unwrap_or(public_key), &mut bytes)
            .map_err(|_| config_error("public key: 64 hex digits"))?;
        let key =
            VerifyingKey::from_bytes(&bytes).map_err(|_| config_error("public key: not an Ed25519 point"))?;
        given.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(kid, KeyRecord::active(key));
        Ok(())
    }

    /// Checks an `Authorization` header value (`None` when absent) now, recording its nonce:
    /// `(key_id, ts, nonce)`, or a verification failure with the documented text and status.
    #[pyo3(signature = (authorization))]
    fn verify(&self, py: Python<'_>, authorization: Option<&str>) -> PyResult<(String, i64, String)> {
        let outcome =
            py.detach(|| self.runtime.block_on(self.service.verify_async(authorization.map(str::as_bytes))));
        match outcome {
            Ok(claims) => Ok((claims.kid.as_str().to_owned(), claims.ts.0, claims.nonce.to_string())),
            Err(e) => Err(failure("verification", e.to_string(), e.http_status())),
        }
    }

    /// Time on the verifier's clock (Unix seconds), for tests and logs.
    #[staticmethod]
    fn now() -> i64 {
        SystemClock.now().0
    }

    fn __repr__(&self) -> String {
        "Verifier(…)".to_owned()
    }
}

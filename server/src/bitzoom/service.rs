//! The Bitzoom server side: checks HMAC-signed requests and WebSocket logons against the keys
//! (status, permission, allowlist, rate limit, then the nonce), and, in test mode only, issues
//! and accepts test tokens.

use core::fmt;
use core::net::IpAddr;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use signet_core::bitzoom::jwt::{JwtSigningKey, JwtVerifier, JwtVerifyingKey};
use signet_core::bitzoom::request_signing::{
    RequestSigningError, SignedRequest, UncheckedNonce, check_request,
};
use signet_core::bitzoom::ws_logon::{Logon, check_logon};
use signet_core::turbine::KeyId;
use signet_core::{Clock, HmacKey};
use signet_std::{Secret, SystemClock};

use crate::bitzoom::caller::{Caller, CallerVia, MAX_NONCE_LEN, SignedHeaders};
use crate::bitzoom::error::BitzoomError;
use crate::bitzoom::keys::{BitzoomKey, BitzoomKeyStatus, Permission, Permissions};
use crate::bitzoom::lookup::KeyLookup;
use crate::bitzoom::session::{SessionCount, WsLimits};
use crate::rate::{DEFAULT_RATE_BURST, DEFAULT_RATE_PER_SEC, RateLimiter};
use crate::store::{MemoryReplayConfig, MemoryReplayStore, ReplayStore};
use crate::{Registry, VerifierService};

/// Checks HMAC-signed requests and WebSocket logons: keys from configuration (every
/// permission, any address) and keys in the registry (permissions, allowlist, status), a
/// per-key rate limit, and the nonces in the Turbine side's replay store (its per-key share,
/// journal or Redis), recorded only once every other check passed. In test mode it also
/// issues HS256 test tokens and takes them as test users.
pub struct BitzoomService {
    pub(super) jwt_key: JwtSigningKey,
    pub(super) verifier: JwtVerifier,
    pub(super) lifetime_secs: i64,
    pub(super) test_tokens: bool,
    keys: KeyLookup,
    pub(super) limiter: RateLimiter,
    /// Used when there is no registry (and so no Turbine replay store) behind the service.
    own_replay: ReplayStore,
    bare_401: bool,
    ws_limits: WsLimits,
    sessions: Arc<AtomicUsize>,
    observer: OnceLock<Observer>,
}

/// Told each Bitzoom outcome: the surface (`rest`, `ws`) and `accepted` or the refusal's reason.
type Observer = Box<dyn Fn(&'static str, &'static str) + Send + Sync>;

impl fmt::Debug for BitzoomService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BitzoomService")
            .field("lifetime_secs", &self.lifetime_secs)
            .field("test_tokens", &self.test_tokens)
            .finish_non_exhaustive()
    }
}

/// Live nonces of the replay store a service without a registry keeps (tests, embedding).
const OWN_REPLAY_CAPACITY: usize = 1 << 16;

impl BitzoomService {
    /// A service whose test tokens (off until [`BitzoomService::with_test_tokens`]) are HS256
    /// under `jwt_secret`, 86,400 s lifetime (the framework's default).
    #[must_use]
    pub fn new(jwt_secret: &[u8]) -> Self {
        let key = HmacKey::new(jwt_secret);
        // Without a registry the service keeps its own store: it cannot know what an earlier
        // process accepted (Bitzoom windows vary, so it does not guess a restart window).
        let config = MemoryReplayConfig::sized(OWN_REPLAY_CAPACITY);
        BitzoomService {
            verifier: JwtVerifier::new(JwtVerifyingKey::Hs256(key.clone())),
            jwt_key: JwtSigningKey::Hs256(key),
            lifetime_secs: 86_400,
            test_tokens: false,
            keys: KeyLookup::new(),
            limiter: RateLimiter::new(DEFAULT_RATE_PER_SEC, DEFAULT_RATE_BURST),
            own_replay: ReplayStore::Memory(MemoryReplayStore::new(config, SystemClock.now(), 0)),
            bare_401: false,
            ws_limits: WsLimits::default(),
            sessions: Arc::new(AtomicUsize::new(0)),
            observer: OnceLock::new(),
        }
    }

    /// Bounds of each WebSocket session.
    #[must_use]
    pub fn with_ws_limits(mut self, limits: WsLimits) -> Self {
        self.ws_limits = limits;
        self
    }

    /// Bounds of each WebSocket session.
    #[must_use]
    pub fn ws_limits(&self) -> &WsLimits {
        &self.ws_limits
    }

    /// Sends every outcome to `observer` (the server's metrics) from now on; `false` if one
    /// was set before (it stays).
    pub fn set_observer(
        &self,
        observer: impl Fn(&'static str, &'static str) + Send + Sync + 'static,
    ) -> bool {
        self.observer.set(Box::new(observer)).is_ok()
    }

    /// Tells the observer of an outcome on `surface`.
    pub fn observe(&self, surface: &'static str, outcome: &'static str) {
        if let Some(observer) = self.observer.get() {
            observer(surface, outcome);
        }
    }

    /// Counts a WebSocket session until the returned value is dropped.
    #[must_use]
    pub fn session_opened(&self) -> SessionCount {
        self.sessions.fetch_add(1, Ordering::Relaxed);
        SessionCount(Arc::clone(&self.sessions))
    }

    /// WebSocket sessions open now.
    #[must_use]
    pub fn open_sessions(&self) -> usize {
        self.sessions.load(Ordering::Relaxed)
    }

    /// Test mode: `GET /api/servermanage/testtoken?userid=` issues tokens for any user id, and
    /// bearer tokens are taken as test users (`READ` and `TRADE`, never `WALLET`, rate limited
    /// per user id like a key). Anyone who can reach the server can then trade as anyone:
    /// for development only, never where real keys are registered.
    #[must_use]
    pub fn with_test_tokens(mut self, on: bool) -> Self {
        self.test_tokens = on;
        self
    }

    /// Whether the service is in test mode.
    #[must_use]
    pub fn test_tokens(&self) -> bool {
        self.test_tokens
    }

    /// Also takes keys from the registry behind `store` (created with `signet bitzoom keys`),
    /// each trusted for the key cache's lifetime (1 s by default), so a disable or revoke made
    /// elsewhere takes effect within it; and records nonces in its replay store.
    #[must_use]
    pub fn with_key_store(mut self, store: Arc<VerifierService<Registry>>) -> Self {
        self.keys.set_store(store);
        self
    }

    /// Allows each key `per_sec` requests a second, in bursts of up to `burst` (defaults 50 and
    /// 100); beyond it the answer is 429 with -1003.
    #[must_use]
    pub fn with_rate_limit(mut self, per_sec: u32, burst: u32) -> Self {
        self.limiter = RateLimiter::new(per_sec, burst);
        self
    }

    /// Sets the lifetime of issued tokens.
    #[must_use]
    pub fn with_lifetime_secs(mut self, secs: i64) -> Self {
        self.lifetime_secs = secs;
        self
    }

    /// Answers failed tokens with a bare 401 and no body, as Bitzoom's framework does.
    #[must_use]
    pub fn with_bare_401(mut self, bare: bool) -> Self {
        self.bare_401 = bare;
        self
    }

    /// Whether failures are answered with a bare 401.
    #[must_use]
    pub fn bare_401(&self) -> bool {
        self.bare_401
    }

    /// How often an open WebSocket session's key is checked again: the key cache's lifetime.
    #[must_use]
    pub fn key_recheck_interval(&self) -> core::time::Duration {
        self.keys.ttl()
    }

    /// Registers an HMAC API key and its secret from configuration: every permission, any
    /// source address, never disabled.
    ///
    /// # Errors
    /// [`BitzoomError::UnknownApiKey`] if the key name cannot be a key id or the secret is not
    /// UTF-8.
    pub fn add_api_key(&mut self, api_key: &str, secret: &[u8]) -> Result<(), BitzoomError> {
        KeyId::new(api_key).map_err(|_| BitzoomError::UnknownApiKey)?;
        let secret = core::str::from_utf8(secret).map_err(|_| BitzoomError::UnknownApiKey)?;
        self.keys.add_configured(BitzoomKey {
            api_key: api_key.to_owned(),
            account: "configured".to_owned(),
            label: None,
            permissions: Permissions::ALL,
            allowed_ips: Vec::new(),
            status: BitzoomKeyStatus::Active,
            created_at: SystemClock.now(),
            secret: Secret::new(secret.to_owned()),
        });
        Ok(())
    }

    /// The replay store nonces go to: the Turbine side's when there is a registry.
    fn replay(&self) -> &ReplayStore {
        self.keys.store().map_or(&self.own_replay, |store| store.replay_store())
    }

    /// Entries in the key cache now: (existing keys, unknown ids).
    #[must_use]
    pub fn key_cache_sizes(&self) -> (usize, usize) {
        self.keys.sizes()
    }

    /// Checks an HMAC-signed request now from `peer` for an endpoint that needs `permission`.
    ///
    /// Order: header sizes and the key (unknown, disabled, revoked: -1002), the window
    /// (-1021), the signature (-1022), the permission and the source address (403), the nonce
    /// (-1002; recorded only now, so a request refused above spends no replay-store room), the
    /// rate limit (-1003).
    ///
    /// # Errors
    /// The first refusal as a [`BitzoomError`].
    pub async fn authorize_signed(
        &self,
        request: &SignedHeaders<'_>,
        signed: &SignedRequest<'_>,
        peer: Option<IpAddr>,
        permission: Permission,
    ) -> Result<Caller, BitzoomError> {
        if request.nonce.len() > MAX_NONCE_LEN {
            return Err(BitzoomError::Request(RequestSigningError::InvalidField));
        }
        let key = self.keys.key(request.api_key).await?;
        let kid = usable(&key)?;
        let secret = HmacKey::new(key.secret.expose().as_bytes());
        let nonce = check_request(&secret, signed, request.signature, SystemClock.now_ms())
            .map_err(BitzoomError::Request)?;
        if !key.permissions.allows(permission) {
            return Err(BitzoomError::Forbidden(permission));
        }
        self.admit(&key, &kid, peer, nonce).await
    }

    /// Checks a WebSocket logon now from `peer`: the key, the logon's signature and window,
    /// the source address, then its nonce (the same replay store as signed requests: a logon
    /// copied onto another connection is a reused nonce), then the rate limit. Private
    /// channels then need [`Permission::Read`] ([`Caller::require`]).
    ///
    /// # Errors
    /// The first refusal as a [`BitzoomError`].
    pub async fn logon(&self, logon: &Logon<'_>, peer: Option<IpAddr>) -> Result<Caller, BitzoomError> {
        if logon.nonce.len() > MAX_NONCE_LEN {
            return Err(BitzoomError::Request(RequestSigningError::InvalidField));
        }
        let key = self.keys.key(logon.api_key).await?;
        let kid = usable(&key)?;
        let secret = HmacKey::new(key.secret.expose().as_bytes());
        let nonce = check_logon(&secret, logon, SystemClock.now_ms()).map_err(BitzoomError::Request)?;
        self.admit(&key, &kid, peer, nonce).await
    }

    /// Whether `caller`'s key still allows what its session does: active, `permission` (if
    /// any) granted, `peer` in its allowlist (what an open WebSocket session checks again each
    /// [`BitzoomService::key_recheck_interval`]). A test user is checked against test mode.
    ///
    /// # Errors
    /// The refusal that would now be given.
    pub async fn recheck(
        &self,
        caller: &Caller,
        peer: Option<IpAddr>,
        permission: Option<Permission>,
    ) -> Result<(), BitzoomError> {
        if caller.via == CallerVia::TestToken {
            return if self.test_tokens { Ok(()) } else { Err(BitzoomError::BearerOutsideTestMode) };
        }
        let key = self.keys.key(&caller.id).await?;
        usable(&key)?;
        if let Some(permission) = permission.filter(|p| !key.permissions.allows(*p)) {
            return Err(BitzoomError::Forbidden(permission));
        }
        if !key.allows_ip(peer) {
            return Err(BitzoomError::IpNotAllowed);
        }
        Ok(())
    }

    /// What every signed request and logon does after its signature: the source address, the
    /// nonce (now that it will be served if the rate limit allows), then the rate limit (only
    /// a caller holding the secret, with a fresh nonce, spends the key's budget).
    async fn admit(
        &self,
        key: &BitzoomKey,
        kid: &KeyId,
        peer: Option<IpAddr>,
        nonce: UncheckedNonce,
    ) -> Result<Caller, BitzoomError> {
        if !key.allows_ip(peer) {
            return Err(BitzoomError::IpNotAllowed);
        }
        self.replay()
            .check_and_record_async(kid, &nonce.nonce, nonce.issued_at_ms, nonce.expires_at, nonce.now)
            .await
            .map_err(|e| BitzoomError::Request(RequestSigningError::from_replay(e)))?;
        if !self.limiter.admit(&key.api_key) {
            return Err(BitzoomError::RateLimited);
        }
        Ok(Caller {
            id: key.api_key.clone(),
            account: key.account.clone(),
            permissions: key.permissions,
            via: CallerVia::ApiKey,
        })
    }
}

/// The key's id in the replay store if it may be used: `bz:` and the key (a hash of it when
/// that would not fit), so a Bitzoom key never shares a share with a Turbine key.
fn usable(key: &BitzoomKey) -> Result<KeyId, BitzoomError> {
    match key.status {
        BitzoomKeyStatus::Active => replay_id(&key.api_key),
        BitzoomKeyStatus::Disabled => Err(BitzoomError::KeyDisabled),
        BitzoomKeyStatus::Revoked => Err(BitzoomError::KeyRevoked),
    }
}

fn replay_id(api_key: &str) -> Result<KeyId, BitzoomError> {
    use sha2::Digest as _;
    KeyId::new(&format!("bz:{api_key}"))
        .or_else(|_| {
            let digest = sha2::Sha256::digest(api_key);
            KeyId::new(&format!("bz#{}", hex::encode(digest.get(..16).unwrap_or_default())))
        })
        .map_err(|_| BitzoomError::UnknownApiKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_ids_are_apart_from_turbine_ids_and_always_fit() {
        assert_eq!(replay_id("abc").unwrap().as_str(), "bz:abc");
        let long = "k".repeat(64);
        let id = replay_id(&long).unwrap();
        assert!(id.as_str().starts_with("bz#") && id.as_str().len() == 35);
    }
}

//! The Bitzoom server side: test-token issuing and checking of bearer JWTs, HMAC-signed
//! requests and WebSocket logons, with key permissions, allowlists and rate limits.

use core::fmt;
use core::net::IpAddr;
use core::time::Duration;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use signet_core::bitzoom::jwt::{JwtError, JwtSigningKey, JwtVerifier, MAX_JWT_LEN, encode};
use signet_core::bitzoom::request_signing::{RequestSigningError, SignedRequest, verify_request};
use signet_core::bitzoom::ws_logon::{Logon, verify_logon};
use signet_core::turbine::KeyId;
use signet_core::{Clock, HmacKey};

use signet_std::Secret;
use signet_std::SystemClock;

use crate::bitzoom::keys::{BitzoomKey, BitzoomKeyStatus, Permission, Permissions};
use crate::store::{BitzoomKeyStore, DEFAULT_KEY_CACHE_TTL, ShardedReplayCache};
use crate::{Registry, VerifierService};

/// Bitzoom's token claims (its server framework's `uid`, `uname`, `iat`, `exp`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BitzoomClaims {
    /// User id.
    pub uid: heapless::String<32>,
    /// User name.
    pub uname: heapless::String<40>,
    /// Issued at.
    pub iat: i64,
    /// Expiry.
    pub exp: i64,
}

/// Why a Bitzoom request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BitzoomError {
    /// The bearer token was refused.
    Jwt(JwtError),
    /// The signed request (or logon) was refused.
    Request(RequestSigningError),
    /// `X-BZ-APIKEY` names no known key.
    UnknownApiKey,
    /// A user id that cannot go in a token (empty or too long).
    InvalidUserId,
    /// The key is disabled (its owner may enable it again).
    KeyDisabled,
    /// The key is revoked for good.
    KeyRevoked,
    /// The key lacks the permission the endpoint or channel needs (HTTP 403).
    Forbidden(Permission),
    /// The request comes from an address outside the key's allowlist (HTTP 403).
    IpNotAllowed,
    /// The key is over its rate limit (HTTP 429, -1003).
    RateLimited,
    /// The key store cannot be reached (HTTP 503).
    Unavailable,
}

/// Bitzoom's code for a forbidden action, as its HTTP status.
pub const BITZOOM_FORBIDDEN: i32 = 403;

impl BitzoomError {
    /// Bitzoom's code: -1021 (timestamp outside the window), -1022 (signature), -1002
    /// (unauthorized: unknown, disabled or revoked key, reused nonce), -1003 (rate limit),
    /// 403 (permission or allowlist), -1008 (server busy), or 401 for a missing header.
    #[must_use]
    pub fn code(&self) -> i32 {
        match self {
            BitzoomError::Jwt(e) => e.code(),
            BitzoomError::Request(e) => e.code(),
            BitzoomError::UnknownApiKey
            | BitzoomError::InvalidUserId
            | BitzoomError::KeyDisabled
            | BitzoomError::KeyRevoked => signet_core::bitzoom::jwt::BITZOOM_UNAUTHORIZED,
            BitzoomError::Forbidden(_) | BitzoomError::IpNotAllowed => BITZOOM_FORBIDDEN,
            BitzoomError::RateLimited => signet_core::bitzoom::jwt::BITZOOM_RATE_LIMIT,
            BitzoomError::Unavailable => -1008,
        }
    }
}

impl fmt::Display for BitzoomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BitzoomError::Jwt(e) => e.fmt(f),
            BitzoomError::Request(e) => e.fmt(f),
            BitzoomError::UnknownApiKey | BitzoomError::InvalidUserId => f.write_str("Unauthorized"),
            BitzoomError::KeyDisabled => f.write_str("API key is disabled"),
            BitzoomError::KeyRevoked => f.write_str("API key is revoked"),
            BitzoomError::Forbidden(p) => {
                write!(f, "Forbidden: the API key lacks the {} permission", p.as_str())
            }
            BitzoomError::IpNotAllowed => {
                f.write_str("Forbidden: source IP is not in the API key's allowlist")
            }
            BitzoomError::RateLimited => f.write_str("Rate limit exceeded"),
            BitzoomError::Unavailable => f.write_str("Server busy"),
        }
    }
}

/// Who made an HMAC-signed request or logon: the key, its account and permissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// `X-BZ-APIKEY`.
    pub api_key: String,
    /// The key's account.
    pub account: String,
    /// What the key may do.
    pub permissions: Permissions,
}

impl Caller {
    /// `Ok` if the key has `permission`.
    ///
    /// # Errors
    /// [`BitzoomError::Forbidden`].
    pub fn require(&self, permission: Permission) -> Result<(), BitzoomError> {
        if self.permissions.allows(permission) { Ok(()) } else { Err(BitzoomError::Forbidden(permission)) }
    }
}

impl core::error::Error for BitzoomError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            BitzoomError::Jwt(e) => Some(e),
            BitzoomError::Request(e) => Some(e),
            _ => None,
        }
    }
}

/// The `X-BZ-*` headers of a signed request, as received.
#[derive(Clone, Copy, Debug)]
pub struct SignedHeaders<'a> {
    /// `X-BZ-APIKEY`.
    pub api_key: &'a str,
    /// `X-BZ-TIMESTAMP` (ms).
    pub timestamp: &'a str,
    /// `X-BZ-NONCE`.
    pub nonce: &'a str,
    /// `X-BZ-RECVWINDOW`, or `""` if absent.
    pub recv_window: &'a str,
    /// `X-BZ-SIGNATURE`.
    pub signature: &'a str,
}

/// Issues HS256 test tokens and checks bearer tokens, HMAC-signed requests and WebSocket
/// logons: keys from the environment (every permission, any address) and keys in the registry
/// (permissions, allowlist, status), a per-key rate limit, and one replay cache for requests
/// and logons.
pub struct BitzoomService {
    jwt_key: JwtSigningKey,
    verifier: JwtVerifier,
    lifetime_secs: i64,
    static_keys: HashMap<String, Arc<BitzoomKey>>,
    store: Option<Arc<VerifierService<Registry>>>,
    cache: Mutex<HashMap<String, CachedKey>>,
    cache_ttl: Duration,
    limiter: RateLimiter,
    replay: ShardedReplayCache,
    bare_401: bool,
}

impl fmt::Debug for BitzoomService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BitzoomService").field("lifetime_secs", &self.lifetime_secs).finish_non_exhaustive()
    }
}

impl BitzoomService {
    /// A service signing tokens with an HS256 secret, 86,400 s lifetime (the framework's default).
    #[must_use]
    pub fn new(jwt_secret: &[u8]) -> Self {
        let key = HmacKey::new(jwt_secret);
        BitzoomService {
            verifier: JwtVerifier::new(signet_core::bitzoom::jwt::JwtVerifyingKey::Hs256(key.clone())),
            jwt_key: JwtSigningKey::Hs256(key),
            lifetime_secs: 86_400,
            static_keys: HashMap::new(),
            store: None,
            cache: Mutex::new(HashMap::new()),
            cache_ttl: DEFAULT_KEY_CACHE_TTL,
            limiter: RateLimiter::new(DEFAULT_RATE_PER_SEC, DEFAULT_RATE_BURST),
            replay: ShardedReplayCache::new(2),
            bare_401: false,
        }
    }

    /// Also takes keys from the registry behind `store` (created with `signet bitzoom keys`),
    /// each trusted for the key cache's lifetime (1 s by default), so a disable or revoke made
    /// elsewhere takes effect within it.
    #[must_use]
    pub fn with_key_store(mut self, store: Arc<VerifierService<Registry>>) -> Self {
        self.cache_ttl = store.key_cache().ttl();
        self.store = Some(store);
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

    /// Registers an HMAC API key and its secret from configuration: every permission, any
    /// source address, never disabled.
    ///
    /// # Errors
    /// [`BitzoomError::UnknownApiKey`] if the key name cannot be a key id or the secret is not
    /// UTF-8.
    pub fn add_api_key(&mut self, api_key: &str, secret: &[u8]) -> Result<(), BitzoomError> {
        KeyId::new(api_key).map_err(|_| BitzoomError::UnknownApiKey)?;
        let secret = core::str::from_utf8(secret).map_err(|_| BitzoomError::UnknownApiKey)?;
        let key = BitzoomKey {
            api_key: api_key.to_owned(),
            account: "configured".to_owned(),
            label: None,
            permissions: Permissions::ALL,
            allowed_ips: Vec::new(),
            status: BitzoomKeyStatus::Active,
            created_at: SystemClock.now(),
            secret: Secret::new(secret.to_owned()),
        };
        self.static_keys.insert(api_key.to_owned(), Arc::new(key));
        Ok(())
    }

    /// The key `api_key`: configured, cached, or read from the registry.
    async fn key(&self, api_key: &str) -> Result<Arc<BitzoomKey>, BitzoomError> {
        if let Some(key) = self.static_keys.get(api_key) {
            return Ok(Arc::clone(key));
        }
        let Some(store) = &self.store else { return Err(BitzoomError::UnknownApiKey) };
        let cached = {
            let cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            cache.get(api_key).filter(|(at, _)| at.elapsed() < self.cache_ttl).map(|(_, key)| key.clone())
        };
        let key = match cached {
            Some(key) => key,
            None => {
                let key = store
                    .keys()
                    .bitzoom_key(api_key)
                    .await
                    .map_err(|_| BitzoomError::Unavailable)?
                    .map(Arc::new);
                let mut cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if cache.len() > 100_000 {
                    // Unknown ids sent at volume must not grow the cache without bound.
                    cache.clear();
                }
                cache.insert(api_key.to_owned(), (Instant::now(), key.clone()));
                key
            }
        };
        key.ok_or(BitzoomError::UnknownApiKey)
    }

    /// The key checks every signed request and logon makes after its signature: status,
    /// source address, then the rate limit (only a caller holding the secret spends the key's
    /// budget).
    fn admit(&self, key: &BitzoomKey, peer: Option<IpAddr>) -> Result<Caller, BitzoomError> {
        if !key.allows_ip(peer) {
            return Err(BitzoomError::IpNotAllowed);
        }
        if !self.limiter.admit(&key.api_key) {
            return Err(BitzoomError::RateLimited);
        }
        Ok(Caller {
            api_key: key.api_key.clone(),
            account: key.account.clone(),
            permissions: key.permissions,
        })
    }

    fn usable(key: &BitzoomKey) -> Result<KeyId, BitzoomError> {
        match key.status {
            BitzoomKeyStatus::Active => KeyId::new(&key.api_key).map_err(|_| BitzoomError::UnknownApiKey),
            BitzoomKeyStatus::Disabled => Err(BitzoomError::KeyDisabled),
            BitzoomKeyStatus::Revoked => Err(BitzoomError::KeyRevoked),
        }
    }

    /// Whether failures are answered with a bare 401.
    #[must_use]
    pub fn bare_401(&self) -> bool {
        self.bare_401
    }

    /// An HS256 test token for `uid`, valid from now for the configured lifetime.
    ///
    /// # Errors
    /// [`BitzoomError::InvalidUserId`] for an empty or over-long id.
    pub fn issue_token(&self, uid: &str) -> Result<String, BitzoomError> {
        let now = SystemClock.now().0;
        let claims = BitzoomClaims {
            uid: uid.try_into().map_err(|_| BitzoomError::InvalidUserId)?,
            uname: format!("user{uid}").as_str().try_into().map_err(|_| BitzoomError::InvalidUserId)?,
            iat: now,
            exp: now.saturating_add(self.lifetime_secs),
        };
        let mut buf = [0u8; MAX_JWT_LEN];
        encode(&self.jwt_key, &claims, &mut buf).map(str::to_owned).map_err(|_| BitzoomError::InvalidUserId)
    }

    /// Checks `Authorization: Bearer <jwt>` now, returning the token's `uid`.
    ///
    /// # Errors
    /// [`BitzoomError::Jwt`] with the Bitzoom code.
    pub fn verify_bearer(&self, authorization: Option<&[u8]>) -> Result<String, BitzoomError> {
        self.verifier
            .verify_authorization::<BitzoomClaims>(authorization, SystemClock.now())
            .map(|v| v.claims.uid.to_string())
            .map_err(BitzoomError::Jwt)
    }

    /// Checks an HMAC-signed request now from `peer` for an endpoint that needs `permission`.
    ///
    /// Order: the key (unknown, disabled, revoked: -1002), the window (-1021), the signature
    /// (-1022), the nonce (-1002), the source address and the permission (403), the rate
    /// limit (-1003).
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
        let key = self.key(request.api_key).await?;
        let kid = Self::usable(&key)?;
        let mut replay = &self.replay;
        let secret = HmacKey::new(key.secret.expose().as_bytes());
        verify_request(&secret, &kid, signed, request.signature, SystemClock.now_ms(), &mut replay)
            .map_err(BitzoomError::Request)?;
        if !key.permissions.allows(permission) {
            return Err(BitzoomError::Forbidden(permission));
        }
        self.admit(&key, peer)
    }

    /// Checks a WebSocket logon now from `peer`: the key, the logon's signature, window and
    /// nonce (the same replay cache as signed requests: a logon copied onto another connection
    /// is a reused nonce), the source address, the rate limit. Private channels then need
    /// [`Permission::Read`] ([`Caller::require`]).
    ///
    /// # Errors
    /// The first refusal as a [`BitzoomError`].
    pub async fn logon(&self, logon: &Logon<'_>, peer: Option<IpAddr>) -> Result<Caller, BitzoomError> {
        let key = self.key(logon.api_key).await?;
        let kid = Self::usable(&key)?;
        let mut replay = &self.replay;
        let secret = HmacKey::new(key.secret.expose().as_bytes());
        verify_logon(&secret, &kid, logon, SystemClock.now_ms(), &mut replay)
            .map_err(BitzoomError::Request)?;
        self.admit(&key, peer)
    }
}

/// A looked-up key (or its absence) and when it was read.
type CachedKey = (Instant, Option<Arc<BitzoomKey>>);

/// Default requests per second of one key.
pub const DEFAULT_RATE_PER_SEC: u32 = 50;
/// Default burst of one key.
pub const DEFAULT_RATE_BURST: u32 = 100;

/// A token bucket per key, in this process.
struct RateLimiter {
    per_sec: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    fn new(per_sec: u32, burst: u32) -> Self {
        RateLimiter {
            per_sec: f64::from(per_sec.max(1)),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn admit(&self, api_key: &str) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (tokens, at) = buckets.entry(api_key.to_owned()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_sec).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

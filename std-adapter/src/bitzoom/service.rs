//! The Bitzoom server side: test-token issuing and checking of bearer JWTs and HMAC-signed
//! requests, for a local verifier or a test server.

use core::fmt;
use std::collections::HashMap;

use signet_core::jwt::{JwtError, JwtSigningKey, JwtVerifier, MAX_JWT_LEN, encode};
use signet_core::request_signing::{RequestSigningError, SignedRequest, verify_request};
use signet_core::{Clock, HmacKey, KeyId};

use crate::platform::SystemClock;
use crate::store::sharded::ShardedReplayCache;

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
    /// The signed request was refused.
    Request(RequestSigningError),
    /// `X-BZ-APIKEY` names no known key.
    UnknownApiKey,
    /// A user id that cannot go in a token (empty or too long).
    InvalidUserId,
}

impl BitzoomError {
    /// Bitzoom's code: -1002, -1022, or 401 for a missing header.
    #[must_use]
    pub fn code(&self) -> i32 {
        match self {
            BitzoomError::Jwt(e) => e.code(),
            BitzoomError::Request(e) => e.code(),
            BitzoomError::UnknownApiKey | BitzoomError::InvalidUserId => {
                signet_core::jwt::BITZOOM_UNAUTHORIZED
            }
        }
    }
}

impl fmt::Display for BitzoomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BitzoomError::Jwt(e) => e.fmt(f),
            BitzoomError::Request(e) => e.fmt(f),
            BitzoomError::UnknownApiKey | BitzoomError::InvalidUserId => f.write_str("Unauthorized"),
        }
    }
}

impl core::error::Error for BitzoomError {}

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

/// Issues HS256 test tokens and checks bearer tokens and HMAC-signed requests.
pub struct BitzoomService {
    jwt_key: JwtSigningKey,
    verifier: JwtVerifier,
    lifetime_secs: i64,
    api_keys: HashMap<String, (KeyId, HmacKey)>,
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
            verifier: JwtVerifier::new(signet_core::jwt::JwtVerifyingKey::Hs256(key.clone())),
            jwt_key: JwtSigningKey::Hs256(key),
            lifetime_secs: 86_400,
            api_keys: HashMap::new(),
            replay: ShardedReplayCache::new(2),
            bare_401: false,
        }
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

    /// Registers an HMAC API key and its secret.
    ///
    /// # Errors
    /// [`BitzoomError::UnknownApiKey`] if the key name cannot be a key id.
    pub fn add_api_key(&mut self, api_key: &str, secret: &[u8]) -> Result<(), BitzoomError> {
        let kid = KeyId::new(api_key).map_err(|_| BitzoomError::UnknownApiKey)?;
        self.api_keys.insert(api_key.to_owned(), (kid, HmacKey::new(secret)));
        Ok(())
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

    /// Checks an HMAC-signed request now, returning its API key.
    ///
    /// # Errors
    /// [`BitzoomError::UnknownApiKey`] or [`BitzoomError::Request`].
    pub fn verify_signed(
        &self,
        headers: &SignedHeaders<'_>,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Result<String, BitzoomError> {
        let (kid, key) = self.api_keys.get(headers.api_key).ok_or(BitzoomError::UnknownApiKey)?;
        let request = SignedRequest {
            timestamp: headers.timestamp,
            nonce: headers.nonce,
            recv_window: headers.recv_window,
            method,
            path,
            query,
            body,
        };
        let mut replay = &self.replay;
        verify_request(key, kid, &request, headers.signature, SystemClock.now_ms(), &mut replay)
            .map(|()| headers.api_key.to_owned())
            .map_err(BitzoomError::Request)
    }
}

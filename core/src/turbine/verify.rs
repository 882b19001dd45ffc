//! Verification of an `Authorization` header, in the documented order.

//!
//! [`Verifier`] runs every step against a [`KeyStore`] and a [`ReplayGuard`]. Servers whose
//! stores are asynchronous (a database, Redis) run the same steps themselves, with I/O only
//! between them: [`VerifyConfig::check_header`] (steps 1 to 4, pure), then their own key lookup,
//! [`Token::check_key`] (steps 5 and 6, pure), then their own replay store with
//! [`VerifyConfig::replay_expiry`] and [`AuthError::from_replay`] (step 7).

use crate::time::UnixTime;
use crate::turbine::claims::Claims;
use crate::turbine::error::AuthError;
use crate::turbine::key_id::KeyId;
use crate::turbine::keys::{KeyRecord, KeyStatus, KeyStore};
use crate::turbine::replay::ReplayGuard;
use crate::turbine::token::{Token, bearer_token};

/// How long a token is valid after its `ts`, in seconds (Turbine: 5 minutes).
pub const TOKEN_WINDOW_SECS: u32 = 300;

/// Default allowance for a client clock running ahead of the server's, in seconds.
///
/// Tokens whose `ts` is further in the future are refused; without a bound, a token stamped
/// an hour ahead would stay valid (and need a replay entry) for an hour and five minutes.
pub const DEFAULT_MAX_CLOCK_SKEW_SECS: u32 = 60;

/// Verifier settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyConfig {
    /// Seconds a token stays valid after its `ts`: refused once `now - ts > window_secs`.
    pub window_secs: u32,
    /// Seconds `ts` may lie ahead of `now`: refused once `ts - now > max_clock_skew_secs`.
    pub max_clock_skew_secs: u32,
}

impl Default for VerifyConfig {
    fn default() -> Self {
        VerifyConfig { window_secs: TOKEN_WINDOW_SECS, max_clock_skew_secs: DEFAULT_MAX_CLOCK_SKEW_SECS }
    }
}

impl VerifyConfig {
    /// Steps 1 to 4 on a raw `Authorization` header value (`None` if absent) at `now`:
    /// presence, `Bearer` format, token format, age and clock skew. Pure: no key or store yet.
    ///
    /// # Errors
    /// The first failed check as an [`AuthError`].
    pub fn check_header(&self, authorization: Option<&[u8]>, now: UnixTime) -> Result<Token, AuthError> {
        let header = authorization.ok_or(AuthError::MissingHeader)?;
        let token = Token::parse(bearer_token(header)?)?;
        self.check_time(&token, now)?;
        Ok(token)
    }

    /// Step 4: the token's age and how far its `ts` lies ahead of `now`.
    ///
    /// # Errors
    /// [`AuthError::TokenExpired`] or [`AuthError::TokenFromFuture`].
    pub fn check_time(&self, token: &Token, now: UnixTime) -> Result<(), AuthError> {
        let age = now.saturating_secs_since(token.ts());
        if age > i64::from(self.window_secs) {
            return Err(AuthError::TokenExpired);
        }
        if age < -i64::from(self.max_clock_skew_secs) {
            return Err(AuthError::TokenFromFuture);
        }
        Ok(())
    }

    /// Until when a verified token's nonce must be remembered: the end of its window.
    #[must_use]
    pub fn replay_expiry(&self, token: &Token) -> UnixTime {
        token.ts().saturating_add_secs(i64::from(self.window_secs))
    }
}

impl Token {
    /// The key id to look up for step 5.
    ///
    /// # Errors
    /// [`AuthError::KeyNotFound`] for an id no store could hold (see [`Token::kid`]).
    pub fn lookup_id(&self) -> Result<&KeyId, AuthError> {
        self.kid().ok_or(AuthError::KeyNotFound)
    }

    /// Steps 5 and 6 with the record the caller's key store gave for [`Token::lookup_id`]
    /// (`None`: no such key): status, expiry at `now`, then the strict Ed25519 signature over
    /// the exact payload bytes. Pure.
    ///
    /// # Errors
    /// [`AuthError::KeyNotFound`], [`AuthError::KeyInactive`], [`AuthError::KeyExpired`] or
    /// [`AuthError::InvalidSignature`].
    pub fn check_key(&self, record: Option<&KeyRecord>, now: UnixTime) -> Result<(), AuthError> {
        let record = record.ok_or(AuthError::KeyNotFound)?;
        if record.status == KeyStatus::Inactive {
            return Err(AuthError::KeyInactive);
        }
        if record.expires_at.is_some_and(|expiry| now >= expiry) {
            return Err(AuthError::KeyExpired);
        }
        if crate::ed25519::verify_strict(&record.verifying_key, self.payload(), self.signature()) {
            Ok(())
        } else {
            Err(AuthError::InvalidSignature)
        }
    }

    /// The claims of a token that passed every check.
    #[must_use]
    pub fn claims(&self) -> Option<Claims> {
        Some(Claims { kid: self.kid()?.clone(), ts: self.ts(), nonce: *self.nonce() })
    }
}

/// Checks bearer tokens against a key store and a replay guard.
#[derive(Debug)]
pub struct Verifier<K, R> {
    keys: K,
    replay: R,
    config: VerifyConfig,
}

impl<K: KeyStore, R: ReplayGuard> Verifier<K, R> {
    /// A verifier with the default settings.
    pub fn new(keys: K, replay: R) -> Self {
        Self::with_config(keys, replay, VerifyConfig::default())
    }

    /// A verifier with explicit settings.
    pub fn with_config(keys: K, replay: R, config: VerifyConfig) -> Self {
        Verifier { keys, replay, config }
    }

    /// The key store, e.g. to register or revoke keys.
    pub fn keys_mut(&mut self) -> &mut K {
        &mut self.keys
    }

    /// The key store.
    pub fn keys(&self) -> &K {
        &self.keys
    }

    /// The settings in force.
    pub fn config(&self) -> &VerifyConfig {
        &self.config
    }

    /// Verifies a raw `Authorization` header value (`None` if the request had none) at `now`.
    ///
    /// Checks, in order: presence, `Bearer` format, token format, age and clock skew, key
    /// lookup and status, the Ed25519 signature (strict), and only then the nonce, so that
    /// nobody without the key can fill the replay cache. On success the nonce is recorded.
    ///
    /// # Errors
    /// The first failed check as an [`AuthError`].
    pub fn verify(&mut self, authorization: Option<&[u8]>, now: UnixTime) -> Result<Claims, AuthError> {
        let token = self.config.check_header(authorization, now)?;
        self.verify_keyed(&token, now)
    }

    /// [`Verifier::verify`] for a header already held as text.
    ///
    /// # Errors
    /// As [`Verifier::verify`].
    pub fn verify_str(&mut self, authorization: Option<&str>, now: UnixTime) -> Result<Claims, AuthError> {
        self.verify(authorization.map(str::as_bytes), now)
    }

    /// Steps 4 to 7 of verification for a token whose format has been checked.
    ///
    /// # Errors
    /// The first failed check as an [`AuthError`].
    pub fn verify_token(&mut self, token: &Token, now: UnixTime) -> Result<Claims, AuthError> {
        self.config.check_time(token, now)?;
        self.verify_keyed(token, now)
    }

    /// Steps 5 to 7 for a token whose format and time have been checked.
    fn verify_keyed(&mut self, token: &Token, now: UnixTime) -> Result<Claims, AuthError> {
        let kid = token.lookup_id()?;
        let record = self.keys.lookup(kid).map_err(|_| AuthError::KeyStoreUnavailable)?;
        token.check_key(record.as_ref(), now)?;
        let expires_at = self.config.replay_expiry(token);
        let issued_at_ms = token.ts().0.saturating_mul(1000);
        self.replay
            .check_and_record_issued(kid, token.nonce(), issued_at_ms, expires_at, now)
            .map_err(AuthError::from_replay)?;
        Ok(Claims { kid: kid.clone(), ts: token.ts(), nonce: *token.nonce() })
    }
}

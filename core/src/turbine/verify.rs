//! Verification of an `Authorization` header, in the documented order.

use crate::time::UnixTime;
use crate::turbine::claims::Claims;
use crate::turbine::error::AuthError;
use crate::turbine::keys::KeyStatus;
use crate::turbine::keys::KeyStore;
use crate::turbine::replay::ReplayError;
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
        let header = authorization.ok_or(AuthError::MissingHeader)?;
        let token = Token::parse(bearer_token(header)?)?;
        self.verify_token(&token, now)
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
        let ts = token.ts();
        let age = now.saturating_secs_since(ts);
        if age > i64::from(self.config.window_secs) {
            return Err(AuthError::TokenExpired);
        }
        if age < -i64::from(self.config.max_clock_skew_secs) {
            return Err(AuthError::TokenFromFuture);
        }
        let kid = token.kid().ok_or(AuthError::KeyNotFound)?;
        let record = self
            .keys
            .lookup(kid)
            .map_err(|_| AuthError::KeyStoreUnavailable)?
            .ok_or(AuthError::KeyNotFound)?;
        if record.status == KeyStatus::Inactive {
            return Err(AuthError::KeyInactive);
        }
        if record.expires_at.is_some_and(|expiry| now >= expiry) {
            return Err(AuthError::KeyExpired);
        }
        record
            .verifying_key
            .verify_strict(token.payload(), token.signature())
            .map_err(|_| AuthError::InvalidSignature)?;
        let expires_at = ts.saturating_add_secs(i64::from(self.config.window_secs));
        self.replay.check_and_record(kid, token.nonce(), expires_at, now).map_err(|e| match e {
            ReplayError::Replayed => AuthError::TokenReplayed,
            _ => AuthError::ReplayCacheFull,
        })?;
        Ok(Claims { kid: kid.clone(), ts, nonce: *token.nonce() })
    }
}

//! Replay protection: each (key id, nonce) is accepted once within the token window.

use core::fmt;

use crate::time::UnixTime;
use crate::turbine::key_id::KeyId;
use crate::turbine::nonce::Nonce;

/// Why a nonce could not be recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayError {
    /// The same key id and nonce were seen and are still within their window.
    Replayed,
    /// No room is left for the nonce without forgetting a live one, so it is refused.
    Full,
    /// The key already holds as many live nonces as a store allows one key (fairness on a
    /// shared store): refused without recording.
    RateLimited,
    /// The store could not be asked in time (a database down or slow): refused, never
    /// accepted unchecked.
    Unavailable,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReplayError::Replayed => "token already used",
            ReplayError::Full => "replay cache full",
            ReplayError::RateLimited => "rate limit exceeded",
            ReplayError::Unavailable => "replay store unavailable",
        })
    }
}

impl core::error::Error for ReplayError {}

/// Remembers the nonces of accepted tokens until they expire.
///
/// The verifier calls it last, after the signature has verified, so only holders of registered
/// keys can fill it.
pub trait ReplayGuard {
    /// Records `(kid, nonce)` as used until `expires_at` (inclusive), at time `now`.
    ///
    /// # Errors
    /// [`ReplayError::Replayed`] if the pair is recorded and live; [`ReplayError::Full`] if it
    /// cannot be recorded without forgetting a live entry; [`ReplayError::RateLimited`] or
    /// [`ReplayError::Unavailable`] from stores that cap keys or live elsewhere.
    /// Implementations must fail closed.
    fn check_and_record(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError>;

    /// [`ReplayGuard::check_and_record`] for a credential issued at `issued_at_ms` (Unix
    /// milliseconds: a token's `ts`, a signed request's timestamp). A store that can lose what
    /// it recorded (a Redis restarted empty) uses it to refuse, as possibly used, whatever was
    /// issued before the loss, while fresh credentials pass; the default ignores it. The
    /// verifiers call this one.
    ///
    /// # Errors
    /// As [`ReplayGuard::check_and_record`].
    fn check_and_record_issued(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        issued_at_ms: i64,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        let _ = issued_at_ms;
        self.check_and_record(kid, nonce, expires_at, now)
    }
}

impl<R: ReplayGuard + ?Sized> ReplayGuard for &mut R {
    fn check_and_record(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        (**self).check_and_record(kid, nonce, expires_at, now)
    }

    fn check_and_record_issued(
        &mut self,
        kid: &KeyId,
        nonce: &Nonce,
        issued_at_ms: i64,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        (**self).check_and_record_issued(kid, nonce, issued_at_ms, expires_at, now)
    }
}

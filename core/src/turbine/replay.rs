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
}

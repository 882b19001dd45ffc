//! The verifier's refusals, with the texts Turbine documents.

use core::fmt;

use crate::turbine::replay::ReplayError;

/// Why a request's `Authorization` header was refused.
///
/// `Display` writes the documented error text; [`AuthError::http_status`] gives the status to
/// answer with. The variants are listed in the order the verifier checks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthError {
    /// No `Authorization` header was sent.
    MissingHeader,
    /// The header is not `Bearer <token>`.
    InvalidAuthorizationFormat,
    /// The token is malformed: encoding, JSON, fields or signature length.
    InvalidTokenFormat,
    /// The token's `ts` is more than the window (300 s) in the past.
    TokenExpired,
    /// The token's `ts` is further in the future than the allowed clock skew.
    TokenFromFuture,
    /// No key is registered under the token's `kid`.
    KeyNotFound,
    /// The key has been revoked.
    KeyInactive,
    /// The key's expiry time has passed.
    KeyExpired,
    /// The Ed25519 signature does not verify over the payload.
    InvalidSignature,
    /// The token's nonce was already used with this key within the window.
    TokenReplayed,
    /// The replay cache is full of live nonces, so the token cannot be recorded: refused rather
    /// than risk accepting a replay later.
    ReplayCacheFull,
    /// The key store could not be read.
    KeyStoreUnavailable,
    /// The key holds as many live tokens as the replay store allows one key, so that one key
    /// cannot take every other key's share of a shared store.
    RateLimited,
    /// The replay store could not be asked in time: refused rather than accepted unchecked.
    ReplayStoreUnavailable,
}

impl AuthError {
    /// The documented error text (also what `Display` writes).
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            AuthError::MissingHeader => "missing authorization header",
            AuthError::InvalidAuthorizationFormat => "invalid authorization format",
            AuthError::InvalidTokenFormat => "invalid token format",
            AuthError::TokenExpired => "token expired",
            AuthError::TokenFromFuture => "token timestamp is in the future",
            AuthError::KeyNotFound => "API key not found",
            AuthError::KeyInactive => "API key is inactive",
            AuthError::KeyExpired => "API key has expired",
            AuthError::InvalidSignature => "invalid signature",
            AuthError::TokenReplayed => "token already used",
            AuthError::ReplayCacheFull => "replay cache full",
            AuthError::KeyStoreUnavailable => "key store unavailable",
            AuthError::RateLimited => "rate limit exceeded",
            AuthError::ReplayStoreUnavailable => "replay store unavailable",
        }
    }

    /// The HTTP status to answer with: 401 for every refusal of the token itself, 429 when its
    /// key is over its share, 503 when the server cannot check it right now (the client may
    /// retry with a fresh token).
    #[must_use]
    pub const fn http_status(&self) -> u16 {
        match self {
            AuthError::ReplayCacheFull
            | AuthError::KeyStoreUnavailable
            | AuthError::ReplayStoreUnavailable => 503,
            AuthError::RateLimited => 429,
            _ => 401,
        }
    }

    /// The refusal for a replay store's answer.
    #[must_use]
    pub const fn from_replay(e: ReplayError) -> Self {
        match e {
            ReplayError::Replayed => AuthError::TokenReplayed,
            ReplayError::RateLimited => AuthError::RateLimited,
            ReplayError::Unavailable => AuthError::ReplayStoreUnavailable,
            // Full, and anything a later store adds: fail closed as "full".
            _ => AuthError::ReplayCacheFull,
        }
    }

    /// Every variant, in check order (for tests and for mapping texts back to variants).
    pub const ALL: [AuthError; 14] = [
        AuthError::MissingHeader,
        AuthError::InvalidAuthorizationFormat,
        AuthError::InvalidTokenFormat,
        AuthError::TokenExpired,
        AuthError::TokenFromFuture,
        AuthError::KeyNotFound,
        AuthError::KeyInactive,
        AuthError::KeyExpired,
        AuthError::InvalidSignature,
        AuthError::TokenReplayed,
        AuthError::ReplayCacheFull,
        AuthError::KeyStoreUnavailable,
        AuthError::RateLimited,
        AuthError::ReplayStoreUnavailable,
    ];

    /// The variant whose documented text is `text`, if any (clients map 401 bodies back).
    #[must_use]
    pub fn from_text(text: &str) -> Option<AuthError> {
        AuthError::ALL.into_iter().find(|e| e.as_str() == text)
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for AuthError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_round_trip_and_are_distinct() {
        for e in AuthError::ALL {
            assert_eq!(AuthError::from_text(&std::format!("{e}")), Some(e));
        }
        assert_eq!(AuthError::from_text("nope"), None);
    }
}

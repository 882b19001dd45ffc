//! Why a Bitzoom request, logon or session was refused: the code and text Bitzoom answers, and a
//! fixed reason for logs and metrics.

use core::fmt;

use signet_core::bitzoom::jwt::{BITZOOM_BUSY, BITZOOM_RATE_LIMIT, BITZOOM_UNAUTHORIZED, JwtError};
use signet_core::bitzoom::request_signing::RequestSigningError;

use crate::bitzoom::keys::Permission;

/// Bitzoom's code for a forbidden action, as its HTTP status.
pub const BITZOOM_FORBIDDEN: i32 = 403;

/// Why a Bitzoom request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BitzoomError {
    /// The bearer token was refused.
    Jwt(JwtError),
    /// The signed request (or logon) was refused.
    Request(RequestSigningError),
    /// `X-BZ-APIKEY` names no known key (or cannot be a key id).
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
    /// A bearer token, while test tokens are off: outside test mode only signed requests are
    /// callers (a token carries no key, so no permissions, allowlist or rate limit).
    BearerOutsideTestMode,
    /// Test tokens were asked for while the server is not in test mode.
    TestTokensOff,
}

impl BitzoomError {
    /// Bitzoom's code: -1021 (timestamp outside the window), -1022 (signature), -1002
    /// (unauthorized: unknown, disabled or revoked key, reused nonce, a bearer token outside
    /// test mode), -1003 (rate limit), 403 (permission or allowlist), -1008 (server busy), or
    /// 401 for a missing header.
    #[must_use]
    pub fn code(&self) -> i32 {
        match self {
            BitzoomError::Jwt(e) => e.code(),
            BitzoomError::Request(e) => e.code(),
            BitzoomError::UnknownApiKey
            | BitzoomError::InvalidUserId
            | BitzoomError::KeyDisabled
            | BitzoomError::KeyRevoked
            | BitzoomError::BearerOutsideTestMode
            | BitzoomError::TestTokensOff => BITZOOM_UNAUTHORIZED,
            BitzoomError::Forbidden(_) | BitzoomError::IpNotAllowed => BITZOOM_FORBIDDEN,
            BitzoomError::RateLimited => BITZOOM_RATE_LIMIT,
            BitzoomError::Unavailable => BITZOOM_BUSY,
        }
    }

    /// A fixed phrase for the request log and the `outcome` label of the metrics (the
    /// `Display` text may carry a detail; this never does).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            BitzoomError::Jwt(_) => "bearer token refused",
            BitzoomError::Request(e) => match e {
                RequestSigningError::OutsideRecvWindow => "timestamp outside recv window",
                RequestSigningError::InvalidSignature => "invalid signature",
                RequestSigningError::NonceReused => "nonce already used",
                RequestSigningError::ReplayCacheFull => "replay cache full",
                RequestSigningError::ReplayShareExceeded => "replay share exceeded",
                RequestSigningError::ReplayUnavailable => "replay store unavailable",
                _ => "malformed signed request",
            },
            BitzoomError::UnknownApiKey => "unknown API key",
            BitzoomError::InvalidUserId => "invalid user id",
            BitzoomError::KeyDisabled => "API key disabled",
            BitzoomError::KeyRevoked => "API key revoked",
            BitzoomError::Forbidden(_) => "permission missing",
            BitzoomError::IpNotAllowed => "source IP not allowed",
            BitzoomError::RateLimited => "rate limit exceeded",
            BitzoomError::Unavailable => "key store unavailable",
            BitzoomError::BearerOutsideTestMode => "bearer token outside test mode",
            BitzoomError::TestTokensOff => "test tokens off",
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
            BitzoomError::BearerOutsideTestMode => f.write_str(
                "Unauthorized: bearer tokens are test tokens, accepted in test mode only; sign requests with an API key",
            ),
            BitzoomError::TestTokensOff => {
                f.write_str("test tokens are off: the server is not in test mode")
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_a_code_and_a_fixed_reason() {
        let all = [
            BitzoomError::UnknownApiKey,
            BitzoomError::KeyDisabled,
            BitzoomError::KeyRevoked,
            BitzoomError::Forbidden(Permission::Trade),
            BitzoomError::IpNotAllowed,
            BitzoomError::RateLimited,
            BitzoomError::Unavailable,
            BitzoomError::BearerOutsideTestMode,
            BitzoomError::Request(RequestSigningError::ReplayShareExceeded),
        ];
        let codes = all.map(|e| e.code());
        assert_eq!(codes, [-1002, -1002, -1002, 403, 403, -1003, -1008, -1002, -1003]);
        let reasons: std::collections::HashSet<_> = all.iter().map(BitzoomError::reason).collect();
        assert_eq!(reasons.len(), all.len(), "each reason tells its refusal apart");
        assert!(BitzoomError::BearerOutsideTestMode.to_string().contains("test mode"));
    }
}

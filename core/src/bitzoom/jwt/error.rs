//! Why a JWT was refused, and Bitzoom's codes.

use core::fmt;

/// Why a JWT was refused, in Bitzoom's terms.
///
/// [`JwtError::code`] gives Bitzoom's code and `Display` its message: `-1002 Unauthorized` for
/// tokens that are well formed and correctly signed but not valid now, `-1022 Invalid
/// signature` for malformed or wrongly signed tokens, and HTTP 401 `Unauthorized` when there
/// is no `Authorization` header at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JwtError {
    /// The request had no `Authorization` header.
    MissingHeader,
    /// Not three strict base64url parts, bad JSON, a claim of the wrong type, too long.
    Malformed,
    /// The header's `alg` is not the key's algorithm (`none` and unknown names included), or
    /// the header carries `crit`.
    AlgorithmNotAllowed,
    /// The signature does not verify.
    InvalidSignature,
    /// `exp` has passed (beyond the leeway), or is missing where required.
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    NotYetValid,
    /// `iat` is in the future (beyond the leeway).
    IssuedInFuture,
}

/// Bitzoom's code for an invalid or expired token.
pub const BITZOOM_UNAUTHORIZED: i32 = -1002;
/// Bitzoom's code for a malformed token or bad signature.
pub const BITZOOM_INVALID_SIGNATURE: i32 = -1022;
/// Bitzoom's code for a signed request whose timestamp is outside its receive window.
pub const BITZOOM_TIMESTAMP_OUTSIDE_WINDOW: i32 = -1021;
/// Bitzoom's code for a key over its rate limit.
pub const BITZOOM_RATE_LIMIT: i32 = -1003;
/// Bitzoom's code for a server too busy to answer (a store that cannot be reached).
pub const BITZOOM_BUSY: i32 = -1008;

impl JwtError {
    /// Bitzoom's error code: -1002, -1022, or 401 for a missing header.
    #[must_use]
    pub const fn code(&self) -> i32 {
        match self {
            JwtError::MissingHeader => 401,
            JwtError::Expired | JwtError::NotYetValid | JwtError::IssuedInFuture => BITZOOM_UNAUTHORIZED,
            JwtError::Malformed | JwtError::AlgorithmNotAllowed | JwtError::InvalidSignature => {
                BITZOOM_INVALID_SIGNATURE
            }
        }
    }

    /// Bitzoom's message for the code.
    #[must_use]
    pub const fn message(&self) -> &'static str {
        match self.code() {
            BITZOOM_INVALID_SIGNATURE => "Invalid signature",
            _ => "Unauthorized",
        }
    }

    /// The HTTP status: 401 for every refusal.
    #[must_use]
    pub const fn http_status(&self) -> u16 {
        401
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for JwtError {}

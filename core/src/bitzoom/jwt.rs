//! Compact JWS tokens (JWTs) as Bitzoom uses them: HS256, EdDSA and ES256K, without allocation.
//!
//! The algorithm is pinned by the key: a token is checked only with the algorithm of the key
//! it is checked against, and its header's `alg` must name that algorithm, so `none` and
//! algorithm confusion (an HS256 token offered to an EdDSA key) are refused.

mod decode;
mod encode;
mod keys;

use core::fmt;

pub use decode::{JwtValidation, JwtVerifier, RegisteredClaims, VerifiedJwt, read_expiry_unverified};
pub use encode::{JwtEncodeError, encode};
pub use keys::{JwtSigningKey, JwtVerifyingKey};

/// Longest decoded JWT header accepted, in bytes.
pub const MAX_JWT_HEADER_LEN: usize = 256;
/// Longest decoded JWT claims set accepted or minted, in bytes.
pub const MAX_JWT_CLAIMS_LEN: usize = 1024;
/// Longest signature of the supported algorithms (EdDSA and ES256K), in bytes.
const MAX_JWT_SIGNATURE_LEN: usize = 64;
/// Longest JWT accepted or minted, in bytes (header, claims and signature at their limits).
pub const MAX_JWT_LEN: usize = crate::text::b64_len(MAX_JWT_HEADER_LEN)
    + 1
    + crate::text::b64_len(MAX_JWT_CLAIMS_LEN)
    + 1
    + crate::text::b64_len(MAX_JWT_SIGNATURE_LEN);

/// A JWS algorithm signet supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC-SHA256 with a shared secret (Bitzoom's documented tokens).
    Hs256,
    /// Ed25519.
    EdDsa,
    /// ECDSA on secp256k1 with SHA-256, 64-byte `r || s` (RFC 8812).
    Es256k,
}

impl Algorithm {
    /// The `alg` header value.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Hs256 => "HS256",
            Algorithm::EdDsa => "EdDSA",
            Algorithm::Es256k => "ES256K",
        }
    }

    /// The header signet writes, in PyJWT's order: `{"alg":…,"typ":"JWT"}`.
    const fn header_json(self) -> &'static [u8] {
        match self {
            Algorithm::Hs256 => br#"{"alg":"HS256","typ":"JWT"}"#,
            Algorithm::EdDsa => br#"{"alg":"EdDSA","typ":"JWT"}"#,
            Algorithm::Es256k => br#"{"alg":"ES256K","typ":"JWT"}"#,
        }
    }

    /// Signature length in bytes.
    const fn signature_len(self) -> usize {
        match self {
            Algorithm::Hs256 => crate::hmac_key::HMAC_TAG_LEN,
            Algorithm::EdDsa | Algorithm::Es256k => MAX_JWT_SIGNATURE_LEN,
        }
    }
}

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

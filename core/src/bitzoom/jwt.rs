//! Compact JWS tokens (JWTs) as Bitzoom uses them: HS256, EdDSA and ES256K, without allocation.
//!
//! The algorithm is pinned by the key: a token is checked only with the algorithm of the key
//! it is checked against, and its header's `alg` must name that algorithm, so `none` and
//! algorithm confusion (an HS256 token offered to an EdDSA key) are refused.

mod algorithm;
mod decode;
mod encode;
mod error;
mod keys;

pub use algorithm::{Algorithm, MAX_JWT_CLAIMS_LEN, MAX_JWT_HEADER_LEN, MAX_JWT_LEN};
pub use decode::{JwtValidation, JwtVerifier, RegisteredClaims, VerifiedJwt, read_expiry_unverified};
pub use encode::{JwtEncodeError, encode};
pub use error::{
    BITZOOM_BUSY, BITZOOM_INVALID_SIGNATURE, BITZOOM_RATE_LIMIT, BITZOOM_TIMESTAMP_OUTSIDE_WINDOW,
    BITZOOM_UNAUTHORIZED, JwtError,
};
pub use keys::{JwtSigningKey, JwtVerifyingKey};

//! Keys that pin a JWT algorithm.

use core::fmt;

use crate::bitzoom::jwt::algorithm::Algorithm;
use crate::hmac_key::HmacKey;

/// A key that checks JWTs, and so fixes the one algorithm they may use.
#[derive(Clone, Debug)]
pub enum JwtVerifyingKey {
    /// HS256 with a shared secret.
    Hs256(HmacKey),
    /// EdDSA with an Ed25519 public key.
    EdDsa(ed25519_dalek::VerifyingKey),
    /// ES256K with a secp256k1 public key.
    Es256k(k256::ecdsa::VerifyingKey),
}

impl JwtVerifyingKey {
    /// The algorithm this key accepts.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        match self {
            JwtVerifyingKey::Hs256(_) => Algorithm::Hs256,
            JwtVerifyingKey::EdDsa(_) => Algorithm::EdDsa,
            JwtVerifyingKey::Es256k(_) => Algorithm::Es256k,
        }
    }
}

/// A key that mints JWTs.
#[derive(Clone)]
pub enum JwtSigningKey {
    /// HS256 with a shared secret.
    Hs256(HmacKey),
    /// EdDSA with an Ed25519 key.
    EdDsa(ed25519_dalek::SigningKey),
    /// ES256K with a secp256k1 key (RFC 6979 deterministic, low `s`).
    Es256k(k256::ecdsa::SigningKey),
}

impl JwtSigningKey {
    /// The algorithm this key signs with.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        match self {
            JwtSigningKey::Hs256(_) => Algorithm::Hs256,
            JwtSigningKey::EdDsa(_) => Algorithm::EdDsa,
            JwtSigningKey::Es256k(_) => Algorithm::Es256k,
        }
    }

    /// The matching verifying key.
    #[must_use]
    pub fn verifying_key(&self) -> JwtVerifyingKey {
        match self {
            JwtSigningKey::Hs256(key) => JwtVerifyingKey::Hs256(key.clone()),
            JwtSigningKey::EdDsa(key) => JwtVerifyingKey::EdDsa(key.verifying_key()),
            JwtSigningKey::Es256k(key) => JwtVerifyingKey::Es256k(*key.verifying_key()),
        }
    }
}

impl fmt::Debug for JwtSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JwtSigningKey({}, <redacted>)", self.algorithm().name())
    }
}

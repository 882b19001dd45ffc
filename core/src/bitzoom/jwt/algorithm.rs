//! The algorithms a JWT may use, and the sizes they bound.

/// Longest decoded JWT header accepted, in bytes.
pub const MAX_JWT_HEADER_LEN: usize = 256;
/// Longest decoded JWT claims set accepted or minted, in bytes.
pub const MAX_JWT_CLAIMS_LEN: usize = 1024;
/// Longest signature of the supported algorithms (EdDSA and ES256K), in bytes.
pub(crate) const MAX_JWT_SIGNATURE_LEN: usize = 64;
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
    pub(crate) const fn header_json(self) -> &'static [u8] {
        match self {
            Algorithm::Hs256 => br#"{"alg":"HS256","typ":"JWT"}"#,
            Algorithm::EdDsa => br#"{"alg":"EdDSA","typ":"JWT"}"#,
            Algorithm::Es256k => br#"{"alg":"ES256K","typ":"JWT"}"#,
        }
    }

    /// Signature length in bytes.
    pub(crate) const fn signature_len(self) -> usize {
        match self {
            Algorithm::Hs256 => crate::hmac_key::HMAC_TAG_LEN,
            Algorithm::EdDsa | Algorithm::Es256k => MAX_JWT_SIGNATURE_LEN,
        }
    }
}

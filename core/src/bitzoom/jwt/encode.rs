//! Minting JWTs into caller buffers.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use crate::bitzoom::jwt::algorithm::{MAX_JWT_CLAIMS_LEN, MAX_JWT_SIGNATURE_LEN};
use crate::bitzoom::jwt::keys::JwtSigningKey;
use crate::text::b64_len;

/// Why a JWT could not be minted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtEncodeError {
    /// The output buffer is shorter than the token; nothing was written.
    BufferTooSmall,
    /// The claims do not serialise to JSON within [`MAX_JWT_CLAIMS_LEN`] bytes.
    ClaimsTooLarge,
}

impl fmt::Display for JwtEncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JwtEncodeError::BufferTooSmall => "output buffer too small for the token",
            JwtEncodeError::ClaimsTooLarge => "claims do not serialise within the size limit",
        })
    }
}

impl core::error::Error for JwtEncodeError {}

/// Mints a compact JWS of `claims` (any `Serialize` type, written by serde-json-core) signed
/// with `key`, into `out`. The header is `{"alg":…,"typ":"JWT"}` as PyJWT writes it.
///
/// `out` is left untouched on error; [`MAX_JWT_LEN`](super::MAX_JWT_LEN) bytes always suffice.
///
/// # Errors
/// [`JwtEncodeError`] if the claims are too large or `out` too short.
pub fn encode<'b, C>(key: &JwtSigningKey, claims: &C, out: &'b mut [u8]) -> Result<&'b str, JwtEncodeError>
where
    C: Serialize + ?Sized,
{
    let algorithm = key.algorithm();
    let header = algorithm.header_json();
    let mut claims_buf = [0u8; MAX_JWT_CLAIMS_LEN];
    let claims_len =
        serde_json_core::to_slice(claims, &mut claims_buf).map_err(|_| JwtEncodeError::ClaimsTooLarge)?;
    let claims_json = claims_buf.get(..claims_len).ok_or(JwtEncodeError::ClaimsTooLarge)?;

    let input_len = b64_len(header.len()) + 1 + b64_len(claims_len);
    let total = input_len + 1 + b64_len(algorithm.signature_len());
    let out = out.get_mut(..total).ok_or(JwtEncodeError::BufferTooSmall)?;
    let (input, rest) = out.split_at_mut(input_len);
    let (header_out, rest_of_input) = input.split_at_mut(b64_len(header.len()));
    let (dot, claims_out) = rest_of_input.split_at_mut(1);
    // Lengths were computed above, so these encodes fill their parts exactly.
    let encoded = URL_SAFE_NO_PAD.encode_slice(header, header_out).is_ok()
        && URL_SAFE_NO_PAD.encode_slice(claims_json, claims_out).is_ok();
    dot.copy_from_slice(b".");

    let mut signature = [0u8; MAX_JWT_SIGNATURE_LEN];
    let signature = sign(key, input, &mut signature);
    let (dot, signature_out) = rest.split_at_mut(1);
    dot.copy_from_slice(b".");
    let encoded = encoded && URL_SAFE_NO_PAD.encode_slice(signature, signature_out).is_ok();
    if !encoded || !out.is_ascii() {
        out.fill(0);
        return Err(JwtEncodeError::BufferTooSmall);
    }
    core::str::from_utf8(out).map_err(|_| JwtEncodeError::BufferTooSmall)
}

/// Signs the JWS signing input, returning the used part of `buf`.
fn sign<'s>(key: &JwtSigningKey, input: &[u8], buf: &'s mut [u8; MAX_JWT_SIGNATURE_LEN]) -> &'s [u8] {
    match key {
        JwtSigningKey::Hs256(key) => {
            let (tag, _) = buf.split_at_mut(crate::hmac_key::HMAC_TAG_LEN);
            tag.copy_from_slice(&key.tag(&[input]));
            tag
        }
        JwtSigningKey::EdDsa(key) => {
            use ed25519_dalek::Signer;
            buf.copy_from_slice(&key.sign(input).to_bytes());
            buf
        }
        JwtSigningKey::Es256k(key) => {
            use k256::ecdsa::signature::Signer;
            let signature: k256::ecdsa::Signature = key.sign(input);
            buf.copy_from_slice(&signature.to_bytes());
            buf
        }
    }
}

//! The bearer token: `base64url(payload).base64url(signature)`, minted into caller buffers and
//! parsed through a checked view.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{SIGNATURE_LENGTH, Signature, Signer};

use crate::turbine::claims::Claims;
use crate::turbine::claims::{MAX_MINTED_PAYLOAD_LEN, MAX_PAYLOAD_LEN};
use crate::turbine::error::AuthError;
use crate::turbine::payload::Payload;

use crate::text::b64_len;

/// Longest token signet mints, in bytes: base64url of [`MAX_MINTED_PAYLOAD_LEN`] bytes, a dot,
/// and 86 characters of signature. Size mint buffers with it.
pub const MAX_TOKEN_LEN: usize = b64_len(MAX_MINTED_PAYLOAD_LEN) + 1 + b64_len(SIGNATURE_LENGTH);

/// Longest token the verifier parses, in bytes (its payload may be up to
/// [`MAX_PAYLOAD_LEN`](crate::turbine::MAX_PAYLOAD_LEN) bytes, spaced and with extra fields).
pub const MAX_VERIFY_TOKEN_LEN: usize = b64_len(MAX_PAYLOAD_LEN) + 1 + b64_len(SIGNATURE_LENGTH);

/// Why a token could not be minted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MintError {
    /// The output buffer is shorter than the token; nothing was written.
    BufferTooSmall,
    /// The signer refused or failed (a device or secure element may).
    Signer,
}

impl core::fmt::Display for MintError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            MintError::BufferTooSmall => "output buffer too small for the token",
            MintError::Signer => "the signer failed",
        })
    }
}

impl core::error::Error for MintError {}

/// Mints a token for `claims` into `out` and returns it as text.
///
/// Any [`Signer`] of Ed25519 signatures can sign: an `ed25519_dalek::SigningKey`, a
/// [`PreparedSigningKey`](crate::turbine::PreparedSigningKey), or a key that lives in a secure element.
/// `out` is left untouched on error; [`MAX_TOKEN_LEN`] bytes always suffice.
///
/// # Errors
/// [`MintError::BufferTooSmall`] if `out` is too short, [`MintError::Signer`] if signing fails.
pub fn mint<'b, S>(signer: &S, claims: &Claims, out: &'b mut [u8]) -> Result<&'b str, MintError>
where
    S: Signer<Signature> + ?Sized,
{
    let mut payload_buf = [0u8; MAX_MINTED_PAYLOAD_LEN];
    let payload = claims.write_json(&mut payload_buf).ok_or(MintError::BufferTooSmall)?;
    let payload_b64_len = b64_len(payload.len());
    let total = payload_b64_len + 1 + b64_len(SIGNATURE_LENGTH);
    if out.len() < total {
        return Err(MintError::BufferTooSmall);
    }
    let signature = signer.try_sign(payload).map_err(|_| MintError::Signer)?;
    let out = out.get_mut(..total).ok_or(MintError::BufferTooSmall)?;
    let (head, tail) = out.split_at_mut(payload_b64_len);
    let (dot, sig_out) = tail.split_at_mut(1);
    URL_SAFE_NO_PAD.encode_slice(payload, head).map_err(|_| MintError::BufferTooSmall)?;
    dot.copy_from_slice(b".");
    URL_SAFE_NO_PAD.encode_slice(signature.to_bytes(), sig_out).map_err(|_| MintError::BufferTooSmall)?;
    // base64url output is ASCII.
    core::str::from_utf8(out).map_err(|_| MintError::BufferTooSmall)
}

/// [`mint`] into a `heapless::String` sized for any token.
///
/// # Errors
/// [`MintError::Signer`] if signing fails.
pub fn mint_string<S>(signer: &S, claims: &Claims) -> Result<heapless::String<MAX_TOKEN_LEN>, MintError>
where
    S: Signer<Signature> + ?Sized,
{
    let mut buf = [0u8; MAX_TOKEN_LEN];
    let token = mint(signer, claims, &mut buf)?;
    let mut s = heapless::String::new();
    s.push_str(token).map_err(|_| MintError::BufferTooSmall)?;
    Ok(s)
}

/// Splits an `Authorization` header value into its bearer token.
///
/// The scheme is matched case-insensitively and must be followed by exactly one space and a
/// non-empty token.
///
/// # Errors
/// [`AuthError::InvalidAuthorizationFormat`] for anything but `Bearer <token>`.
pub fn bearer_token(header: &[u8]) -> Result<&[u8], AuthError> {
    const SCHEME: &[u8] = b"bearer ";
    match header.split_at_checked(SCHEME.len()) {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case(SCHEME) && !token.is_empty() && token.first() != Some(&b' ') =>
        {
            Ok(token)
        }
        _ => Err(AuthError::InvalidAuthorizationFormat),
    }
}

/// A token whose shape has been checked: two strict base64url parts, a payload with valid
/// claims, a 64-byte signature. Only [`Token::parse`] builds one; nothing about it has been
/// verified cryptographically yet.
#[derive(Debug)]
pub struct Token {
    payload: [u8; MAX_PAYLOAD_LEN],
    payload_len: usize,
    signature: Signature,
    pub(crate) fields: Payload,
}

impl Token {
    /// Checks the shape of a token (the part after `Bearer `).
    ///
    /// # Errors
    /// [`AuthError::InvalidTokenFormat`] for any malformed token.
    pub fn parse(token: &[u8]) -> Result<Self, AuthError> {
        let bad = AuthError::InvalidTokenFormat;
        if token.len() > MAX_VERIFY_TOKEN_LEN {
            return Err(bad);
        }
        // The signature is always 86 characters, so the dot sits at a fixed place from the end;
        // a dot anywhere else (a third part) is not base64url and fails to decode below.
        let sig_len = b64_len(SIGNATURE_LENGTH);
        let dot = token.len().checked_sub(sig_len + 1).ok_or(bad)?;
        let (payload_b64, rest) = token.split_at_checked(dot).ok_or(bad)?;
        let (Some(b'.'), Some(sig_b64)) = (rest.first(), rest.get(1..)) else {
            return Err(bad);
        };
        let mut sig = [0u8; SIGNATURE_LENGTH];
        match URL_SAFE_NO_PAD.decode_slice(sig_b64, &mut sig) {
            Ok(SIGNATURE_LENGTH) => {}
            _ => return Err(bad),
        }
        let mut payload = [0u8; MAX_PAYLOAD_LEN];
        let payload_len = URL_SAFE_NO_PAD.decode_slice(payload_b64, &mut payload).map_err(|_| bad)?;
        let fields = Payload::parse(payload.get(..payload_len).ok_or(bad)?).map_err(|_| bad)?;
        Ok(Token { payload, payload_len, signature: Signature::from_bytes(&sig), fields })
    }

    /// The exact decoded payload bytes, as signed.
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        self.payload.get(..self.payload_len).unwrap_or_default()
    }

    /// The signature carried by the token.
    #[must_use]
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The timestamp claim.
    #[must_use]
    pub fn ts(&self) -> crate::time::UnixTime {
        self.fields.ts
    }

    /// The nonce claim.
    #[must_use]
    pub fn nonce(&self) -> &crate::turbine::nonce::Nonce {
        &self.fields.nonce
    }

    /// The key id claim, or `None` for a non-empty id that no key ring could hold.
    #[must_use]
    pub fn kid(&self) -> Option<&crate::turbine::key_id::KeyId> {
        self.fields.kid.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_rules() {
        assert_eq!(bearer_token(b"Bearer abc"), Ok(&b"abc"[..]));
        assert_eq!(bearer_token(b"bEaReR abc"), Ok(&b"abc"[..]));
        for bad in [&b"Bearer"[..], b"Bearer ", b"Bearer  abc", b"Basic abc", b"Bearerabc", b"abc", b""] {
            assert_eq!(bearer_token(bad), Err(AuthError::InvalidAuthorizationFormat), "{bad:?}");
        }
    }

    #[test]
    fn max_lengths_are_consistent() {
        assert_eq!(b64_len(SIGNATURE_LENGTH), 86);
        assert_eq!(MAX_TOKEN_LEN, b64_len(MAX_MINTED_PAYLOAD_LEN) + 87);
        // The values the README's table of limits gives.
        assert_eq!((MAX_TOKEN_LEN, MAX_VERIFY_TOKEN_LEN, crate::bitzoom::jwt::MAX_JWT_LEN), (273, 770, 1796));
    }
}

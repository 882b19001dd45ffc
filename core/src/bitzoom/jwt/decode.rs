//! Checking JWTs: structure, pinned algorithm, signature, then time claims.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::bitzoom::jwt::algorithm::{Algorithm, MAX_JWT_CLAIMS_LEN, MAX_JWT_HEADER_LEN, MAX_JWT_LEN};
use crate::bitzoom::jwt::error::JwtError;
use crate::bitzoom::jwt::keys::JwtVerifyingKey;
use crate::text::b64_len;
use crate::time::UnixTime;

/// How time claims are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JwtValidation {
    /// Seconds of clock difference tolerated for `exp`, `nbf` and `iat` (default 0, as PyJWT).
    pub leeway_secs: u32,
    /// Whether a token without `exp` is refused (default: yes; Bitzoom's tokens always expire).
    pub require_exp: bool,
}

impl Default for JwtValidation {
    fn default() -> Self {
        JwtValidation { leeway_secs: 0, require_exp: true }
    }
}

/// The registered time claims of a verified token (RFC 7519 NumericDate, whole seconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegisteredClaims {
    /// Expiry: the token is refused from this time on.
    pub exp: Option<UnixTime>,
    /// Not before: the token is refused before this time.
    pub nbf: Option<UnixTime>,
    /// Issued at.
    pub iat: Option<UnixTime>,
}

/// A verified token: its time claims and the application claims read into the caller's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedJwt<T> {
    /// `exp`, `nbf`, `iat`.
    pub registered: RegisteredClaims,
    /// The claims as the caller's serde type (e.g. Bitzoom's `uid` and `uname`).
    pub claims: T,
}

/// Checks JWTs against one key, whose type fixes the algorithm.
#[derive(Clone, Debug)]
pub struct JwtVerifier {
    key: JwtVerifyingKey,
    validation: JwtValidation,
}

impl JwtVerifier {
    /// A verifier with the default validation (no leeway, `exp` required).
    #[must_use]
    pub fn new(key: JwtVerifyingKey) -> Self {
        Self::with_validation(key, JwtValidation::default())
    }

    /// A verifier with explicit validation settings.
    #[must_use]
    pub fn with_validation(key: JwtVerifyingKey, validation: JwtValidation) -> Self {
        JwtVerifier { key, validation }
    }

    /// Verifies a raw `Authorization` header value (`None` if absent): `Bearer <jwt>`.
    ///
    /// # Errors
    /// [`JwtError::MissingHeader`] without a header, [`JwtError::Malformed`] if it is not a
    /// bearer token, otherwise as [`JwtVerifier::verify`].
    pub fn verify_authorization<T: DeserializeOwned>(
        &self,
        authorization: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<VerifiedJwt<T>, JwtError> {
        let header = authorization.ok_or(JwtError::MissingHeader)?;
        let token = crate::turbine::token::bearer_token(header).map_err(|_| JwtError::Malformed)?;
        self.verify(token, now)
    }

    /// Verifies a compact JWS at `now` and reads its claims into `T`.
    ///
    /// Checks, in order: three strict base64url parts within [`MAX_JWT_LEN`]; a header whose
    /// `alg` is the key's algorithm and which has no `crit`; the signature over the exact
    /// signing input; then `exp`, `nbf` and `iat` (integers; another JSON type is an error,
    /// never taken as absent); finally the claims as `T`. Pass `serde::de::IgnoredAny` as `T`
    /// to skip application claims.
    ///
    /// # Errors
    /// The first failed check as a [`JwtError`].
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &[u8],
        now: UnixTime,
    ) -> Result<VerifiedJwt<T>, JwtError> {
        let parts = Parts::split(token)?;

        let mut header_buf = [0u8; MAX_JWT_HEADER_LEN];
        let header = strict_json(decode_part(parts.header, &mut header_buf)?)?;
        let header = parse_json::<Header>(header)?;
        if header.crit || header.alg != Some(self.key.algorithm()) {
            return Err(JwtError::AlgorithmNotAllowed);
        }

        self.check_signature(&parts)?;

        let mut claims_buf = [0u8; MAX_JWT_CLAIMS_LEN];
        let claims = strict_json(decode_part(parts.claims, &mut claims_buf)?)?;
        let registered = parse_json::<Registered>(claims)?.0;
        self.check_times(&registered, now)?;
        let claims = parse_json::<T>(claims)?;
        Ok(VerifiedJwt { registered, claims })
    }

    fn check_signature(&self, parts: &Parts<'_>) -> Result<(), JwtError> {
        let algorithm = self.key.algorithm();
        let mut buf = [0u8; 64];
        let signature = buf.get_mut(..algorithm.signature_len()).ok_or(JwtError::Malformed)?;
        if parts.signature.len() != b64_len(signature.len()) {
            return Err(JwtError::InvalidSignature);
        }
        match URL_SAFE_NO_PAD.decode_slice(parts.signature, signature) {
            Ok(n) if n == signature.len() => {}
            _ => return Err(JwtError::InvalidSignature),
        }
        let input = parts.signing_input;
        let valid = match &self.key {
            JwtVerifyingKey::Hs256(key) => key.verify(&[input], signature),
            JwtVerifyingKey::EdDsa(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|s| crate::ed25519::verify_strict(key, input, &s)),
            JwtVerifyingKey::Es256k(key) => {
                use k256::ecdsa::signature::Verifier;
                // JWS does not require low s and OpenSSL-based signers (PyJWT) produce high s
                // half the time; k256 refuses high s, so normalise first.
                k256::ecdsa::Signature::from_slice(signature)
                    .is_ok_and(|s| key.verify(input, &s.normalize_s()).is_ok())
            }
        };
        if valid { Ok(()) } else { Err(JwtError::InvalidSignature) }
    }

    fn check_times(&self, claims: &RegisteredClaims, now: UnixTime) -> Result<(), JwtError> {
        let leeway = i64::from(self.validation.leeway_secs);
        match claims.exp {
            Some(exp) if now >= exp.saturating_add_secs(leeway) => return Err(JwtError::Expired),
            None if self.validation.require_exp => return Err(JwtError::Expired),
            _ => {}
        }
        let latest = now.saturating_add_secs(leeway);
        if claims.nbf.is_some_and(|nbf| nbf > latest) {
            return Err(JwtError::NotYetValid);
        }
        if claims.iat.is_some_and(|iat| iat > latest) {
            return Err(JwtError::IssuedInFuture);
        }
        Ok(())
    }
}

/// Reads `exp` **without verifying anything**: not a security check.
///
/// For clients that hold a token and only need to know when to fetch a new one. Returns
/// `None` if the token is malformed or has no integer `exp`.
#[must_use]
pub fn read_expiry_unverified(token: &[u8]) -> Option<UnixTime> {
    let parts = Parts::split(token).ok()?;
    let mut claims_buf = [0u8; MAX_JWT_CLAIMS_LEN];
    let claims = strict_json(decode_part(parts.claims, &mut claims_buf).ok()?).ok()?;
    parse_json::<Registered>(claims).ok()?.0.exp
}

/// The three parts of a compact JWS.
struct Parts<'t> {
    header: &'t [u8],
    claims: &'t [u8],
    signature: &'t [u8],
    signing_input: &'t [u8],
}

impl<'t> Parts<'t> {
    fn split(token: &'t [u8]) -> Result<Self, JwtError> {
        if token.len() > MAX_JWT_LEN {
            return Err(JwtError::Malformed);
        }
        let mut parts = token.split(|&b| b == b'.');
        let (Some(header), Some(claims), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed);
        };
        let signing_input = token.get(..header.len() + 1 + claims.len()).ok_or(JwtError::Malformed)?;
        Ok(Parts { header, claims, signature, signing_input })
    }
}

fn decode_part<'b>(part: &[u8], buf: &'b mut [u8]) -> Result<&'b mut [u8], JwtError> {
    let n = URL_SAFE_NO_PAD.decode_slice(part, &mut *buf).map_err(|_| JwtError::Malformed)?;
    buf.get_mut(..n).ok_or(JwtError::Malformed)
}

/// Checks a decoded part is JSON (RFC 8259, bounded depth) and rewrites its surrogate-pair
/// escapes as UTF-8, which serde-json-core cannot decode (PyJWT escapes every non-ASCII
/// character). The signature covers the base64 text, so the decoded bytes may change.
fn strict_json(json: &mut [u8]) -> Result<&[u8], JwtError> {
    let checked = crate::json::check(json).map_err(|_| JwtError::Malformed)?;
    let len = if checked.surrogate_pairs { crate::json::join_surrogate_pairs(json) } else { json.len() };
    json.get(..len).ok_or(JwtError::Malformed)
}

/// Reads a part that passed [`strict_json`] into `T`.
fn parse_json<T: DeserializeOwned>(json: &[u8]) -> Result<T, JwtError> {
    let mut unescape = [0u8; MAX_JWT_CLAIMS_LEN];
    serde_json_core::from_slice_escaped::<T>(json, &mut unescape)
        .map(|(v, _)| v)
        .map_err(|_| JwtError::Malformed)
}

/// The header fields that matter: `alg` (`None` inside if unsupported) and whether `crit` is
/// present.
struct Header {
    alg: Option<Algorithm>,
    crit: bool,
}

/// `RegisteredClaims` read strictly: each of `exp`, `nbf`, `iat` at most once, as an integer.
struct Registered(RegisteredClaims);

/// Object keys the two parsers look at.
enum Key {
    Alg,
    Crit,
    Exp,
    Nbf,
    Iat,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "alg" => Key::Alg,
                    "crit" => Key::Crit,
                    "exp" => Key::Exp,
                    "nbf" => Key::Nbf,
                    "iat" => Key::Iat,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// An `alg` value: a supported algorithm, or `None` for anything else (`none` included).
struct AlgValue(Option<Algorithm>);

impl<'de> Deserialize<'de> for AlgValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct AlgVisitor;
        impl Visitor<'_> for AlgVisitor {
            type Value = AlgValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an algorithm name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AlgValue, E> {
                Ok(AlgValue(
                    [Algorithm::Hs256, Algorithm::EdDsa, Algorithm::Es256k]
                        .into_iter()
                        .find(|a| a.name() == v),
                ))
            }
        }
        d.deserialize_str(AlgVisitor)
    }
}

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct HeaderVisitor;
        impl<'de> Visitor<'de> for HeaderVisitor {
            type Value = Header;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JOSE header object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
                let (mut alg, mut crit) = (None, false);
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Alg if alg.is_some() => return Err(de::Error::duplicate_field("alg")),
                        Key::Alg => alg = Some(map.next_value::<AlgValue>()?.0),
                        Key::Crit => {
                            crit = true;
                            map.next_value::<IgnoredAny>()?;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Header { alg: alg.ok_or_else(|| de::Error::missing_field("alg"))?, crit })
            }
        }
        d.deserialize_map(HeaderVisitor)
    }
}

impl<'de> Deserialize<'de> for Registered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RegisteredVisitor;
        impl<'de> Visitor<'de> for RegisteredVisitor {
            type Value = Registered;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JWT claims object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Registered, A::Error> {
                let mut claims = RegisteredClaims::default();
                while let Some(key) = map.next_key::<Key>()? {
                    let (slot, name) = match key {
                        Key::Exp => (&mut claims.exp, "exp"),
                        Key::Nbf => (&mut claims.nbf, "nbf"),
                        Key::Iat => (&mut claims.iat, "iat"),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    if slot.is_some() {
                        return Err(de::Error::duplicate_field(name));
                    }
                    *slot = Some(UnixTime(map.next_value::<i64>()?));
                }
                Ok(Registered(claims))
            }
        }
        d.deserialize_map(RegisteredVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hmac_key::HmacKey;
    use std::prelude::rust_2024::*;

    /// An HS256 token over exactly these header and claims bytes, as PyJWT would send them.
    fn hs256(key: &HmacKey, header: &str, claims: &str) -> String {
        let input = std::format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(claims));
        let tag = key.tag(&[input.as_bytes()]);
        std::format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Claims {
        uid: heapless::String<16>,
        uname: heapless::String<16>,
    }

    #[test]
    fn reads_characters_outside_the_bmp_as_pyjwt_escapes_them() {
        let key = HmacKey::new(b"secret");
        let verifier = JwtVerifier::new(JwtVerifyingKey::Hs256(key.clone()));
        let token = hs256(
            &key,
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"exp":2000000000,"uid":"\ud83d\ude00","uname":"caf\u00e9 \ud834\udd1e"}"#,
        );
        let verified = verifier.verify::<Claims>(token.as_bytes(), UnixTime(1_900_000_000)).unwrap();
        assert_eq!(verified.claims.uid.as_str(), "\u{1F600}");
        assert_eq!(verified.claims.uname.as_str(), "caf\u{e9} \u{1D11E}");
        // A lone surrogate is not text: malformed.
        let token = hs256(&key, r#"{"alg":"HS256"}"#, r#"{"exp":2000000000,"uid":"\ud83d","uname":""}"#);
        assert_eq!(verifier.verify::<Claims>(token.as_bytes(), UnixTime(0)), Err(JwtError::Malformed));
    }

    #[test]
    fn a_stray_quote_cannot_hide_deep_nesting_or_garbage() {
        let key = HmacKey::new(b"secret");
        let verifier = JwtVerifier::new(JwtVerifyingKey::Hs256(key.clone()));
        let deep = "[".repeat(200) + &"]".repeat(200);
        for header in [
            std::format!(r#"{{"alg":"HS256","x":1","y":{deep}}}"#),
            r#"{"alg":"HS256","x":not json " at all}"#.to_string(),
            "{\"alg\":\"HS256\",\"x\":\"\u{1}\"}".to_string(),
        ] {
            let token = hs256(&key, &header, r#"{"exp":2000000000,"uid":"1","uname":"u"}"#);
            assert_eq!(
                verifier.verify::<Claims>(token.as_bytes(), UnixTime(0)),
                Err(JwtError::Malformed),
                "{header}"
            );
        }
    }
}

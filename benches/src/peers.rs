//! The peer crates doing the same JWT work as signet: jsonwebtoken (EdDSA, HS256) and
//! jwt-compact (EdDSA). Their validators are set to check signatures only where a clock would
//! otherwise be read, which only makes the peers' work lighter than signet's.

use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use jwt_compact::{AlgorithmExt as _, UntrustedToken};

use crate::{Jwt, JwtClaims};

/// jwt-compact's custom claims (it manages `exp`/`iat` itself).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct CompactClaims {
    uid: String,
    uname: String,
}

/// Keys and tokens of the peers, built from the same secrets as [`Jwt`].
pub struct Peers {
    hs_encoding: EncodingKey,
    hs_decoding: DecodingKey,
    ed_encoding: EncodingKey,
    ed_decoding: DecodingKey,
    validation_hs: Validation,
    validation_ed: Validation,
    hs_token: String,
    ed_token: String,
    compact_signing: ed25519_dalek_2::SigningKey,
    compact_verifying: ed25519_dalek_2::VerifyingKey,
    compact_token: String,
}

/// PKCS#8 v1 prefix of an Ed25519 private key, before its 32-byte seed.
const ED25519_PKCS8_PREFIX: [u8; 16] =
    [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

impl Peers {
    /// Builds the peers' keys and tokens.
    #[must_use]
    pub fn new(j: &Jwt) -> Self {
        let mut der = ED25519_PKCS8_PREFIX.to_vec();
        der.extend_from_slice(&j.ed25519_seed);
        let public = ed25519_dalek::SigningKey::from_bytes(&j.ed25519_seed).verifying_key();
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(public.as_bytes());
        let mut validation_hs = Validation::new(Algorithm::HS256);
        let mut validation_ed = Validation::new(Algorithm::EdDSA);
        for v in [&mut validation_hs, &mut validation_ed] {
            // signet checks exp against the fixture's time; the peers would use the wall clock,
            // by which the fixture has long expired.
            v.validate_exp = false;
            v.required_spec_claims.clear();
        }
        let compact_signing = ed25519_dalek_2::SigningKey::from_bytes(&j.ed25519_seed);
        let mut peers = Peers {
            hs_encoding: EncodingKey::from_secret(&j.hmac_secret),
            hs_decoding: DecodingKey::from_secret(&j.hmac_secret),
            ed_encoding: EncodingKey::from_ed_der(&der),
            ed_decoding: DecodingKey::from_ed_components(&x).unwrap_or_else(|_| unreachable!()),
            validation_hs,
            validation_ed,
            hs_token: String::new(),
            ed_token: String::new(),
            compact_verifying: compact_signing.verifying_key(),
            compact_signing,
            compact_token: String::new(),
        };
        peers.hs_token = peers.jsonwebtoken_hs256_encode(j);
        peers.ed_token = peers.jsonwebtoken_eddsa_encode(j);
        peers.compact_token = peers.jwt_compact_eddsa_encode(j);
        peers
    }

    /// jsonwebtoken: HS256 encode.
    #[must_use]
    pub fn jsonwebtoken_hs256_encode(&self, j: &Jwt) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &j.claims, &self.hs_encoding).unwrap_or_default()
    }

    /// jsonwebtoken: HS256 decode (signature and claims).
    #[must_use]
    pub fn jsonwebtoken_hs256_decode(&self) -> bool {
        jsonwebtoken::decode::<JwtClaims>(&self.hs_token, &self.hs_decoding, &self.validation_hs).is_ok()
    }

    /// jsonwebtoken: EdDSA encode.
    #[must_use]
    pub fn jsonwebtoken_eddsa_encode(&self, j: &Jwt) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &j.claims, &self.ed_encoding).unwrap_or_default()
    }

    /// jsonwebtoken: EdDSA decode (lenient `verify`, as that crate does).
    #[must_use]
    pub fn jsonwebtoken_eddsa_decode(&self) -> bool {
        jsonwebtoken::decode::<JwtClaims>(&self.ed_token, &self.ed_decoding, &self.validation_ed).is_ok()
    }

    /// jwt-compact: EdDSA encode.
    #[must_use]
    pub fn jwt_compact_eddsa_encode(&self, j: &Jwt) -> String {
        let claims = jwt_compact::Claims::new(CompactClaims {
            uid: j.claims.uid.to_string(),
            uname: j.claims.uname.to_string(),
        });
        jwt_compact::alg::Ed25519
            .token(&jwt_compact::Header::empty(), &claims, &self.compact_signing)
            .unwrap_or_default()
    }

    /// jwt-compact: EdDSA decode.
    #[must_use]
    pub fn jwt_compact_eddsa_decode(&self) -> bool {
        UntrustedToken::new(&self.compact_token).is_ok_and(|token| {
            jwt_compact::alg::Ed25519
                .validator::<CompactClaims>(&self.compact_verifying)
                .validate(&token)
                .is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_do_the_work_successfully() {
        let j = Jwt::new();
        let p = Peers::new(&j);
        assert!(p.jsonwebtoken_hs256_decode());
        assert!(p.jsonwebtoken_eddsa_decode());
        assert!(p.jwt_compact_eddsa_decode());
        // Same claims and keys: signet accepts the peer's tokens (jsonwebtoken only orders the
        // header differently), so both sides do the same work.
        for (i, token) in [(0, &p.hs_token), (1, &p.ed_token)] {
            let verified = j.verifiers[i].verify::<JwtClaims>(token.as_bytes(), crate::NOW).unwrap();
            assert_eq!(verified.claims, j.claims);
        }
    }
}

//! Property tests of the public API: round trips, refusal of any change, no panic on any input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use signet_core::UnixTime;
use signet_core::ed25519_dalek::SigningKey;
use signet_core::turbine::{
    AuthError, Claims, KeyId, KeyRecord, KeyRing, MAX_TOKEN_LEN, Nonce, NonceCache, PreparedSigningKey,
    Verifier, mint,
};

const NOW: i64 = 1_735_779_017;

fn verifier_for(key: &SigningKey, kid: &KeyId) -> Verifier<KeyRing<1>, NonceCache<2>> {
    let mut ring = KeyRing::new();
    ring.insert(kid.clone(), KeyRecord::active(key.verifying_key())).unwrap();
    Verifier::new(ring, NonceCache::new())
}

fn claims() -> impl Strategy<Value = Claims> {
    // Printable ASCII without `"` and `\`: every id a KeyId accepts.
    ("[ !#-\\[\\]-~]{1,64}", -60i64..=300, any::<[u8; 16]>()).prop_map(|(kid, age, nonce)| Claims {
        kid: KeyId::new(&kid).unwrap(),
        ts: UnixTime(NOW - age),
        nonce: Nonce::from_bytes(nonce),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn minted_tokens_verify_to_their_claims(seed in any::<[u8; 32]>(), claims in claims(), prepared in any::<bool>()) {
        let key = SigningKey::from_bytes(&seed);
        let mut buf = [0u8; MAX_TOKEN_LEN];
        let token = if prepared {
            mint(&PreparedSigningKey::new(&key), &claims, &mut buf).unwrap()
        } else {
            mint(&key, &claims, &mut buf).unwrap()
        };
        let mut verifier = verifier_for(&key, &claims.kid);
        let header = format!("Bearer {token}");
        prop_assert_eq!(verifier.verify_str(Some(&header), UnixTime(NOW)), Ok(claims.clone()));
        prop_assert_eq!(verifier.verify_str(Some(&header), UnixTime(NOW)), Err(AuthError::TokenReplayed));
    }

    #[test]
    fn any_single_byte_change_is_refused(seed in any::<[u8; 32]>(), claims in claims(), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let key = SigningKey::from_bytes(&seed);
        let mut buf = [0u8; MAX_TOKEN_LEN];
        let mut token = mint(&key, &claims, &mut buf).unwrap().as_bytes().to_vec();
        let i = pos.index(token.len());
        prop_assume!(token[i] != byte);
        token[i] = byte;
        let mut header = b"Bearer ".to_vec();
        header.extend_from_slice(&token);
        // A fresh verifier: the refusal must come from the change, not from a replay entry.
        let got = verifier_for(&key, &claims.kid).verify(Some(&header), UnixTime(NOW));
        prop_assert!(got.is_err(), "changed byte {} to {:#04x} and it verified", i, byte);
        prop_assert_ne!(got, Err(AuthError::TokenReplayed));
    }

    #[test]
    fn any_header_bytes_give_a_typed_answer(header in prop::collection::vec(any::<u8>(), 0..600)) {
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut verifier = verifier_for(&key, &KeyId::new("k").unwrap());
        let _ = verifier.verify(Some(&header), UnixTime(NOW));
    }

    #[test]
    fn any_bearer_token_text_gives_a_typed_answer(token in "[A-Za-z0-9_\\-.=+/ ]{0,400}") {
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut verifier = verifier_for(&key, &KeyId::new("k").unwrap());
        let got = verifier.verify_str(Some(&format!("Bearer {token}")), UnixTime(NOW));
        prop_assert!(got.is_err());
    }

    #[test]
    fn any_payload_json_gives_a_typed_answer(payload in "\\{[\"a-z0-9:, \\[\\]{}.\\-\\\\]{0,120}\\}") {
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut verifier = verifier_for(&key, &KeyId::new("k").unwrap());
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = format!("Bearer {}.{}", b64.encode(payload.as_bytes()), b64.encode([0u8; 64]));
        prop_assert!(verifier.verify_str(Some(&header), UnixTime(NOW)).is_err());
    }
}

#[test]
fn short_output_buffer_is_refused_without_writing() {
    let key = SigningKey::from_bytes(&[9; 32]);
    let claims =
        Claims { kid: KeyId::new("k").unwrap(), ts: UnixTime(NOW), nonce: Nonce::from_bytes([0; 16]) };
    let mut full = [0u8; MAX_TOKEN_LEN];
    let len = mint(&key, &claims, &mut full).unwrap().len();
    let mut short = vec![0xeeu8; len - 1];
    assert_eq!(mint(&key, &claims, &mut short), Err(signet_core::turbine::MintError::BufferTooSmall));
    assert!(short.iter().all(|&b| b == 0xee), "partial write");
}

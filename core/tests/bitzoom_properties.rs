//! Property tests of Bitzoom credentials: JWT round trips for each algorithm, HMAC signatures
//! independent of query order, and no panic on any input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use serde::de::IgnoredAny;
use signet_core::bitzoom::jwt::{
    JwtError, JwtSigningKey, JwtVerifier, MAX_JWT_LEN, encode, read_expiry_unverified,
};
use signet_core::bitzoom::request_signing::{SignedRequest, verify_request};
use signet_core::turbine::{KeyId, NonceCache};
use signet_core::{HmacKey, UnixTime};

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Claims {
    exp: i64,
    iat: i64,
    uid: heapless::String<32>,
    uname: heapless::String<32>,
}

fn signing_key() -> impl Strategy<Value = JwtSigningKey> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..100).prop_map(|s| JwtSigningKey::Hs256(HmacKey::new(&s))),
        any::<[u8; 32]>()
            .prop_map(|s| JwtSigningKey::EdDsa(signet_core::ed25519_dalek::SigningKey::from_bytes(&s))),
        any::<[u8; 32]>()
            .prop_filter_map("scalar", |s| k256::ecdsa::SigningKey::from_slice(&s).ok())
            .prop_map(JwtSigningKey::Es256k),
    ]
}

fn claims() -> impl Strategy<Value = Claims> {
    ("[0-9]{1,12}", "\\PC{0,8}", 1i64..4_000_000_000).prop_map(|(uid, uname, iat)| Claims {
        exp: iat + 86_400,
        iat,
        uid: uid.as_str().try_into().unwrap(),
        uname: uname.as_str().try_into().unwrap_or_default(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn minted_jwts_verify_with_their_key_only(key in signing_key(), other in signing_key(), claims in claims()) {
        let mut buf = [0u8; MAX_JWT_LEN];
        let token = encode(&key, &claims, &mut buf).unwrap();
        let now = UnixTime(claims.iat);
        let verified = JwtVerifier::new(key.verifying_key()).verify::<Claims>(token.as_bytes(), now).unwrap();
        prop_assert_eq!(&verified.claims, &claims);
        prop_assert_eq!(read_expiry_unverified(token.as_bytes()), Some(UnixTime(claims.exp)));
        prop_assert_eq!(
            JwtVerifier::new(key.verifying_key()).verify::<Claims>(token.as_bytes(), UnixTime(claims.exp)),
            Err(JwtError::Expired)
        );
        // Any other key refuses it, whatever its algorithm. (Two generated keys can be the same,
        // e.g. two empty HS256 secrets; then "other" is not another key.)
        let mut other_buf = [0u8; MAX_JWT_LEN];
        prop_assume!(encode(&other, &claims, &mut other_buf).unwrap() != token);
        let refused = JwtVerifier::new(other.verifying_key()).verify::<IgnoredAny>(token.as_bytes(), now);
        prop_assert!(matches!(refused, Err(JwtError::AlgorithmNotAllowed | JwtError::InvalidSignature)), "{:?}", refused);
    }

    #[test]
    fn any_token_text_gives_a_typed_answer(key in signing_key(), token in "[A-Za-z0-9_\\-.=]{0,300}", raw in prop::collection::vec(any::<u8>(), 0..300)) {
        let verifier = JwtVerifier::new(key.verifying_key());
        prop_assert!(verifier.verify::<IgnoredAny>(token.as_bytes(), UnixTime(0)).is_err());
        prop_assert!(verifier.verify::<IgnoredAny>(&raw, UnixTime(0)).is_err());
        let _ = read_expiry_unverified(&raw);
        let _ = verifier.verify_authorization::<IgnoredAny>(Some(&raw), UnixTime(0));
    }

    #[test]
    fn any_json_in_a_correctly_signed_token_gives_a_typed_answer(header in "\\{[\"a-zA-Z0-9:, \\[\\]{}.\\-]{0,60}\\}", body in "\\{[\"a-z0-9:, \\[\\]{}.\\-]{0,80}\\}") {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let key = HmacKey::new(b"k");
        let input = format!("{}.{}", b64.encode(&header), b64.encode(&body));
        let token = format!("{input}.{}", b64.encode(key.tag(&[input.as_bytes()])));
        let _ = JwtVerifier::new(signet_core::bitzoom::jwt::JwtVerifyingKey::Hs256(key)).verify::<IgnoredAny>(token.as_bytes(), UnixTime(0));
    }

    #[test]
    fn query_order_does_not_change_the_signature(pairs in prop::collection::vec(("[a-z%+0-9]{0,4}", "[a-zA-Z0-9 %+*~&]{0,6}"), 0..10), seed in any::<u64>()) {
        let encode = |s: &str| s.replace('%', "%25").replace('&', "%26").replace('+', "%2B").replace(' ', "+");
        let query_of = |pairs: &[(String, String)]| pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        let mut shuffled = pairs.clone();
        // A seeded Fisher-Yates shuffle.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let key = HmacKey::new(b"secret");
        let request = |query: &str| {
            let q = query.to_owned();
            move |key: &HmacKey| SignedRequest { timestamp: "1", nonce: "n", recv_window: "", method: "GET", path: "/p", query: &q, body: b"" }.sign(key).unwrap()
        };
        prop_assert_eq!(request(&query_of(&pairs))(&key), request(&query_of(&shuffled))(&key));
    }

    #[test]
    fn any_request_fields_give_a_typed_answer(fields in prop::collection::vec("\\PC{0,30}", 7), body in prop::collection::vec(any::<u8>(), 0..64), sig in "[0-9a-fA-Fz]{0,70}", now in any::<u64>()) {
        let request = SignedRequest {
            timestamp: &fields[0], nonce: &fields[1], recv_window: &fields[2], method: &fields[3],
            path: &fields[4], query: &fields[5], body: &body,
        };
        let key = HmacKey::new(fields[6].as_bytes());
        let _ = request.sign(&key);
        let mut buf = [0u8; 256];
        let _ = request.write_canonical(&mut buf);
        let mut cache = NonceCache::<1>::new();
        let _ = verify_request(&key, &KeyId::new("k").unwrap(), &request, &sig, now, &mut cache);
    }

    #[test]
    fn signed_requests_verify_once(timestamp in 1_000u64..4_000_000_000_000, nonce in "[a-z0-9-]{1,32}", body in "\\PC{0,64}", query in "([a-z0-9=&+]|%2[0-9A-F]|%C3%A9){0,20}") {
        let ts = timestamp.to_string();
        let request = SignedRequest { timestamp: &ts, nonce: &nonce, recv_window: "", method: "post", path: "/api/v1/order", query: &query, body: body.as_bytes() };
        let key = HmacKey::new(b"secret");
        let sig = request.sign(&key).unwrap().to_hex();
        let mut cache = NonceCache::<1>::new();
        let api_key = KeyId::new("k").unwrap();
        prop_assert_eq!(verify_request(&key, &api_key, &request, &sig, timestamp, &mut cache), Ok(()));
        prop_assert!(verify_request(&key, &api_key, &request, &sig, timestamp, &mut cache).is_err());
    }
}

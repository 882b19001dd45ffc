//! Property tests of wallet signatures: round trips for any key and message, typed errors
//! (never a panic) for any text as an address or signature.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use signet_core::eth::{Address, EthError, EthSignature, WalletKey, recover_address};
use signet_core::turbine::verify_registration;

fn wallet() -> impl Strategy<Value = WalletKey> {
    any::<[u8; 32]>().prop_filter_map("not a valid scalar", |b| WalletKey::from_bytes(&b).ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn signatures_recover_their_signer(key in wallet(), message in prop_oneof![
        ".{0,40}",                                   // any Unicode text
        "[\\u{80}-\\u{10FFFF}]{1,20}",               // non-ASCII only
        prop::collection::vec(any::<char>(), 500..3000).prop_map(|c| c.into_iter().collect::<String>()),
    ]) {
        let signature = key.personal_sign(message.as_bytes());
        let v = signature.to_bytes()[64];
        prop_assert!(v == 27 || v == 28);
        // Low s, as eth-account produces.
        let s = k256::ecdsa::Signature::from_slice(&signature.to_bytes()[..64]).unwrap();
        prop_assert_eq!(s.normalize_s(), s);
        prop_assert_eq!(recover_address(message.as_bytes(), &signature), Ok(key.address()));
        let reparsed = EthSignature::parse_hex(signature.to_hex().as_bytes()).unwrap();
        prop_assert_eq!(reparsed, signature);
    }

    #[test]
    fn registrations_verify_for_their_wallet_only(key in wallet(), other in wallet()) {
        let request = key.sign_registration();
        let address = request.address.to_checksummed();
        prop_assert_eq!(verify_registration(&address, &request.signature.to_hex()), Ok(key.address()));
        let other_address = other.address().to_checksummed();
        prop_assume!(other_address != address);
        prop_assert_eq!(
            verify_registration(&other_address, &request.signature.to_hex()),
            Err(EthError::SignatureMismatch)
        );
    }

    #[test]
    fn any_text_as_address_or_signature_gives_a_typed_answer(address in ".{0,50}", signature in ".{0,140}", raw in prop::collection::vec(any::<u8>(), 0..140)) {
        let _ = Address::parse(address.as_bytes());
        let _ = Address::parse(&raw);
        let _ = EthSignature::parse_hex(&raw);
        let _ = verify_registration(&address, &signature);
        let mut prefixed = String::from("0x");
        prefixed.push_str(&hex::encode(&raw));
        let _ = verify_registration(&address, &prefixed);
    }

    #[test]
    fn any_65_bytes_as_a_signature_give_a_typed_answer(bytes in prop::collection::vec(any::<u8>(), 65), v in prop_oneof![Just(0u8), Just(1), Just(27), Just(28), any::<u8>()]) {
        let mut sig = [0u8; 65];
        sig.copy_from_slice(&bytes);
        sig[64] = v;
        match recover_address(b"message", &EthSignature::from_bytes(sig)) {
            Ok(_) => prop_assert!(matches!(v, 0 | 1 | 27 | 28)),
            Err(e) => prop_assert_eq!(e, EthError::InvalidSignatureEncoding),
        }
    }
}

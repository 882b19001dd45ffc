//! The verifier service end to end: registration by wallet signature, tokens minted as the
//! client does, every documented refusal, persistence across restarts, and concurrency.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use signet_core::eth::WalletKey;
use signet_core::turbine::{AuthError, Claims, IssuedApiKey, KeyId, MAX_TOKEN_LEN, Nonce, mint};
use signet_core::{Clock, UnixTime};
use signet_server::VerifierService;
use signet_server::store::RedbRegistry;
use signet_server::turbine::{Registration, RegistrationError};
use signet_std::{SystemClock, os_rng};

fn header(issued: &IssuedApiKey, ts: UnixTime) -> String {
    let claims = Claims { kid: issued.kid.clone(), ts, nonce: Nonce::generate(&mut os_rng()) };
    let mut buf = [0u8; MAX_TOKEN_LEN];
    format!("Bearer {}", mint(&issued.secret.signing_key(), &claims, &mut buf).unwrap())
}

fn register(
    service: &VerifierService<RedbRegistry>,
    wallet: &WalletKey,
) -> Result<IssuedApiKey, RegistrationError> {
    let request = wallet.sign_registration();
    service.register(&request.address.to_string(), &request.signature.to_hex(), Some("test"))
}

#[test]
fn registration_verification_refusals_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    let now = SystemClock.now();
    let wallet = WalletKey::generate(&mut os_rng());
    let (first, second);
    {
        let service = VerifierService::new(RedbRegistry::open_or_create(&path).unwrap());
        first = register(&service, &wallet).unwrap();
        // A second registration of the same wallet: 409 with the existing id.
        match register(&service, &wallet) {
            Err(RegistrationError::WalletHasKey(kid)) => assert_eq!(kid, first.kid),
            other => panic!("{other:?}"),
        }
        // A signature by another wallet over this wallet's address is refused.
        let other = WalletKey::generate(&mut os_rng()).sign_registration();
        let err =
            service.register(&wallet.address().to_string(), &other.signature.to_hex(), None).unwrap_err();
        assert!(matches!(err, RegistrationError::Signature(signet_core::eth::EthError::SignatureMismatch)));
        assert_eq!(err.to_string(), "signature does not match address");

        let good = header(&first, now);
        assert_eq!(service.verify(Some(good.as_bytes())).unwrap().kid, first.kid);
        assert_eq!(service.verify(Some(good.as_bytes())), Err(AuthError::TokenReplayed));
        let mut tampered = header(&first, now).into_bytes();
        // Not the last character: it carries padding bits, so changing it may be a format error.
        let i = tampered.len() - 10;
        tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(service.verify(Some(&tampered)), Err(AuthError::InvalidSignature));
        let unknown = IssuedApiKey::generate(&mut os_rng());
        assert_eq!(service.verify(Some(header(&unknown, now).as_bytes())), Err(AuthError::KeyNotFound));
        assert_eq!(
            service.verify(Some(header(&first, UnixTime(now.0 - 301)).as_bytes())),
            Err(AuthError::TokenExpired)
        );
        assert_eq!(service.verify(None), Err(AuthError::MissingHeader));

        service.revoke(&first.kid).unwrap();
        // The wallet may register again once its key is revoked: with the timestamped message
        // (the documented one, which a captured body could replay, is not taken again).
        assert!(matches!(register(&service, &wallet), Err(RegistrationError::WalletRegisteredBefore)));
        let signed = wallet.sign_reregistration(now);
        let request = Registration {
            address: &signed.address.to_checksummed(),
            signature: &signed.signature.to_hex(),
            timestamp: Some(now.0),
            name: Some("test"),
        };
        second = service.register_request(&request, now).unwrap();
        service.set_expiry(&second.kid, Some(UnixTime(now.0 - 1))).unwrap();
    }
    // Restarted on the same file: keys kept, the revoked one inactive, the other expired.
    let service = VerifierService::new(RedbRegistry::open_or_create(&path).unwrap());
    let entries = service.keys().list().unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.wallet == wallet.address() && e.name.as_deref() == Some("test")));
    let refused = service.verify(Some(header(&first, now).as_bytes())).unwrap_err();
    assert_eq!((refused.to_string().as_str(), refused.http_status()), ("API key is inactive", 401));
    assert_eq!(service.verify(Some(header(&second, now).as_bytes())), Err(AuthError::KeyExpired));
    service.set_expiry(&second.kid, None).unwrap();
    assert!(service.verify(Some(header(&second, now).as_bytes())).is_ok());
    assert!(service.keys().get(&KeyId::new("missing").unwrap()).unwrap().is_none());
}

#[test]
fn concurrent_requests_never_accept_a_replay() {
    let dir = tempfile::tempdir().unwrap();
    let service =
        Arc::new(VerifierService::new(RedbRegistry::open_or_create(&dir.path().join("keys.redb")).unwrap()));
    let issued = register(&service, &WalletKey::generate(&mut os_rng())).unwrap();
    let now = SystemClock.now();
    let tokens: Vec<String> = (0..64).map(|_| header(&issued, now)).collect();
    let tokens = Arc::new(tokens);
    let accepted = Arc::new(AtomicUsize::new(0));
    // Eight threads each present every token: each must be accepted exactly once overall.
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (service, tokens, accepted) =
                (Arc::clone(&service), Arc::clone(&tokens), Arc::clone(&accepted));
            std::thread::spawn(move || {
                for token in tokens.iter() {
                    match service.verify_at(Some(token.as_bytes()), now) {
                        Ok(_) => {
                            accepted.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(AuthError::TokenReplayed) => {}
                        Err(e) => panic!("unexpected refusal {e}"),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(accepted.load(Ordering::SeqCst), tokens.len());
}

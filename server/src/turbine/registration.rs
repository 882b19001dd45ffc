//! Issuing API keys to wallets (`POST /api/v1/api-keys`): the wallet's signature, the name,
//! and the rule that a captured registration cannot be replayed into a new key.
//!
//! A wallet's first key takes the documented message
//! (`Register API key for Turbine: <address>`), byte-compatible with the official SDK. That
//! message holds no time, so a body captured once (a proxy log, a shared terminal) would stay
//! valid forever: once a wallet has had a key, only the timestamped message is accepted (the
//! documented one and `\nTimestamp: <unix seconds>`), with a time within 300 s of the server's
//! and newer than the wallet's last one, so that no body is ever accepted twice.

use core::fmt;

use signet_core::eth::EthError;
use signet_core::turbine::{IssuedApiKey, KeyId, verify_registration, verify_reregistration};
use signet_core::{Clock, UnixTime};

use signet_std::{SystemClock, os_rng};

#[cfg(feature = "redb")]
use crate::store::RedbRegistry;
use crate::store::{Entry, KeyRegistry, Proof, RegistryError};
use crate::turbine::service::VerifierService;

/// How far a timestamped registration's time may be from the server's, in seconds.
pub const REGISTRATION_WINDOW_SECS: i64 = 300;

/// Longest key name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// A registration as received: the body of `POST /api/v1/api-keys`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registration<'a> {
    /// The wallet address, as signed.
    pub address: &'a str,
    /// Its `personal_sign` signature (0x-prefixed hex).
    pub signature: &'a str,
    /// The time in the timestamped message, if that is what was signed.
    pub timestamp: Option<i64>,
    /// A friendly name for the key.
    pub name: Option<&'a str>,
}

/// Why a registration was refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum RegistrationError {
    /// The address or signature is malformed, or the signature is not the wallet's.
    Signature(EthError),
    /// The wallet already has an active key: answer 409 with its id.
    WalletHasKey(KeyId),
    /// The wallet has had a key; the documented (untimed) message is not accepted again.
    WalletRegisteredBefore,
    /// The timestamped message's time is not recent, or not newer than the wallet's last.
    StaleTimestamp,
    /// The name is longer than 64 characters or holds control characters.
    InvalidName,
    /// The source address, or everyone together, registered as many keys as an hour allows.
    TooMany,
    /// The key store cannot be reached now.
    Unavailable,
    /// The registry failed.
    Registry(RegistryError),
}

impl RegistrationError {
    /// A short outcome name for logs and metrics.
    #[must_use]
    pub fn outcome(&self) -> &'static str {
        match self {
            RegistrationError::Signature(EthError::SignatureMismatch) => "wrong signer",
            RegistrationError::Signature(_) | RegistrationError::InvalidName => "invalid",
            RegistrationError::WalletHasKey(_) => "exists",
            RegistrationError::WalletRegisteredBefore => "registered before",
            RegistrationError::StaleTimestamp => "stale timestamp",
            RegistrationError::TooMany => "rate limited",
            RegistrationError::Unavailable => "unavailable",
            RegistrationError::Registry(_) => "error",
        }
    }
}

impl fmt::Display for RegistrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistrationError::Signature(e) => e.fmt(f),
            RegistrationError::WalletHasKey(_) => f.write_str("wallet already has an active API key"),
            RegistrationError::WalletRegisteredBefore => RegistryError::WalletRegisteredBefore.fmt(f),
            RegistrationError::StaleTimestamp => RegistryError::StaleTimestamp.fmt(f),
            RegistrationError::InvalidName => f.write_str("name must be at most 64 printable characters"),
            RegistrationError::TooMany => f.write_str("too many registrations: try again later"),
            RegistrationError::Unavailable => f.write_str("key store unavailable"),
            RegistrationError::Registry(_) => f.write_str("internal error"),
        }
    }
}

impl core::error::Error for RegistrationError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            RegistrationError::Signature(e) => Some(e),
            RegistrationError::Registry(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RegistryError> for RegistrationError {
    fn from(e: RegistryError) -> Self {
        match e {
            RegistryError::WalletHasKey(kid) => RegistrationError::WalletHasKey(kid),
            RegistryError::WalletRegisteredBefore => RegistrationError::WalletRegisteredBefore,
            RegistryError::StaleTimestamp => RegistrationError::StaleTimestamp,
            RegistryError::Unavailable => RegistrationError::Unavailable,
            e => RegistrationError::Registry(e),
        }
    }
}

/// Checks a registration (name, signature, time) and makes the key to store: everything but
/// the store's own checks, which are atomic with the insert.
fn prepare(
    request: &Registration<'_>,
    now: UnixTime,
) -> Result<(IssuedApiKey, Entry, Proof), RegistrationError> {
    if request.name.is_some_and(|n| n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control)) {
        return Err(RegistrationError::InvalidName);
    }
    let (wallet, proof) = match request.timestamp {
        None => (verify_registration(request.address, request.signature), Proof::Documented),
        Some(ts) => {
            if now.0.abs_diff(ts) > REGISTRATION_WINDOW_SECS.unsigned_abs() {
                return Err(RegistrationError::StaleTimestamp);
            }
            let ts = UnixTime(ts);
            (verify_reregistration(request.address, ts, request.signature), Proof::Timestamped(ts))
        }
    };
    let wallet = wallet.map_err(RegistrationError::Signature)?;
    let issued = IssuedApiKey::generate(&mut os_rng());
    let entry = Entry {
        kid: issued.kid.clone(),
        record: issued.record(),
        wallet,
        created_at: now,
        name: request.name.map(str::to_owned),
    };
    Ok((issued, entry, proof))
}

#[cfg(feature = "redb")]
impl VerifierService<RedbRegistry> {
    /// Registers an API key for a wallet that signed the documented registration message:
    /// checks the signature, issues a key id and Ed25519 key pair, and stores only the public
    /// key. The returned secret goes to the client once.
    ///
    /// # Errors
    /// [`RegistrationError`]; a wallet with an active key gets
    /// [`RegistrationError::WalletHasKey`] carrying the existing id.
    pub fn register(
        &self,
        address: &str,
        signature: &str,
        name: Option<&str>,
    ) -> Result<IssuedApiKey, RegistrationError> {
        self.register_at(address, signature, name, SystemClock.now())
    }

    /// [`VerifierService::register`] at a given time.
    ///
    /// # Errors
    /// As [`VerifierService::register`].
    pub fn register_at(
        &self,
        address: &str,
        signature: &str,
        name: Option<&str>,
        now: UnixTime,
    ) -> Result<IssuedApiKey, RegistrationError> {
        self.register_request(&Registration { address, signature, timestamp: None, name }, now)
    }

    /// Registers with either proof (see the module documentation).
    ///
    /// # Errors
    /// [`RegistrationError`].
    pub fn register_request(
        &self,
        request: &Registration<'_>,
        now: UnixTime,
    ) -> Result<IssuedApiKey, RegistrationError> {
        let (issued, entry, proof) = prepare(request, now)?;
        self.keys().register(&entry, proof, now)?;
        Ok(issued)
    }

    /// Revokes a key: its next token here is refused with `API key is inactive` (other
    /// instances see it within their cache's lifetime).
    ///
    /// # Errors
    /// [`RegistryError`].
    pub fn revoke(&self, kid: &KeyId) -> Result<Entry, RegistryError> {
        let entry = self.keys().revoke(kid);
        self.key_cache().forget(kid);
        entry
    }

    /// Sets or clears a key's expiry, at once for this service.
    ///
    /// # Errors
    /// [`RegistryError`].
    pub fn set_expiry(&self, kid: &KeyId, expires_at: Option<UnixTime>) -> Result<Entry, RegistryError> {
        let entry = self.keys().set_expiry(kid, expires_at);
        self.key_cache().forget(kid);
        entry
    }
}

impl<K: KeyRegistry> VerifierService<K> {
    /// Registers with either proof, against any registry (see the module documentation).
    ///
    /// # Errors
    /// [`RegistrationError`].
    pub async fn register_async(
        &self,
        request: &Registration<'_>,
    ) -> Result<IssuedApiKey, RegistrationError> {
        self.register_from(request, None).await
    }

    /// [`VerifierService::register_async`] for a request from `peer`, within the registration
    /// limits ([`VerifierService::with_registration_limits`]): per source address when it is
    /// known, overall always. Only an issued key spends them.
    ///
    /// # Errors
    /// [`RegistrationError::TooMany`] beyond them; otherwise as [`VerifierService::register`].
    pub async fn register_from(
        &self,
        request: &Registration<'_>,
        peer: Option<core::net::IpAddr>,
    ) -> Result<IssuedApiKey, RegistrationError> {
        if !self.registrations().allows(peer) {
            return Err(RegistrationError::TooMany);
        }
        let now = SystemClock.now();
        let (issued, entry, proof) = prepare(request, now)?;
        self.keys().register(&entry, proof, now).await?;
        self.registrations().spend(peer);
        Ok(issued)
    }

    /// Revokes a key, at once for this service and within the cache lifetime elsewhere.
    ///
    /// # Errors
    /// [`RegistryError`].
    pub async fn revoke_async(&self, kid: &KeyId) -> Result<Entry, RegistryError> {
        let entry = self.keys().revoke(kid).await;
        self.key_cache().forget(kid);
        entry
    }

    /// Sets or clears a key's expiry, at once for this service.
    ///
    /// # Errors
    /// [`RegistryError`].
    pub async fn set_expiry_async(
        &self,
        kid: &KeyId,
        expires_at: Option<UnixTime>,
    ) -> Result<Entry, RegistryError> {
        let entry = self.keys().set_expiry(kid, expires_at).await;
        self.key_cache().forget(kid);
        entry
    }
}

#[cfg(test)]
#[cfg(feature = "redb")]
mod tests {
    use super::*;
    use signet_core::eth::WalletKey;

    fn service() -> (VerifierService<RedbRegistry>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        (VerifierService::new(RedbRegistry::open_or_create(&dir.path().join("k.redb")).unwrap()), dir)
    }

    #[test]
    fn a_captured_registration_cannot_be_replayed_into_a_new_key() {
        let (service, _dir) = service();
        let wallet = WalletKey::from_bytes(&[0x42; 32]).unwrap();
        let captured = wallet.sign_registration();
        let (address, signature) = (captured.address.to_checksummed(), captured.signature.to_hex());
        let first = service.register(&address, &signature, Some("bot")).unwrap();
        service.revoke(&first.kid).unwrap();
        // The captured body, replayed after the revocation: no key.
        let replayed = service.register(&address, &signature, None).unwrap_err();
        assert!(matches!(replayed, RegistrationError::WalletRegisteredBefore));
        // The owner signs the timestamped message: a new key, once.
        let now = SystemClock.now();
        let fresh = wallet.sign_reregistration(now).signature.to_hex();
        let request =
            Registration { address: &address, signature: &fresh, timestamp: Some(now.0), name: None };
        let second = service.register_request(&request, now).unwrap();
        assert_ne!(second.kid, first.kid);
        service.revoke(&second.kid).unwrap();
        assert!(matches!(service.register_request(&request, now), Err(RegistrationError::StaleTimestamp)));
        // An old time, even newly signed, is refused too.
        let old = UnixTime(now.0 - 301);
        let late = wallet.sign_reregistration(old).signature.to_hex();
        let request =
            Registration { address: &address, signature: &late, timestamp: Some(old.0), name: None };
        assert!(matches!(service.register_request(&request, now), Err(RegistrationError::StaleTimestamp)));
    }

    #[test]
    fn names_are_short_and_printable() {
        let (service, _dir) = service();
        for (i, name) in ["x".repeat(65), "a\u{1b}b".to_owned(), "\u{85}".to_owned()].iter().enumerate() {
            let wallet = WalletKey::from_bytes(&[i as u8 + 1; 32]).unwrap();
            let signed = wallet.sign_registration();
            let refused =
                service.register(&signed.address.to_checksummed(), &signed.signature.to_hex(), Some(name));
            assert!(matches!(refused, Err(RegistrationError::InvalidName)), "{name:?}");
        }
        let wallet = WalletKey::from_bytes(&[9; 32]).unwrap();
        let signed = wallet.sign_registration();
        let name = "é".repeat(64);
        assert!(
            service
                .register(&signed.address.to_checksummed(), &signed.signature.to_hex(), Some(&name))
                .is_ok()
        );
    }
}

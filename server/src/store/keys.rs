//! What a verifier and a registration service ask of a key registry, whatever its backend.

use core::future::Future;

use signet_core::UnixTime;
use signet_core::turbine::{KeyId, KeyRecord, KeyRing, KeyStore, KeyStoreError};

use crate::store::entry::{Entry, Proof};
use crate::store::error::RegistryError;

/// Looks up key records without blocking an async runtime: what the verifier's key cache
/// asks on a miss.
pub trait KeySource: Send + Sync {
    /// The record of `kid`, `Ok(None)` if there is none.
    fn lookup_key(
        &self,
        kid: &KeyId,
    ) -> impl Future<Output = Result<Option<KeyRecord>, KeyStoreError>> + Send;
}

impl<const N: usize> KeySource for KeyRing<N> {
    async fn lookup_key(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        self.lookup(kid)
    }
}

/// Where registered keys live: registration (one usable key per wallet, checked atomically
/// with the insert), revocation, expiry, listing.
pub trait KeyRegistry: KeySource {
    /// Adds a key for `entry.wallet`, unless that wallet already has a key usable at `now`, in
    /// one transaction, so concurrent registrations of a wallet issue one key.
    ///
    /// # Errors
    /// [`RegistryError::WalletHasKey`] with the existing id; for a wallet that has had a key,
    /// [`RegistryError::WalletRegisteredBefore`] with the documented proof and
    /// [`RegistryError::StaleTimestamp`] for a time not newer than its last registration;
    /// [`RegistryError::DuplicateKeyId`]; the store's failure.
    fn register(
        &self,
        entry: &Entry,
        proof: Proof,
        now: UnixTime,
    ) -> impl Future<Output = Result<(), RegistryError>> + Send;

    /// The entry of `kid`.
    ///
    /// # Errors
    /// The store's failure, [`RegistryError::Corrupt`] for a record it cannot read.
    fn get(&self, kid: &KeyId) -> impl Future<Output = Result<Option<Entry>, RegistryError>> + Send;

    /// Revokes a key: its tokens are refused with `API key is inactive`, and its wallet may
    /// register a new one (with the timestamped message).
    ///
    /// # Errors
    /// [`RegistryError::NotFound`], or the store's failure.
    fn revoke(&self, kid: &KeyId) -> impl Future<Output = Result<Entry, RegistryError>> + Send;

    /// Sets or clears a key's expiry.
    ///
    /// # Errors
    /// [`RegistryError::NotFound`], or the store's failure.
    fn set_expiry(
        &self,
        kid: &KeyId,
        expires_at: Option<UnixTime>,
    ) -> impl Future<Output = Result<Entry, RegistryError>> + Send;

    /// Every key, in key-id order.
    ///
    /// # Errors
    /// The store's failure.
    fn list(&self) -> impl Future<Output = Result<Vec<Entry>, RegistryError>> + Send;

    /// Whether the store answers now (for readiness checks).
    fn is_ready(&self) -> impl Future<Output = bool> + Send;

    /// The backend's name: `redb`, `postgres`.
    fn kind(&self) -> &'static str;
}

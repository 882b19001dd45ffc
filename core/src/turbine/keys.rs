//! Registered API keys: what the verifier needs to know about a `kid`.

use core::fmt;

use ed25519_dalek::VerifyingKey;

use crate::time::UnixTime;
use crate::turbine::key_id::KeyId;

/// Whether a key may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyStatus {
    /// The key verifies tokens.
    Active,
    /// The key was revoked; its tokens are refused with `API key is inactive`.
    Inactive,
}

/// A registered key: public half, status and optional expiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRecord {
    /// The Ed25519 public key that verifies the key's tokens.
    pub verifying_key: VerifyingKey,
    /// Active or revoked.
    pub status: KeyStatus,
    /// From this time on the key is refused with `API key has expired`; `None` never expires.
    pub expires_at: Option<UnixTime>,
}

impl KeyRecord {
    /// An active key that never expires.
    #[must_use]
    pub fn active(verifying_key: VerifyingKey) -> Self {
        KeyRecord { verifying_key, status: KeyStatus::Active, expires_at: None }
    }
}

/// The key store could not answer (a database error, say). Opaque on purpose: the detail
/// belongs in the store's own logs, not in an answer to a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyStoreError;

impl fmt::Display for KeyStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("key store unavailable")
    }
}

impl core::error::Error for KeyStoreError {}

/// Looks up registered keys by id.
///
/// Implemented by [`KeyRing`] in memory and by adapters over databases.
pub trait KeyStore {
    /// The record for `kid`, `Ok(None)` if no key has that id.
    ///
    /// # Errors
    /// [`KeyStoreError`] if the store cannot be read; the verifier then refuses (fails closed).
    fn lookup(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError>;
}

impl<K: KeyStore + ?Sized> KeyStore for &K {
    fn lookup(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        (**self).lookup(kid)
    }
}

/// The key ring is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyRingFull;

impl fmt::Display for KeyRingFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("key ring is full")
    }
}

impl core::error::Error for KeyRingFull {}

/// A fixed-capacity, in-memory [`KeyStore`] of up to `N` keys.
///
/// Lookup is a linear scan, which beats hashing for the handful of keys a device or a small
/// service holds.
#[derive(Clone, Debug, Default)]
pub struct KeyRing<const N: usize> {
    entries: heapless::Vec<(KeyId, KeyRecord), N>,
}

impl<const N: usize> KeyRing<N> {
    /// An empty ring.
    #[must_use]
    pub const fn new() -> Self {
        KeyRing { entries: heapless::Vec::new() }
    }

    /// Adds a key, or replaces the record of an id already present.
    ///
    /// # Errors
    /// [`KeyRingFull`] if the id is new and the ring holds `N` keys already.
    pub fn insert(&mut self, kid: KeyId, record: KeyRecord) -> Result<(), KeyRingFull> {
        if let Some(existing) = self.get_mut(&kid) {
            *existing = record;
            return Ok(());
        }
        self.entries.push((kid, record)).map_err(|_| KeyRingFull)
    }

    /// The record of `kid`, for changing its status or expiry.
    pub fn get_mut(&mut self, kid: &KeyId) -> Option<&mut KeyRecord> {
        self.entries.iter_mut().find(|(id, _)| id == kid).map(|(_, r)| r)
    }

    /// Removes a key, returning its record.
    pub fn remove(&mut self, kid: &KeyId) -> Option<KeyRecord> {
        let index = self.entries.iter().position(|(id, _)| id == kid)?;
        Some(self.entries.swap_remove(index).1)
    }

    /// Number of keys held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the ring holds no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<const N: usize> KeyStore for KeyRing<N> {
    fn lookup(&self, kid: &KeyId) -> Result<Option<KeyRecord>, KeyStoreError> {
        Ok(self.entries.iter().find(|(id, _)| id == kid).map(|(_, r)| r.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn kid(s: &str) -> KeyId {
        KeyId::new(s).unwrap()
    }

    #[test]
    fn insert_replace_update_remove() {
        let vk = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let mut ring = KeyRing::<2>::new();
        ring.insert(kid("a"), KeyRecord::active(vk)).unwrap();
        ring.insert(kid("b"), KeyRecord::active(vk)).unwrap();
        assert_eq!(ring.insert(kid("c"), KeyRecord::active(vk)), Err(KeyRingFull));
        ring.insert(kid("a"), KeyRecord { status: KeyStatus::Inactive, ..KeyRecord::active(vk) }).unwrap();
        assert_eq!(ring.lookup(&kid("a")).unwrap().unwrap().status, KeyStatus::Inactive);
        ring.get_mut(&kid("b")).unwrap().expires_at = Some(UnixTime(5));
        assert_eq!(ring.lookup(&kid("b")).unwrap().unwrap().expires_at, Some(UnixTime(5)));
        assert!(ring.remove(&kid("a")).is_some());
        assert_eq!(ring.lookup(&kid("a")), Ok(None));
        assert_eq!(ring.len(), 1);
    }
}

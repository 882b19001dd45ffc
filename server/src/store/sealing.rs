//! Bitzoom HMAC secrets at rest: sealed with XChaCha20-Poly1305 under a key kept outside the
//! database (a mode-600 key file, or a variable), so a copy of the database (a stolen file, a
//! backup, a replica) gives no secret without the key.
//!
//! A sealed secret is stored as `sealed:v1:<key id>:<base64url(nonce ‖ ciphertext)>`: a fresh
//! random 24-byte nonce per seal, the key's API key id as associated data (a sealed secret
//! copied onto another key's row does not open), and the sealing key's id (16 hex digits of a
//! SHA-256 of it) so that several keys can be held while one replaces another
//! ([`SecretSealer::with_previous`], [`SecretSealer::needs_reseal`]).

use core::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use signet_std::Secret;
use signet_std::private_file::{PrivateFileError, read_private, write_atomic};
use zeroize::Zeroizing;

const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;

/// Why a secret could not be sealed or opened, or a sealing key read.
#[derive(Debug)]
#[non_exhaustive]
pub enum SealError {
    /// No sealing key was configured, so a Bitzoom secret cannot be stored or read.
    NoKey,
    /// The secret was sealed with a key this server does not hold (by its id).
    UnknownKey(String),
    /// The stored text is not a sealed secret, or it was changed (authentication failed).
    Damaged,
    /// The key file or variable is not 32 bytes (64 hex digits in a variable).
    BadKey(String),
    /// The key file could not be read or made, or others can read it.
    KeyFile(PrivateFileError),
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::NoKey => {
                f.write_str("no secrets key: Bitzoom secrets are sealed at rest and need one")
            }
            SealError::UnknownKey(id) => write!(
                f,
                "a Bitzoom secret was sealed with key {id}, which this server does not hold (give it as the previous secrets key)"
            ),
            SealError::Damaged => f.write_str("a sealed Bitzoom secret is damaged or was changed"),
            SealError::BadKey(what) => {
                write!(f, "secrets key {what}: 32 bytes needed (64 hex digits in a variable)")
            }
            SealError::KeyFile(e) => write!(f, "secrets key file: {e}"),
        }
    }
}

impl core::error::Error for SealError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            SealError::KeyFile(e) => Some(e),
            _ => None,
        }
    }
}

/// One sealing key and its id.
struct SealingKey {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl SealingKey {
    fn new(bytes: &[u8; 32]) -> Self {
        let digest = Sha256::new().chain_update(b"signet secrets key id\0").chain_update(bytes).finalize();
        SealingKey {
            id: hex::encode(digest.get(..8).unwrap_or_default()),
            cipher: XChaCha20Poly1305::new(&(*bytes).into()),
        }
    }
}

/// Seals secrets under the current key; opens what any held key sealed.
pub struct SecretSealer {
    current: SealingKey,
    previous: Vec<SealingKey>,
}

impl fmt::Debug for SecretSealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretSealer")
            .field("current", &self.current.id)
            .field("previous", &self.previous.iter().map(|k| k.id.as_str()).collect::<Vec<_>>())
            .finish()
    }
}

fn associated_data(api_key: &str) -> Vec<u8> {
    let mut aad = b"signet bitzoom secret v1\0".to_vec();
    aad.extend_from_slice(api_key.as_bytes());
    aad
}

impl SecretSealer {
    /// A sealer whose current key is `key`.
    #[must_use]
    pub fn new(key: &[u8; 32]) -> Self {
        SecretSealer { current: SealingKey::new(key), previous: Vec::new() }
    }

    /// Also opens secrets sealed with `key` (the key being replaced).
    #[must_use]
    pub fn with_previous(mut self, key: &[u8; 32]) -> Self {
        self.previous.push(SealingKey::new(key));
        self
    }

    /// The current key's id (16 hex digits; the key itself never shows).
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    /// The key in `path` (32 bytes), made the first time (random, written atomically, mode
    /// 600); refused if others can read it.
    ///
    /// # Errors
    /// [`SealError::KeyFile`], [`SealError::BadKey`].
    pub fn key_from_file(path: &Path) -> Result<Zeroizing<[u8; 32]>, SealError> {
        let mut key = Zeroizing::new([0u8; 32]);
        match read_private(path) {
            Ok(bytes) if bytes.len() == 32 => key.copy_from_slice(&bytes),
            Ok(bytes) => {
                return Err(SealError::BadKey(format!(
                    "file {} holds {} bytes",
                    path.display(),
                    bytes.len()
                )));
            }
            Err(PrivateFileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                rand_core::Rng::fill_bytes(&mut signet_std::os_rng(), key.as_mut());
                write_atomic(path, key.as_ref()).map_err(|e| SealError::KeyFile(PrivateFileError::Io(e)))?;
            }
            Err(e) => return Err(SealError::KeyFile(e)),
        }
        Ok(key)
    }

    /// A key given as 64 hex digits (a variable's value).
    ///
    /// # Errors
    /// [`SealError::BadKey`] naming `what`.
    pub fn key_from_hex(text: &Secret, what: &str) -> Result<Zeroizing<[u8; 32]>, SealError> {
        let mut key = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.expose().trim(), key.as_mut())
            .map_err(|_| SealError::BadKey(what.to_owned()))?;
        Ok(key)
    }

    /// `secret` sealed for the key `api_key`.
    #[must_use]
    pub fn seal(&self, api_key: &str, secret: &Secret) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand_core::Rng::fill_bytes(&mut signet_std::os_rng(), &mut nonce);
        let aad = associated_data(api_key);
        // Encryption into a Vec fails only on lengths far beyond a secret's.
        let sealed = self
            .current
            .cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: secret.expose().as_bytes(), aad: &aad })
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}:{}", self.current.id, URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The secret `stored` holds for `api_key`.
    ///
    /// # Errors
    /// [`SealError::UnknownKey`] if it was sealed with a key not held, [`SealError::Damaged`]
    /// if it is not a sealed secret or fails authentication.
    pub fn open(&self, api_key: &str, stored: &str) -> Result<Secret, SealError> {
        let rest = stored.strip_prefix(PREFIX).ok_or(SealError::Damaged)?;
        let (id, data) = rest.split_once(':').ok_or(SealError::Damaged)?;
        let key = core::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
            .ok_or_else(|| SealError::UnknownKey(id.to_owned()))?;
        let bytes = URL_SAFE_NO_PAD.decode(data).map_err(|_| SealError::Damaged)?;
        let (nonce, sealed) = bytes.split_first_chunk::<NONCE_LEN>().ok_or(SealError::Damaged)?;
        let aad = associated_data(api_key);
        let plain = Zeroizing::new(
            key.cipher
                .decrypt(&XNonce::from(*nonce), Payload { msg: sealed, aad: &aad })
                .map_err(|_| SealError::Damaged)?,
        );
        let text = core::str::from_utf8(&plain).map_err(|_| SealError::Damaged)?;
        Ok(Secret::new(text.to_owned()))
    }

    /// Whether `stored` is anything but a secret sealed with the current key: a clear secret
    /// from before sealing, or one sealed with a previous key.
    #[must_use]
    pub fn needs_reseal(&self, stored: &str) -> bool {
        let current = stored
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(id, _)| id == self.current.id);
        !current
    }

    /// Whether `stored` is sealed at all (else it is a clear secret from before sealing).
    #[must_use]
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    /// What every stored value sealed with any key starts with.
    #[must_use]
    pub fn sealed_prefix() -> &'static str {
        PREFIX
    }

    /// What every stored value sealed with the current key starts with (a stale value does not).
    #[must_use]
    pub fn current_prefix(&self) -> String {
        format!("{PREFIX}{}:", self.current.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_open_only_for_their_key_and_row() {
        let sealer = SecretSealer::new(&[1; 32]);
        let secret = Secret::new("a".repeat(64));
        let stored = sealer.seal("key-a", &secret);
        assert!(stored.starts_with("sealed:v1:") && !stored.contains(&"a".repeat(64)));
        assert_eq!(sealer.open("key-a", &stored).unwrap().expose(), secret.expose());
        assert_ne!(sealer.seal("key-a", &secret), stored, "a fresh nonce each time");
        // Moved to another row, changed, or opened with another key: refused.
        assert!(matches!(sealer.open("key-b", &stored), Err(SealError::Damaged)));
        let mut changed = stored.clone().into_bytes();
        let last = changed.len() - 2;
        changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
        assert!(matches!(
            sealer.open("key-a", core::str::from_utf8(&changed).unwrap()),
            Err(SealError::Damaged)
        ));
        let other = SecretSealer::new(&[2; 32]);
        assert!(matches!(other.open("key-a", &stored), Err(SealError::UnknownKey(_))));
        assert!(matches!(sealer.open("key-a", secret.expose()), Err(SealError::Damaged)));
        // Rotation: the new key opens what the old one sealed, and says it should be resealed.
        let rotated = SecretSealer::new(&[2; 32]).with_previous(&[1; 32]);
        assert_eq!(rotated.open("key-a", &stored).unwrap().expose(), secret.expose());
        assert!(rotated.needs_reseal(&stored) && !sealer.needs_reseal(&stored));
        assert!(sealer.needs_reseal("clear-secret") && !SecretSealer::is_sealed("clear-secret"));
        assert!(!format!("{rotated:?}").contains("0101"));
    }

    #[test]
    fn key_files_are_made_private_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.key");
        let first = SecretSealer::key_from_file(&path).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(*SecretSealer::key_from_file(&path).unwrap(), *first);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            SecretSealer::key_from_file(&path),
            Err(SealError::KeyFile(PrivateFileError::TooOpen { .. }))
        ));
        let hex_key = Secret::new("11".repeat(32));
        assert_eq!(*SecretSealer::key_from_hex(&hex_key, "SIGNET_SECRETS_KEY").unwrap(), [0x11; 32]);
        assert!(SecretSealer::key_from_hex(&Secret::new("11".into()), "x").is_err());
    }
}

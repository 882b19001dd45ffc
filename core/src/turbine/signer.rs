//! A signing key prepared for minting many tokens.

use core::fmt;

use ed25519_dalek::hazmat::{ExpandedSecretKey, raw_sign};
use ed25519_dalek::{Signature, SignatureError, Signer, SigningKey, VerifyingKey};
use sha2::Sha512;

/// An Ed25519 signing key with its SHA-512 expansion computed once.
///
/// `SigningKey::sign` re-hashes the 32-byte seed on every call; a verifier-facing client or a
/// device that mints a token per request can keep this instead. Signatures are identical to
/// `SigningKey`'s. The expanded secret is zeroized on drop and never printed.
pub struct PreparedSigningKey {
    expanded: ExpandedSecretKey,
    verifying_key: VerifyingKey,
}

impl PreparedSigningKey {
    /// Expands `key` once for repeated signing.
    #[must_use]
    pub fn new(key: &SigningKey) -> Self {
        PreparedSigningKey {
            expanded: ExpandedSecretKey::from(key.as_bytes()),
            verifying_key: key.verifying_key(),
        }
    }

    /// The public key that verifies this key's signatures.
    #[must_use]
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.verifying_key
    }
}

// Both fields' secret parts (the expanded scalar and hash prefix) zeroize themselves on drop.
impl zeroize::ZeroizeOnDrop for PreparedSigningKey {}

impl From<&SigningKey> for PreparedSigningKey {
    fn from(key: &SigningKey) -> Self {
        PreparedSigningKey::new(key)
    }
}

impl Signer<Signature> for PreparedSigningKey {
    fn try_sign(&self, msg: &[u8]) -> Result<Signature, SignatureError> {
        // The expansion comes from the seed and `verifying_key` from the same key, which is the
        // invariant `raw_sign` needs to be safe.
        Ok(raw_sign::<Sha512>(&self.expanded, msg, &self.verifying_key))
    }
}

impl fmt::Debug for PreparedSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedSigningKey")
            .field("verifying_key", &self.verifying_key)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_exactly_like_the_signing_key() {
        for seed in [[0u8; 32], [7u8; 32], [0xff; 32]] {
            let key = SigningKey::from_bytes(&seed);
            let prepared = PreparedSigningKey::new(&key);
            for msg in [&b""[..], b"x", &[0xab; 300]] {
                assert_eq!(prepared.sign(msg), key.sign(msg));
            }
        }
    }

    #[test]
    fn debug_does_not_show_the_secret() {
        let prepared = PreparedSigningKey::new(&SigningKey::from_bytes(&[0x42; 32]));
        let shown = std::format!("{prepared:?}");
        assert!(!shown.contains("scalar") && !shown.contains("hash_prefix"), "{shown}");
    }
}

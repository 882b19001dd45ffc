//! HMAC-SHA256 keys, shared by HS256 JWTs and Bitzoom request signing.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Length of an HMAC-SHA256 tag.
pub const HMAC_TAG_LEN: usize = 32;

/// An HMAC-SHA256 key of any length, keyed once and cloned per message.
///
/// Holds only the keyed hash states (which are zeroized on drop), never prints them, and
/// checks tags in constant time.
#[derive(Clone)]
pub struct HmacKey(Hmac<Sha256>);

impl HmacKey {
    /// A key from the secret's bytes (for text secrets, their UTF-8 bytes).
    #[must_use]
    pub fn new(secret: &[u8]) -> Self {
        // HMAC takes keys of every length (long ones are hashed first), so this cannot fail;
        // the fallback exists only to avoid a panic path.
        HmacKey(Hmac::new_from_slice(secret).unwrap_or_else(|_| Hmac::new(&Default::default())))
    }

    /// The tag of the concatenation of `parts`.
    #[must_use]
    pub fn tag(&self, parts: &[&[u8]]) -> [u8; HMAC_TAG_LEN] {
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// A running MAC, for input produced piece by piece.
    pub(crate) fn start(&self) -> Hmac<Sha256> {
        self.0.clone()
    }

    /// Whether `tag` is the tag of the concatenation of `parts`, compared in constant time.
    #[must_use]
    pub fn verify(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        mac.verify_slice(tag).is_ok()
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        let key = HmacKey::new(b"Jefe");
        let tag = key.tag(&[b"what do ya want ", b"for nothing?"]);
        assert_eq!(hex::encode(tag), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert!(key.verify(&[b"what do ya want for nothing?"], &tag));
        assert!(!key.verify(&[b"what do ya want for nothing!"], &tag));
        assert!(!key.verify(&[b"what do ya want for nothing?"], &tag[..31]));
        assert_eq!(std::format!("{key:?}"), "HmacKey(<redacted>)");
    }
}

//! A secp256k1 wallet key that signs with `personal_sign`.

use core::fmt;

use k256::ecdsa::SigningKey;
use rand_core::CryptoRng;

use crate::eth::address::Address;
use crate::eth::error::EthError;
use crate::eth::personal_sign::{EthSignature, eip191_hash};

/// A wallet's private key. Zeroized on drop (by k256); `Debug` shows only the address.
#[derive(Clone)]
pub struct WalletKey(SigningKey);

impl WalletKey {
    /// A key from its 32 big-endian bytes.
    ///
    /// # Errors
    /// [`EthError::InvalidPrivateKey`] if the bytes are zero or not below the group order.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, EthError> {
        SigningKey::from_slice(bytes).map(WalletKey).map_err(|_| EthError::InvalidPrivateKey)
    }

    /// A key that k256 made (a derived one, say).
    pub(crate) fn from_signing_key(key: SigningKey) -> Self {
        WalletKey(key)
    }

    /// A key from 64 hex digits, with or without `0x` (the forms `TURBINE_PRIVATE_KEY` takes).
    ///
    /// # Errors
    /// [`EthError::InvalidPrivateKey`] for anything else.
    pub fn from_hex(text: &str) -> Result<Self, EthError> {
        let digits = text.strip_prefix("0x").unwrap_or(text);
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(digits, bytes.as_mut()).map_err(|_| EthError::InvalidPrivateKey)?;
        Self::from_bytes(&bytes)
    }

    /// A fresh random key.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        loop {
            rng.fill_bytes(bytes.as_mut());
            // Fails only for 0 or values >= n: probability below 2^-127 per draw.
            if let Ok(key) = Self::from_bytes(&bytes) {
                return key;
            }
        }
    }

    /// The 32 secret bytes, for storing the key. Handle with care: zeroize them after use.
    #[must_use]
    pub fn to_bytes(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(self.0.to_bytes().into())
    }

    /// The wallet's address.
    #[must_use]
    pub fn address(&self) -> Address {
        Address::from_verifying_key(self.0.verifying_key())
    }

    /// Signs `message` as `personal_sign` does: the EIP-191 hash, RFC 6979 deterministic `k`,
    /// low `s`, `v` = 27 or 28. Byte-identical to eth-account's `sign_message`.
    #[must_use]
    pub fn personal_sign(&self, message: &[u8]) -> EthSignature {
        self.sign_prehash(&eip191_hash(message))
    }

    /// Signs a 32-byte digest (an EIP-712 digest, say) as Ethereum wallets do: RFC 6979
    /// deterministic `k`, low `s`, `v` = 27 or 28.
    #[must_use]
    pub fn sign_prehash(&self, digest: &[u8; 32]) -> EthSignature {
        // Signing the prehash: k256's `sign_recoverable` would hash with SHA-256 instead.
        let (signature, recovery_id) = self.0.sign_prehash_recoverable(digest);
        let mut bytes = [0u8; 65];
        let (rs, v) = bytes.split_at_mut(64);
        rs.copy_from_slice(&signature.to_bytes());
        // An x-coordinate above the group order (recovery ids 2 and 3) has probability about
        // 2^-127 and no Ethereum encoding; only the parity is kept, as every wallet does.
        v.copy_from_slice(&[27 + (recovery_id.to_byte() & 1)]);
        EthSignature::from_bytes(bytes)
    }
}

// k256's signing key zeroizes its scalar on drop.
impl zeroize::ZeroizeOnDrop for WalletKey {}

impl fmt::Debug for WalletKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WalletKey").field("address", &self.address()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eth::recover_address;

    #[test]
    fn signs_and_recovers_including_high_s_and_v_forms() {
        let key = WalletKey::from_hex("0x027cb2e1d4e39879160c20c822b63e2db67f79c11e61aecb39ef555f9b5bb696")
            .unwrap();
        let signature = key.personal_sign(b"hello");
        assert_eq!(recover_address(b"hello", &signature), Ok(key.address()));
        let mut bytes = signature.to_bytes();
        // v as 0/1.
        bytes[64] -= 27;
        assert_eq!(recover_address(b"hello", &EthSignature::from_bytes(bytes)), Ok(key.address()));
        // High s: n - s with the other parity.
        let sig = k256::ecdsa::Signature::from_slice(&bytes[..64]).unwrap();
        let high = k256::ecdsa::Signature::from_scalars(sig.r().to_bytes(), (-*sig.s()).to_bytes()).unwrap();
        bytes[..64].copy_from_slice(&high.to_bytes());
        bytes[64] = 27 + (1 - (signature.to_bytes()[64] - 27));
        assert_eq!(recover_address(b"hello", &EthSignature::from_bytes(bytes)), Ok(key.address()));
        // High s with the original parity recovers someone else.
        bytes[64] = signature.to_bytes()[64];
        assert_ne!(recover_address(b"hello", &EthSignature::from_bytes(bytes)), Ok(key.address()));
    }

    #[test]
    fn refuses_invalid_private_keys_and_redacts_debug() {
        assert_eq!(WalletKey::from_bytes(&[0; 32]).err(), Some(EthError::InvalidPrivateKey));
        assert_eq!(WalletKey::from_bytes(&[0xff; 32]).err(), Some(EthError::InvalidPrivateKey));
        assert!(WalletKey::from_hex("abc").is_err());
        let key = WalletKey::from_bytes(&[0x11; 32]).unwrap();
        let shown = std::format!("{key:?}");
        assert!(!shown.contains("1111") && shown.contains("0x"), "{shown}");
    }
}

//! EIP-191 `personal_sign` hashing, 65-byte wallet signatures and signer recovery.

use core::fmt;

use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};

use crate::eth::address::Address;
use crate::eth::error::EthError;
use crate::eth::keccak::keccak256;
use crate::text::{DECIMAL_LEN, format_u64};

/// Length of a wallet signature: `r || s || v`.
pub const ETH_SIGNATURE_LEN: usize = 65;

/// Length of a wallet signature in text: `0x` and 130 hex digits.
pub const ETH_SIGNATURE_TEXT_LEN: usize = 2 + 2 * ETH_SIGNATURE_LEN;

/// The EIP-191 (version `0x45`) hash that `personal_sign` signs:
/// Keccak-256 of `"\x19Ethereum Signed Message:\n" || decimal byte length || message`.
///
/// The message is streamed through the hasher, so it may be any length without a buffer. For
/// text, pass its UTF-8 bytes: the length is a byte count, not a character count.
#[must_use]
pub fn eip191_hash(message: &[u8]) -> [u8; 32] {
    let mut digits = [0u8; DECIMAL_LEN];
    // A slice is never longer than isize::MAX, so the length fits in u64.
    let len = format_u64(message.len() as u64, &mut digits);
    keccak256(&[b"\x19Ethereum Signed Message:\n", len, message])
}

/// A wallet signature as Ethereum tools write it: 32 bytes `r`, 32 bytes `s`, one byte `v`.
///
/// Holds the bytes as received; [`recover_address`] decides what they mean.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EthSignature([u8; ETH_SIGNATURE_LEN]);

impl EthSignature {
    /// A signature from its 65 bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; ETH_SIGNATURE_LEN]) -> Self {
        EthSignature(bytes)
    }

    /// Parses `0x` and 130 hex digits (either case).
    ///
    /// # Errors
    /// [`EthError::InvalidSignatureEncoding`] for any other text.
    pub fn parse_hex(text: &[u8]) -> Result<Self, EthError> {
        let digits = text.strip_prefix(b"0x").ok_or(EthError::InvalidSignatureEncoding)?;
        let mut bytes = [0u8; ETH_SIGNATURE_LEN];
        hex::decode_to_slice(digits, &mut bytes).map_err(|_| EthError::InvalidSignatureEncoding)?;
        Ok(EthSignature(bytes))
    }

    /// The 65 bytes.
    #[must_use]
    pub const fn to_bytes(&self) -> [u8; ETH_SIGNATURE_LEN] {
        self.0
    }

    /// `0x` and 130 lower-case hex digits, as eth-account and web3 wallets write it.
    #[must_use]
    pub fn to_hex(&self) -> heapless::String<ETH_SIGNATURE_TEXT_LEN> {
        let mut digits = [0u8; 2 * ETH_SIGNATURE_LEN];
        crate::text::encode_lower(&self.0, &mut digits);
        let mut text = heapless::String::new();
        // Fits exactly; hex digits are ASCII.
        let _ = text.push_str("0x");
        let _ = text.push_str(core::str::from_utf8(&digits).unwrap_or_default());
        text
    }

    /// The same signer's signature in canonical form: low `s` (EIP-2) and `v` of 27 or 28, as
    /// eth-account writes it and `ecrecover`-based contracts such as OpenZeppelin's `ECDSA`
    /// take it. A high `s` becomes `n - s` with the parity flipped; `v` of 0/1 becomes 27/28.
    ///
    /// # Errors
    /// [`EthError::InvalidSignatureEncoding`] for a malformed signature.
    pub fn canonical(&self) -> Result<Self, EthError> {
        let (signature, recovery_id) = self.to_recoverable()?;
        let mut bytes = [0u8; ETH_SIGNATURE_LEN];
        let (rs, v) = bytes.split_at_mut(64);
        rs.copy_from_slice(&signature.to_bytes());
        if let Some(v) = v.first_mut() {
            *v = 27 + u8::from(recovery_id.is_y_odd());
        }
        Ok(EthSignature(bytes))
    }

    /// The signature in k256's terms, normalised the way `ecrecover` and eth-account accept:
    /// `v` of 27/28 or 0/1 gives the parity; a high `s` is replaced by `n - s` with the parity
    /// flipped (the same signer recovers); `r` and `s` must lie in `1..n`.
    fn to_recoverable(self) -> Result<(Signature, RecoveryId), EthError> {
        let bad = EthError::InvalidSignatureEncoding;
        let (rs, v) = self.0.split_at(64);
        let y_odd = match v {
            [0 | 27] => false,
            [1 | 28] => true,
            _ => return Err(bad),
        };
        // Refuses r or s of zero or not below the group order.
        let signature = Signature::from_slice(rs).map_err(|_| bad)?;
        // k256's recovery no longer checks `s`, so normalise here: (r, n - s) with the other
        // parity is the same signer's signature.
        let low = signature.normalize_s();
        let flipped = low != signature;
        Ok((low, RecoveryId::new(y_odd ^ flipped, false)))
    }
}

impl fmt::Display for EthSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for EthSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EthSignature({self})")
    }
}

/// The address that signed `message` with `personal_sign`.
///
/// # Errors
/// [`EthError::InvalidSignatureEncoding`] if the signature is malformed or no key recovers.
pub fn recover_address(message: &[u8], signature: &EthSignature) -> Result<Address, EthError> {
    recover_prehash(&eip191_hash(message), signature)
}

/// The address that signed a 32-byte digest (an EIP-191 hash, an EIP-712 digest).
///
/// # Errors
/// [`EthError::InvalidSignatureEncoding`] if the signature is malformed or no key recovers.
pub fn recover_prehash(digest: &[u8; 32], signature: &EthSignature) -> Result<Address, EthError> {
    let (signature, recovery_id) = signature.to_recoverable()?;
    let key = VerifyingKey::recover_from_prehash(digest, &signature, recovery_id)
        .map_err(|_| EthError::InvalidSignatureEncoding)?;
    Ok(Address::from_verifying_key(&key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_the_empty_message_like_eth_account() {
        // eth_account.messages.encode_defunct(text="") hashed with keccak.
        assert_eq!(
            hex::encode(eip191_hash(b"")),
            "5f35dce98ba4fba25530a026ed80b2cecdaa31091ba4958b99b52ea1d068adad"
        );
    }

    #[test]
    fn the_canonical_form_has_low_s_and_v_27_or_28_and_the_same_signer() {
        let key = crate::eth::WalletKey::from_bytes(&[0x42; 32]).unwrap();
        let signature = key.personal_sign(b"m");
        assert_eq!(signature.canonical(), Ok(signature), "eth-account's form is already canonical");
        // The malleable twin: n - s, the other parity, v written as 0/1.
        let bytes = signature.to_bytes();
        let low = Signature::from_slice(&bytes[..64]).unwrap();
        let (r, s) = low.split_scalars();
        let high = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
        let mut twin = [0u8; ETH_SIGNATURE_LEN];
        twin[..64].copy_from_slice(&high.to_bytes());
        twin[64] = 1 - (bytes[64] - 27);
        let twin = EthSignature(twin);
        assert_ne!(twin, signature);
        assert_eq!(recover_address(b"m", &twin), Ok(key.address()));
        assert_eq!(twin.canonical(), Ok(signature));
        assert!(EthSignature([0; ETH_SIGNATURE_LEN]).canonical().is_err());
    }

    #[test]
    fn refuses_bad_v_and_encodings() {
        let mut bytes = [1u8; ETH_SIGNATURE_LEN];
        for v in [2u8, 26, 29, 255] {
            bytes[64] = v;
            assert_eq!(recover_address(b"m", &EthSignature(bytes)), Err(EthError::InvalidSignatureEncoding));
        }
        assert!(EthSignature::parse_hex(b"0x00").is_err());
        assert!(EthSignature::parse_hex(&[b'0'; 132]).is_err());
    }
}

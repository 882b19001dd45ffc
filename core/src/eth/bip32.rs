//! BIP-32 private derivation on secp256k1, and the paths that name keys (`m/44'/60'/0'/0/i`,
//! MetaMask's and eth-account's Ethereum accounts).

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use k256::ecdsa::SigningKey;
use k256::elliptic_curve::ff::PrimeField;
use k256::elliptic_curve::group::GroupEncoding;
use k256::{CompressedPoint, FieldBytes, NonZeroScalar, ProjectivePoint, Scalar};
use sha2::Sha512;
use zeroize::{Zeroize, Zeroizing};

use crate::eth::hd_error::HdError;
use crate::eth::mnemonic::{Mnemonic, Passphrase, Seed};
use crate::eth::wallet::WalletKey;

/// Most levels in a path.
pub const MAX_PATH_DEPTH: usize = 10;

/// The bit that marks a hardened index (written `'`).
pub const HARDENED: u32 = 1 << 31;

/// Longest path text: `m` and ten levels of `/` and ten digits and `'`.
pub const MAX_PATH_LEN: usize = 1 + MAX_PATH_DEPTH * 12;

/// A BIP-32 path: up to ten indexes, each hardened or not.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DerivationPath {
    levels: [u32; MAX_PATH_DEPTH],
    depth: u8,
}

impl DerivationPath {
    /// `m/44'/60'/0'/0/index`: the Ethereum account MetaMask and eth-account derive.
    ///
    /// # Errors
    /// [`HdError::IndexOutOfRange`] for an index of 2^31 or more.
    pub const fn ethereum(index: u32) -> Result<Self, HdError> {
        if index >= HARDENED {
            return Err(HdError::IndexOutOfRange);
        }
        let mut levels = [0u32; MAX_PATH_DEPTH];
        levels[0] = 44 | HARDENED;
        levels[1] = 60 | HARDENED;
        levels[2] = HARDENED;
        levels[4] = index;
        Ok(DerivationPath { levels, depth: 5 })
    }

    /// Parses `m`, then `/index` levels: decimal (no sign, no leading zero but `0` itself),
    /// below 2^31, optionally followed by `'`.
    ///
    /// # Errors
    /// [`HdError::InvalidPath`] or [`HdError::PathTooDeep`].
    pub fn parse(text: &str) -> Result<Self, HdError> {
        let rest = text.strip_prefix('m').ok_or(HdError::InvalidPath)?;
        let mut path = DerivationPath { levels: [0; MAX_PATH_DEPTH], depth: 0 };
        if rest.is_empty() {
            return Ok(path);
        }
        let rest = rest.strip_prefix('/').ok_or(HdError::InvalidPath)?;
        for level in rest.split('/') {
            let (digits, hardened) = match level.strip_suffix('\'') {
                Some(digits) => (digits, true),
                None => (level, false),
            };
            let canonical = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'))
                && digits.len() <= 10;
            if !canonical {
                return Err(HdError::InvalidPath);
            }
            let index: u32 = digits.parse().map_err(|_| HdError::InvalidPath)?;
            if index >= HARDENED {
                return Err(HdError::InvalidPath);
            }
            let slot = path.levels.get_mut(usize::from(path.depth)).ok_or(HdError::PathTooDeep)?;
            *slot = if hardened { index | HARDENED } else { index };
            path.depth += 1;
        }
        Ok(path)
    }

    /// The indexes, hardened ones with [`HARDENED`] set.
    #[must_use]
    pub fn levels(&self) -> &[u32] {
        self.levels.get(..usize::from(self.depth)).unwrap_or_default()
    }
}

impl fmt::Display for DerivationPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("m")?;
        for &level in self.levels() {
            write!(f, "/{}", level & !HARDENED)?;
            if level & HARDENED != 0 {
                f.write_str("'")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for DerivationPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DerivationPath({self})")
    }
}

/// An extended private key: the secret scalar and its chain code, both wiped on drop.
///
/// A scalar, not a `SigningKey`: a signing key computes its public key (one secp256k1
/// multiplication, the costliest step here) on creation, and BIP-32 needs a parent's public
/// key only below a normal (non-hardened) level. At `m/44'/60'/0'/0/i` that is two levels,
/// plus the final key's own: three multiplications instead of six.
struct ExtendedKey {
    secret: NonZeroScalar,
    chain_code: Zeroizing<[u8; 32]>,
}

impl Drop for ExtendedKey {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// HMAC-SHA512 of `parts` under `key`, wiped on drop: the left half becomes a secret.
fn hmac_halves(key: &[u8], parts: &[&[u8]]) -> Zeroizing<[u8; 64]> {
    let mut out = Zeroizing::new([0u8; 64]);
    if let Ok(mut mac) = <Hmac<Sha512> as KeyInit>::new_from_slice(key) {
        for part in parts {
            mac.update(part);
        }
        out.copy_from_slice(&mac.finalize().into_bytes());
    }
    out
}

/// `I_L` as a scalar below the group order (BIP-32 rejects the rest) and `I_R`, the chain code.
fn split(i: &[u8; 64]) -> Result<(Scalar, Zeroizing<[u8; 32]>), HdError> {
    let (left, right) = i.split_first_chunk::<32>().ok_or(HdError::InvalidDerivedKey)?;
    let mut chain_code = Zeroizing::new([0u8; 32]);
    chain_code.copy_from_slice(right);
    let scalar = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::from(*left)))
        .ok_or(HdError::InvalidDerivedKey)?;
    Ok((scalar, chain_code))
}

/// A scalar that must not be zero (BIP-32 rejects a zero key), wiping `scalar` either way.
fn non_zero(mut scalar: Scalar) -> Result<NonZeroScalar, HdError> {
    let key = Option::<NonZeroScalar>::from(NonZeroScalar::new(scalar)).ok_or(HdError::InvalidDerivedKey);
    scalar.zeroize();
    key
}

impl ExtendedKey {
    fn master(seed: &Seed) -> Result<Self, HdError> {
        let i = hmac_halves(b"Bitcoin seed", &[seed.as_bytes()]);
        let (scalar, chain_code) = split(&i)?;
        Ok(ExtendedKey { secret: non_zero(scalar)?, chain_code })
    }

    /// The child at `index` (CKDpriv).
    fn child(&self, index: u32) -> Result<Self, HdError> {
        let ser_index = index.to_be_bytes();
        let i = if index & HARDENED != 0 {
            let secret = Zeroizing::new(self.secret.to_repr());
            hmac_halves(self.chain_code.as_ref(), &[&[0], secret.as_slice(), &ser_index])
        } else {
            let public = self.public_key();
            hmac_halves(self.chain_code.as_ref(), &[public.as_ref(), &ser_index])
        };
        let (mut tweak, chain_code) = split(&i)?;
        let child = non_zero(tweak + self.secret.as_ref());
        tweak.zeroize();
        Ok(ExtendedKey { secret: child?, chain_code })
    }

    /// The compressed SEC1 public key (`serP(point(k))`).
    /// Out of line: the multiplication's deep stack is not under the caller's HMAC state.
    #[inline(never)]
    fn public_key(&self) -> CompressedPoint {
        ProjectivePoint::mul_by_generator(self.secret.as_ref()).to_affine().to_bytes()
    }
}

impl WalletKey {
    /// The key at `path` below `seed` (BIP-32 private derivation on secp256k1).
    ///
    /// # Errors
    /// [`HdError::InvalidDerivedKey`] in the (about 2^-127) case a level yields no valid key.
    pub fn from_seed(seed: &Seed, path: &DerivationPath) -> Result<Self, HdError> {
        let mut key = ExtendedKey::master(seed)?;
        for &index in path.levels() {
            key = key.child(index)?;
        }
        Ok(WalletKey::from_signing_key(SigningKey::from(key.secret)))
    }

    /// The Ethereum account `index` of a mnemonic and passphrase: `m/44'/60'/0'/0/index`, the
    /// address MetaMask, eth-account and hardware wallets give for the same words.
    ///
    /// # Errors
    /// [`HdError::IndexOutOfRange`] for an index of 2^31 or more, or as [`WalletKey::from_seed`].
    pub fn from_mnemonic(
        mnemonic: &Mnemonic,
        passphrase: &Passphrase<'_>,
        index: u32,
    ) -> Result<Self, HdError> {
        let path = DerivationPath::ethereum(index)?;
        Self::from_seed(&mnemonic.to_seed(passphrase), &path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn paths_are_parsed_strictly() {
        let p = DerivationPath::parse("m/44'/60'/0'/0/7").unwrap();
        assert_eq!(p, DerivationPath::ethereum(7).unwrap());
        assert_eq!(p.to_string(), "m/44'/60'/0'/0/7");
        assert_eq!(DerivationPath::parse("m").unwrap().levels(), &[] as &[u32]);
        for bad in
            ["", "44'/60'", "m/", "m//0", "m/0x3c", "m/-1", "m/01", "m/2147483648", "m/1''", "m/ 1", "M/0"]
        {
            assert_eq!(DerivationPath::parse(bad), Err(HdError::InvalidPath), "{bad}");
        }
        assert_eq!(DerivationPath::parse("m/0/0/0/0/0/0/0/0/0/0/0"), Err(HdError::PathTooDeep));
        assert!(DerivationPath::parse("m/0/0/0/0/0/0/0/0/0/0").is_ok());
        assert_eq!(DerivationPath::ethereum(HARDENED), Err(HdError::IndexOutOfRange));
    }

    #[test]
    fn bip32_test_vector_1() {
        // BIP-32 test vector 1: seed 000102…0f (16 bytes, where BIP-39 seeds are 64), chain
        // m/0'/1/2'/2/1000000000.
        let seed16: std::vec::Vec<u8> = (0u8..16).collect();
        let i = hmac_halves(b"Bitcoin seed", &[&seed16]);
        let (scalar, chain_code) = split(&i).unwrap();
        let mut key = ExtendedKey { secret: non_zero(scalar).unwrap(), chain_code };
        assert_eq!(
            hex::encode(key.secret.to_repr()),
            "e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35"
        );
        for index in DerivationPath::parse("m/0'/1/2'/2/1000000000").unwrap().levels() {
            key = key.child(*index).unwrap();
        }
        assert_eq!(
            hex::encode(key.secret.to_repr()),
            "471b76e389e528d6de6d816857e012c5455051cad6660850e58372a6c3e6e7c8"
        );
    }
}

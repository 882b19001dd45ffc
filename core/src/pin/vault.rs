//! The device's keys under its PIN: a random data key (secrets in flash are sealed under it) and
//! an authentication key (for the device's public state), encrypted under a key stretched from
//! the PIN. Changing the PIN re-encrypts these two keys only; every sealed secret stays as it is.

use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit, Nonce, Tag};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::HmacKey;
use crate::pin::{Pin, PinError};

/// PBKDF2-HMAC-SHA256 iterations of a PIN check on the device (Trezor uses 20,000 on a 168 MHz
/// Cortex-M4). The count is stored with the sealed keys, so a board may choose its own.
pub const PIN_ITERATIONS: u32 = 20_000;
/// Iterations a stored record may name: at least 1,000, at most 10 million (beyond it a check
/// would take minutes on a device).
const ITERATIONS: core::ops::RangeInclusive<u32> = 1_000..=10_000_000;

const DATA_KEY_LEN: usize = 32;
const AUTH_KEY_LEN: usize = 16;
const SEALED_LEN: usize = DATA_KEY_LEN + AUTH_KEY_LEN;
/// Bytes of [`SealedKeys::to_bytes`].
pub const SEALED_KEYS_LEN: usize = 32 + 4 + SEALED_LEN + 16;
/// Bytes of [`EntryHeader::to_bytes`].
pub const ENTRY_HEADER_LEN: usize = 12 + 16;
/// Associated data of the sealed keys: binds them to this purpose and format.
const KEYS_AD: &[u8] = b"signet pin keys v1";

/// The device's keys, open: the data key and the authentication key. Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Keys {
    data: [u8; DATA_KEY_LEN],
    auth: [u8; AUTH_KEY_LEN],
}

/// The device's keys as stored in flash: a random salt, the iteration count, and the two keys
/// encrypted (ChaCha20-Poly1305) under the key stretched from the PIN. The tag is the PIN check.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedKeys {
    salt: [u8; 32],
    iterations: u32,
    sealed: [u8; SEALED_LEN],
    tag: [u8; 16],
}

/// What a sealed entry keeps beside its ciphertext: its random nonce and its tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryHeader {
    nonce: [u8; 12],
    tag: [u8; 16],
}

/// An optional wipe code: entered instead of the PIN, it wipes the device. Kept as a salted
/// HMAC, checked before the PIN (so it works without the keys); it must differ from the PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WipeCode {
    salt: [u8; 16],
    tag: [u8; 16],
}

/// The key a PIN opens: PBKDF2-HMAC-SHA256 over the PIN, salted with a hash of the device's
/// unique id and the stored random salt (so a flash image copied to another device, or a table
/// built for one salt, does not help).
fn stretch(pin: &Pin, device_id: &[u8], salt: &[u8; 32], iterations: u32) -> Zeroizing<[u8; 32]> {
    let salt: [u8; 32] = Sha256::new().chain_update(device_id).chain_update(salt).finalize().into();
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<Sha256>(pin.as_bytes(), &salt, iterations, key.as_mut());
    key
}

/// Each stretched key encrypts exactly once (a new random salt at every sealing), so a fixed
/// nonce never repeats under one key.
fn keys_nonce() -> Nonce {
    Nonce::default()
}

impl Keys {
    /// New random keys, at PIN setup.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut keys = Keys { data: [0; DATA_KEY_LEN], auth: [0; AUTH_KEY_LEN] };
        rng.fill_bytes(&mut keys.data);
        rng.fill_bytes(&mut keys.auth);
        keys
    }

    /// These keys encrypted under `pin` (a new random salt each time): at setup and at every PIN
    /// change.
    pub fn seal_under<R: CryptoRng + ?Sized>(
        &self,
        pin: &Pin,
        device_id: &[u8],
        iterations: u32,
        rng: &mut R,
    ) -> SealedKeys {
        let mut salt = [0u8; 32];
        rng.fill_bytes(&mut salt);
        let iterations = iterations.clamp(*ITERATIONS.start(), *ITERATIONS.end());
        let key = stretch(pin, device_id, &salt, iterations);
        let mut sealed = [0u8; SEALED_LEN];
        let (data, auth) = sealed.split_at_mut(DATA_KEY_LEN);
        data.copy_from_slice(&self.data);
        auth.copy_from_slice(&self.auth);
        let cipher = ChaCha20Poly1305::new(&(*key).into());
        // 48 bytes: far below the cipher's length limit, so this cannot fail.
        let tag = cipher.encrypt_inout_detached(&keys_nonce(), KEYS_AD, sealed.as_mut_slice().into());
        SealedKeys { salt, iterations, sealed, tag: tag.map(Into::into).unwrap_or_default() }
    }

    /// Seals `secret` in place under the data key, bound to `name` (a secret moved to another
    /// name does not open).
    ///
    /// # Errors
    /// [`PinError::TooLong`] beyond the cipher's limit (256 GiB; never on a device).
    pub fn seal_entry<R: CryptoRng + ?Sized>(
        &self,
        name: &[u8],
        secret: &mut [u8],
        rng: &mut R,
    ) -> Result<EntryHeader, PinError> {
        let mut nonce = [0u8; 12];
        rng.fill_bytes(&mut nonce);
        let cipher = ChaCha20Poly1305::new(&self.data.into());
        let tag = cipher
            .encrypt_inout_detached(&Nonce::from(nonce), name, secret.into())
            .map_err(|_| PinError::TooLong)?;
        Ok(EntryHeader { nonce, tag: tag.into() })
    }

    /// Opens in place what [`Keys::seal_entry`] sealed under `name`; on failure `sealed` is
    /// left as it was.
    ///
    /// # Errors
    /// [`PinError::Entry`] when it does not open (altered, another name, other keys).
    pub fn open_entry(&self, name: &[u8], header: &EntryHeader, sealed: &mut [u8]) -> Result<(), PinError> {
        let cipher = ChaCha20Poly1305::new(&self.data.into());
        cipher
            .decrypt_inout_detached(&Nonce::from(header.nonce), name, sealed.into(), &Tag::from(header.tag))
            .map_err(|_| PinError::Entry)
    }

    /// HMAC-SHA256 of `parts` under the authentication key: for the device's state that is not
    /// secret but must not be swapped (its wallet address, its settings).
    #[must_use]
    pub fn authenticate(&self, parts: &[&[u8]]) -> [u8; 32] {
        HmacKey::new(&self.auth).tag(parts)
    }
}

impl Keys {
    /// Bytes of [`Keys::to_bytes`].
    pub const LEN: usize = SEALED_LEN;

    /// The keys as bytes, for a device without a PIN, which keeps them in the clear (its
    /// secrets stay sealed the same way, so setting a PIN later re-seals only these).
    #[must_use]
    pub fn to_bytes(&self) -> Zeroizing<[u8; SEALED_LEN]> {
        let mut out = Zeroizing::new([0u8; SEALED_LEN]);
        let (data, auth) = out.split_at_mut(DATA_KEY_LEN);
        data.copy_from_slice(&self.data);
        auth.copy_from_slice(&self.auth);
        out
    }

    /// Keys from [`Keys::to_bytes`].
    #[must_use]
    pub fn from_bytes(bytes: &[u8; SEALED_LEN]) -> Self {
        let mut keys = Keys { data: [0; DATA_KEY_LEN], auth: [0; AUTH_KEY_LEN] };
        let (data, auth) = bytes.split_at(DATA_KEY_LEN);
        keys.data.copy_from_slice(data);
        keys.auth.copy_from_slice(auth);
        keys
    }
}

impl core::fmt::Debug for Keys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Keys(<redacted>)")
    }
}

impl SealedKeys {
    /// Opens the keys with `pin`: one PBKDF2 stretch (about a second on the device, by design)
    /// and one decryption.
    ///
    /// # Errors
    /// [`PinError::WrongPin`] when the PIN (or the device id) is not the one they were sealed
    /// under.
    pub fn unlock(&self, pin: &Pin, device_id: &[u8]) -> Result<Keys, PinError> {
        let key = stretch(pin, device_id, &self.salt, self.iterations);
        let cipher = ChaCha20Poly1305::new(&(*key).into());
        let mut open = Zeroizing::new(self.sealed);
        cipher
            .decrypt_inout_detached(&keys_nonce(), KEYS_AD, open.as_mut_slice().into(), &Tag::from(self.tag))
            .map_err(|_| PinError::WrongPin)?;
        let mut keys = Keys { data: [0; DATA_KEY_LEN], auth: [0; AUTH_KEY_LEN] };
        let (data, auth) = open.split_at(DATA_KEY_LEN);
        keys.data.copy_from_slice(data);
        keys.auth.copy_from_slice(auth);
        Ok(keys)
    }

    /// The iteration count these keys were sealed with.
    #[must_use]
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The stored form: salt, iterations (little-endian), the encrypted keys, the tag.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; SEALED_KEYS_LEN] {
        let mut out = [0u8; SEALED_KEYS_LEN];
        let (salt, rest) = out.split_at_mut(32);
        let (iterations, rest) = rest.split_at_mut(4);
        let (sealed, tag) = rest.split_at_mut(SEALED_LEN);
        salt.copy_from_slice(&self.salt);
        iterations.copy_from_slice(&self.iterations.to_le_bytes());
        sealed.copy_from_slice(&self.sealed);
        tag.copy_from_slice(&self.tag);
        out
    }

    /// Reads the stored form.
    ///
    /// # Errors
    /// [`PinError::Malformed`] for an iteration count out of range (1,000 to 10 million).
    pub fn from_bytes(bytes: &[u8; SEALED_KEYS_LEN]) -> Result<Self, PinError> {
        let (salt, rest) = bytes.split_at(32);
        let (iterations, rest) = rest.split_at(4);
        let (sealed, tag) = rest.split_at(SEALED_LEN);
        let iterations = u32::from_le_bytes(iterations.try_into().map_err(|_| PinError::Malformed)?);
        if !ITERATIONS.contains(&iterations) {
            return Err(PinError::Malformed);
        }
        Ok(SealedKeys {
            salt: salt.try_into().map_err(|_| PinError::Malformed)?,
            iterations,
            sealed: sealed.try_into().map_err(|_| PinError::Malformed)?,
            tag: tag.try_into().map_err(|_| PinError::Malformed)?,
        })
    }
}

impl core::fmt::Debug for SealedKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SealedKeys").field("iterations", &self.iterations).finish_non_exhaustive()
    }
}

impl EntryHeader {
    /// The stored form: nonce, then tag.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; ENTRY_HEADER_LEN] {
        let mut out = [0u8; ENTRY_HEADER_LEN];
        let (nonce, tag) = out.split_at_mut(12);
        nonce.copy_from_slice(&self.nonce);
        tag.copy_from_slice(&self.tag);
        out
    }

    /// Reads the stored form (any bytes: a wrong header only fails to open).
    #[must_use]
    pub fn from_bytes(bytes: &[u8; ENTRY_HEADER_LEN]) -> Self {
        let (nonce, tag) = bytes.split_at(12);
        EntryHeader { nonce: nonce.try_into().unwrap_or_default(), tag: tag.try_into().unwrap_or_default() }
    }
}

impl WipeCode {
    /// A wipe code to store.
    ///
    /// # Errors
    /// [`PinError::WrongPin`] when `code` equals `pin`: a wipe code must differ from the PIN.
    pub fn new<R: CryptoRng + ?Sized>(
        code: &Pin,
        pin: &Pin,
        device_id: &[u8],
        rng: &mut R,
    ) -> Result<Self, PinError> {
        if code == pin {
            return Err(PinError::WrongPin);
        }
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        Ok(WipeCode { salt, tag: Self::tag_of(code, device_id, &salt) })
    }

    fn tag_of(code: &Pin, device_id: &[u8], salt: &[u8; 16]) -> [u8; 16] {
        let tag = HmacKey::new(salt).tag(&[b"signet wipe code", device_id, code.as_bytes()]);
        let mut out = [0u8; 16];
        out.copy_from_slice(tag.get(..16).unwrap_or_default());
        out
    }

    /// Whether `entered` is the wipe code (constant time).
    #[must_use]
    pub fn matches(&self, entered: &Pin, device_id: &[u8]) -> bool {
        bool::from(Self::tag_of(entered, device_id, &self.salt).ct_eq(&self.tag))
    }

    /// The stored form: salt, then tag.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        let (salt, tag) = out.split_at_mut(16);
        salt.copy_from_slice(&self.salt);
        tag.copy_from_slice(&self.tag);
        out
    }

    /// Reads the stored form.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        let (salt, tag) = bytes.split_at(16);
        WipeCode { salt: salt.try_into().unwrap_or_default(), tag: tag.try_into().unwrap_or_default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::pin::test_rng::Lcg;

    const ID: &[u8] = b"device-0001";

    #[test]
    fn the_pin_opens_the_keys_and_nothing_else_does() {
        let mut rng = Lcg(3);
        let keys = Keys::generate(&mut rng);
        let pin = Pin::new(b"4862").unwrap();
        let sealed = SealedKeys::from_bytes(&keys.seal_under(&pin, ID, 1_000, &mut rng).to_bytes()).unwrap();
        let opened = sealed.unlock(&pin, ID).unwrap();
        assert_eq!((opened.data, opened.auth), (keys.data, keys.auth));
        assert_eq!(sealed.unlock(&Pin::new(b"4863").unwrap(), ID).unwrap_err(), PinError::WrongPin);
        assert_eq!(sealed.unlock(&pin, b"device-0002").unwrap_err(), PinError::WrongPin);
        let mut altered = sealed.to_bytes();
        altered[40] ^= 1;
        let altered = SealedKeys::from_bytes(&altered).unwrap();
        assert_eq!(altered.unlock(&pin, ID).unwrap_err(), PinError::WrongPin);
        assert_eq!(std::format!("{keys:?}"), "Keys(<redacted>)");
        assert!(!std::format!("{sealed:?}").contains(&std::format!("{:?}", sealed.salt)));
    }

    #[test]
    fn a_pin_change_keeps_every_sealed_secret_and_the_old_pin_stops_working() {
        let mut rng = Lcg(5);
        let keys = Keys::generate(&mut rng);
        let mut secret = *b"api key seed: 32 secret bytes!!!";
        let header = keys.seal_entry(b"api-seed", &mut secret, &mut rng).unwrap();
        assert_ne!(&secret, b"api key seed: 32 secret bytes!!!");
        let (old, new) = (Pin::new(b"1111").unwrap(), Pin::new(b"975312").unwrap());
        let first = keys.seal_under(&old, ID, 1_000, &mut rng);
        let second = first.unlock(&old, ID).unwrap().seal_under(&new, ID, 1_000, &mut rng);
        assert_eq!(second.unlock(&old, ID).unwrap_err(), PinError::WrongPin);
        let reopened = second.unlock(&new, ID).unwrap();
        let header = EntryHeader::from_bytes(&header.to_bytes());
        let mut moved = secret;
        assert_eq!(reopened.open_entry(b"account", &header, &mut moved), Err(PinError::Entry));
        assert_eq!(moved, secret, "a failed open leaves the bytes as they were");
        reopened.open_entry(b"api-seed", &header, &mut secret).unwrap();
        assert_eq!(&secret, b"api key seed: 32 secret bytes!!!");
        assert_eq!(reopened.authenticate(&[b"state"]), keys.authenticate(&[b"state"]));
    }

    #[test]
    fn stored_forms_reject_absurd_iteration_counts_and_pbkdf2_matches_its_definition() {
        let mut rng = Lcg(7);
        let keys = Keys::generate(&mut rng);
        let mut bytes = keys.seal_under(&Pin::new(b"1234").unwrap(), ID, 1, &mut rng).to_bytes();
        assert_eq!(u32::from_le_bytes(bytes[32..36].try_into().unwrap()), 1_000, "clamped at sealing");
        bytes[32..36].copy_from_slice(&999u32.to_le_bytes());
        assert_eq!(SealedKeys::from_bytes(&bytes), Err(PinError::Malformed));
        bytes[32..36].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(SealedKeys::from_bytes(&bytes), Err(PinError::Malformed));
        // RFC 7914 §11's PBKDF2-HMAC-SHA256 vector (1 iteration): the primitive under the stretch.
        let mut out = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(b"passwd", b"salt", 1, &mut out);
        assert_eq!(hex::encode(out), "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
    }

    #[test]
    fn a_wipe_code_matches_itself_only_and_must_differ_from_the_pin() {
        let mut rng = Lcg(11);
        let (pin, code) = (Pin::new(b"2468").unwrap(), Pin::new(b"1357").unwrap());
        assert_eq!(WipeCode::new(&pin, &pin, ID, &mut rng), Err(PinError::WrongPin));
        let wipe = WipeCode::from_bytes(&WipeCode::new(&code, &pin, ID, &mut rng).unwrap().to_bytes());
        assert!(wipe.matches(&code, ID));
        assert!(!wipe.matches(&pin, ID));
        assert!(!wipe.matches(&code, b"other device"));
    }
}

//! The stored form of the device's state: one fixed-size record with a checksum, so a record
//! that was not written whole is never read as state.
//!
//! Secrets (the wallet key, the words' entropy until the backup is confirmed, the API key's
//! seed) are one entry sealed (ChaCha20-Poly1305, a fresh random nonce at every commit) under
//! the device's data key, named as associated data. With a PIN, the data key is itself sealed
//! under a key stretched from the PIN ([`SealedKeys`]); without one it is stored in the clear.
//! What a locked device may tell (its address, its path, the API key's id and public key) is
//! stored in the clear beside them, so it can answer without its secrets.

pub(crate) mod legacy;
mod public;

pub(crate) use public::{Public, PublicWallet};

use signet_core::eth::{Address, Mnemonic, WalletKey};
use signet_core::pin::{ENTRY_HEADER_LEN, EntryHeader, Keys, SEALED_KEYS_LEN, SealedKeys, WipeCode};
use signet_core::turbine::KeyId;
use zeroize::Zeroizing;

use crate::state::{ApiKey, PinConfig, State, Wallet};

/// Bytes of a stored record (two flash pages of 256 bytes).
pub const RECORD_LEN: usize = 512;

const MAGIC: &[u8; 4] = b"SGNT";
const VERSION: u8 = 2;
const CRC: crc::Crc<u32, crc::NoTable> = crc::Crc::<u32, crc::NoTable>::new(&crc::CRC_32_ISO_HDLC);
/// The sealed entry's name (its associated data).
const SECRETS_NAME: &[u8] = b"signet device secrets v2";
/// Wallet key, entropy (up to 32 bytes), API seed.
const SECRETS_LEN: usize = 96;

// Field offsets of a record.
const COUNTER: usize = 5;
const FLAGS: usize = 9;
const ORIGIN: usize = 10;
const ENTROPY_LEN: usize = 11;
const KID_LEN: usize = 12;
const INDEX: usize = 14;
const ADDRESS: usize = 18;
const API_PUBLIC: usize = 38;
const KID: usize = 70;
const SHIFT: usize = 134;
const AUTO_LOCK: usize = 142;
const KEYS: usize = 146;
const WIPE: usize = KEYS + SEALED_KEYS_LEN;
const HEADER: usize = WIPE + 32;
const SECRETS: usize = HEADER + ENTRY_HEADER_LEN;
const CHECKSUM: usize = RECORD_LEN - 4;
const _: () = assert!(SECRETS + SECRETS_LEN <= CHECKSUM);

const HAS_WALLET: u8 = 1;
const BACKUP_CONFIRMED: u8 = 2;
const HAS_MNEMONIC: u8 = 4;
const HAS_API_KEY: u8 = 8;
const HAS_INDEX: u8 = 16;
const HAS_PIN: u8 = 32;
const HAS_WIPE_CODE: u8 = 64;
const NO_PIN_CHOSEN: u8 = 128;

/// A stored record: wiped on drop.
pub(crate) struct Record(pub(crate) Zeroizing<[u8; RECORD_LEN]>);

/// A state as stored: its public part, its PIN settings and its secrets sealed.
#[derive(Clone)]
pub(crate) struct Stored {
    pub(crate) public: Public,
    pub(crate) pin: PinConfig,
    /// The device's keys, in the clear, when there is no PIN.
    pub(crate) clear_keys: Option<Keys>,
    pub(crate) header: EntryHeader,
    pub(crate) secrets: Zeroizing<[u8; SECRETS_LEN]>,
    pub(crate) unconfirmed_shift_secs: u64,
    pub(crate) counter: u32,
}

impl core::fmt::Debug for Stored {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Stored").field("public", &self.public).finish_non_exhaustive()
    }
}

fn put(out: &mut [u8; RECORD_LEN], at: usize, bytes: &[u8]) {
    if let Some(dst) = out.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at + N)?.try_into().ok()
}

impl Stored {
    /// `state` sealed under `keys` (a fresh nonce from `rng`).
    pub(crate) fn seal<R: rand_core::CryptoRng>(state: &State, keys: &Keys, rng: &mut R) -> Stored {
        let mut secrets = Zeroizing::new([0u8; SECRETS_LEN]);
        if let Some(wallet) = &state.wallet {
            put_at(&mut secrets, 0, wallet.key.to_bytes().as_ref());
            if let Some(mnemonic) = &wallet.mnemonic {
                put_at(&mut secrets, 32, mnemonic.entropy());
            }
        }
        if let Some(api) = &state.api_key {
            put_at(&mut secrets, 64, api.seed.as_ref());
        }
        // 96 bytes: far below the cipher's limit, so sealing cannot fail.
        let header = keys
            .seal_entry(SECRETS_NAME, secrets.as_mut(), rng)
            .unwrap_or_else(|_| EntryHeader::from_bytes(&[0; ENTRY_HEADER_LEN]));
        Stored {
            public: Public::of(state),
            pin: state.pin.clone(),
            clear_keys: state.pin.sealed.is_none().then(|| keys.clone()),
            header,
            secrets,
            unconfirmed_shift_secs: state.unconfirmed_shift_secs,
            counter: state.counter,
        }
    }

    /// The open state, or `None` when `keys` do not open the secrets or they do not match the
    /// public part (a record written under other keys).
    pub(crate) fn open(&self, keys: &Keys) -> Option<State> {
        let mut secrets = self.secrets.clone();
        keys.open_entry(SECRETS_NAME, &self.header, secrets.as_mut()).ok()?;
        let wallet = match &self.public.wallet {
            Some(public) => {
                let key = WalletKey::from_bytes(&array::<32>(secrets.as_ref(), 0)?).ok()?;
                if key.address() != public.address {
                    return None;
                }
                let mnemonic = match public.entropy_len {
                    Some(len) => Some(Mnemonic::from_entropy(secrets.get(32..32 + usize::from(len))?).ok()?),
                    None => None,
                };
                Some(Wallet {
                    key,
                    index: public.index,
                    origin: public.origin,
                    backup_confirmed: public.backup_confirmed,
                    mnemonic,
                })
            }
            None => None,
        };
        let api_key = match &self.public.api_key {
            Some((kid, public_key)) => {
                let api = ApiKey::new(kid.clone(), array(secrets.as_ref(), 64)?);
                if api.key.verifying_key().to_bytes() != *public_key {
                    return None;
                }
                Some(api)
            }
            None => None,
        };
        Some(State {
            wallet,
            api_key,
            unconfirmed_shift_secs: self.unconfirmed_shift_secs,
            counter: self.counter,
            pin: self.pin.clone(),
        })
    }

    /// The record of this state with counter `counter`.
    pub(crate) fn encode(&self, counter: u32) -> Record {
        let mut out = Zeroizing::new([0u8; RECORD_LEN]);
        put(&mut out, 0, MAGIC);
        put(&mut out, 4, &[VERSION]);
        put(&mut out, COUNTER, &counter.to_le_bytes());
        let mut flags = 0u8;
        if let Some(wallet) = &self.public.wallet {
            flags |= HAS_WALLET;
            if wallet.backup_confirmed {
                flags |= BACKUP_CONFIRMED;
            }
            put(&mut out, ORIGIN, &[legacy::origin_byte(wallet.origin)]);
            if let Some(len) = wallet.entropy_len {
                flags |= HAS_MNEMONIC;
                put(&mut out, ENTROPY_LEN, &[len]);
            }
            if let Some(index) = wallet.index {
                flags |= HAS_INDEX;
                put(&mut out, INDEX, &index.to_le_bytes());
            }
            put(&mut out, ADDRESS, wallet.address.as_bytes());
        }
        if let Some((kid, public_key)) = &self.public.api_key {
            flags |= HAS_API_KEY;
            let kid = kid.as_str().as_bytes();
            put(&mut out, KID_LEN, &[kid.len() as u8]);
            put(&mut out, KID, kid);
            put(&mut out, API_PUBLIC, public_key);
        }
        match (&self.pin.sealed, &self.clear_keys) {
            (Some(sealed), _) => {
                flags |= HAS_PIN;
                put(&mut out, KEYS, &sealed.to_bytes());
            }
            (None, Some(keys)) => put(&mut out, KEYS, keys.to_bytes().as_ref()),
            (None, None) => {}
        }
        if let Some(wipe) = &self.pin.wipe {
            flags |= HAS_WIPE_CODE;
            put(&mut out, WIPE, &wipe.to_bytes());
        }
        if self.pin.no_pin_chosen {
            flags |= NO_PIN_CHOSEN;
        }
        put(&mut out, FLAGS, &[flags]);
        put(&mut out, SHIFT, &self.unconfirmed_shift_secs.to_le_bytes());
        put(&mut out, AUTO_LOCK, &self.pin.auto_lock_secs.to_le_bytes());
        put(&mut out, HEADER, &self.header.to_bytes());
        put(&mut out, SECRETS, self.secrets.as_ref());
        let checksum = CRC.checksum(out.get(..CHECKSUM).unwrap_or_default());
        put(&mut out, CHECKSUM, &checksum.to_le_bytes());
        Record(out)
    }

    /// The stored state in `bytes`, or `None` for anything but a whole record written by
    /// [`Stored::encode`] (erased flash, a torn write, another format). Derives no key.
    pub(crate) fn decode(bytes: &[u8; RECORD_LEN]) -> Option<Stored> {
        if !is_whole(bytes) {
            return None;
        }
        let flags = *bytes.get(FLAGS)?;
        let wallet = if flags & HAS_WALLET != 0 {
            Some(PublicWallet {
                address: Address::from_bytes(array(bytes, ADDRESS)?),
                index: if flags & HAS_INDEX != 0 {
                    Some(u32::from_le_bytes(array(bytes, INDEX)?))
                } else {
                    None
                },
                origin: legacy::origin_of(*bytes.get(ORIGIN)?)?,
                backup_confirmed: flags & BACKUP_CONFIRMED != 0,
                entropy_len: if flags & HAS_MNEMONIC != 0 { Some(*bytes.get(ENTROPY_LEN)?) } else { None },
            })
        } else {
            None
        };
        let api_key = if flags & HAS_API_KEY != 0 {
            let len = usize::from(*bytes.get(KID_LEN)?);
            let kid = KeyId::new(core::str::from_utf8(bytes.get(KID..KID + len)?).ok()?).ok()?;
            Some((kid, array(bytes, API_PUBLIC)?))
        } else {
            None
        };
        let (sealed, clear_keys) = if flags & HAS_PIN != 0 {
            (Some(SealedKeys::from_bytes(&array(bytes, KEYS)?).ok()?), None)
        } else {
            (None, Some(Keys::from_bytes(&array(bytes, KEYS)?)))
        };
        let wipe =
            if flags & HAS_WIPE_CODE != 0 { Some(WipeCode::from_bytes(&array(bytes, WIPE)?)) } else { None };
        Some(Stored {
            public: Public { wallet, api_key },
            pin: PinConfig {
                sealed,
                wipe,
                no_pin_chosen: flags & NO_PIN_CHOSEN != 0,
                auto_lock_secs: u32::from_le_bytes(array(bytes, AUTO_LOCK)?),
            },
            clear_keys,
            header: EntryHeader::from_bytes(&array(bytes, HEADER)?),
            secrets: Zeroizing::new(array(bytes, SECRETS)?),
            unconfirmed_shift_secs: u64::from_le_bytes(array(bytes, SHIFT)?),
            counter: u32::from_le_bytes(array(bytes, COUNTER)?),
        })
    }
}

fn put_at(out: &mut [u8; SECRETS_LEN], at: usize, bytes: &[u8]) {
    if let Some(dst) = out.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

/// Whether `bytes` hold a whole record of format `version` (magic, version, and the CRC-32 in
/// its last four bytes).
pub(crate) fn is_whole_record(bytes: &[u8], version: u8) -> bool {
    let Some(end) = bytes.len().checked_sub(4) else { return false };
    let checksum = array(bytes, end).map(u32::from_le_bytes);
    bytes.get(..4) == Some(MAGIC.as_slice())
        && bytes.get(4) == Some(&version)
        && bytes.get(..end).map(|b| CRC.checksum(b)) == checksum
}

fn is_whole(bytes: &[u8; RECORD_LEN]) -> bool {
    is_whole_record(bytes, VERSION)
}

/// A whole record's counter (of either format), without decoding its keys (for choosing
/// between slots).
pub(crate) fn counter_of(bytes: &[u8; RECORD_LEN]) -> Option<u32> {
    if is_whole(bytes) {
        return array(bytes, COUNTER).map(u32::from_le_bytes);
    }
    legacy::counter_of(bytes.first_chunk()?)
}

/// What a slot holds. Read once at start, so the variants' sizes matter little (and there is no
/// allocator to box one).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum Loaded {
    /// A current record.
    Current(Stored),
    /// A version-1 record (secrets in the clear), to be rewritten at the next commit.
    Legacy(State),
}

/// The slot's record, of either format.
pub(crate) fn decode_any(bytes: &[u8; RECORD_LEN]) -> Option<Loaded> {
    if let Some(stored) = Stored::decode(bytes) {
        return Some(Loaded::Current(stored));
    }
    State::decode_v1(bytes.first_chunk()?).map(Loaded::Legacy)
}

#[cfg(test)]
mod tests {
    use signet_core::link::WalletOrigin;

    use super::*;

    fn state() -> State {
        State {
            wallet: Some(Wallet {
                key: WalletKey::from_bytes(&[5; 32]).unwrap(),
                index: Some(0),
                origin: WalletOrigin::Created,
                backup_confirmed: false,
                mnemonic: Some(Mnemonic::from_entropy(&[9; 16]).unwrap()),
            }),
            api_key: Some(ApiKey::new(KeyId::new("kid-1").unwrap(), [7; 32])),
            unconfirmed_shift_secs: 120,
            counter: 0,
            pin: PinConfig { auto_lock_secs: 60, ..PinConfig::default() },
        }
    }

    #[test]
    fn records_round_trip_sealed_and_refuse_any_damage_or_other_keys() {
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        let keys = Keys::generate(&mut rng);
        let record = Stored::seal(&state(), &keys, &mut rng).encode(41);
        for secret in [[5u8; 32], [7; 32]] {
            assert!(!record.0.windows(32).any(|w| w == secret), "a secret in the clear");
        }
        let stored = Stored::decode(&record.0).unwrap();
        assert_eq!(counter_of(&record.0), Some(41));
        let back = stored.open(stored.clear_keys.as_ref().unwrap()).unwrap();
        let wallet = back.wallet.unwrap();
        assert_eq!(wallet.key.address(), WalletKey::from_bytes(&[5; 32]).unwrap().address());
        assert_eq!(wallet.mnemonic.unwrap().entropy(), &[9; 16]);
        assert_eq!(back.api_key.unwrap().kid.as_str(), "kid-1");
        assert_eq!((back.unconfirmed_shift_secs, back.pin.auto_lock_secs), (120, 60));
        assert!(stored.open(&Keys::generate(&mut rng)).is_none(), "other keys open nothing");
        for at in 0..RECORD_LEN {
            let mut bytes = *record.0;
            bytes[at] ^= 0x40;
            assert!(Stored::decode(&bytes).is_none(), "byte {at}");
        }
        assert!(decode_any(&[0xff; RECORD_LEN]).is_none());
    }

    #[test]
    fn a_version_1_record_is_read_with_its_secrets() {
        let mut slot = [0xffu8; RECORD_LEN];
        slot[..legacy::RECORD_LEN].copy_from_slice(legacy::encode_for_test(&state(), 7).as_ref());
        assert_eq!(counter_of(&slot), Some(7));
        let Some(Loaded::Legacy(old)) = decode_any(&slot) else { panic!() };
        assert_eq!(old.api_key.unwrap().kid.as_str(), "kid-1");
    }
}

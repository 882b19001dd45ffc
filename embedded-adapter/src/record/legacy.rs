//! The first record format (version 1, 256 bytes, every secret in the clear), read so a device
//! written by older firmware keeps its wallet: its next commit writes the current format.

use signet_core::eth::{Mnemonic, WalletKey};
use signet_core::link::WalletOrigin;
use signet_core::turbine::KeyId;
use zeroize::{Zeroize, Zeroizing};

use crate::state::{ApiKey, State, Wallet};

/// Bytes of a version-1 record.
pub(crate) const RECORD_LEN: usize = 256;

#[cfg(test)]
const MAGIC: &[u8; 4] = b"SGNT";
const VERSION: u8 = 1;
#[cfg(test)]
const CRC: crc::Crc<u32, crc::NoTable> = crc::Crc::<u32, crc::NoTable>::new(&crc::CRC_32_ISO_HDLC);

// Field offsets of a record.
const COUNTER: usize = 5;
const FLAGS: usize = 9;
const ORIGIN: usize = 10;
const ENTROPY_LEN: usize = 11;
const ENTROPY: usize = 12;
const WALLET_KEY: usize = 44;
const INDEX: usize = 76;
const KID_LEN: usize = 80;
const KID: usize = 81;
const API_SEED: usize = 145;
const SHIFT: usize = 177;
#[cfg(test)]
const CHECKSUM: usize = RECORD_LEN - 4;

const HAS_WALLET: u8 = 1;
const BACKUP_CONFIRMED: u8 = 2;
const HAS_MNEMONIC: u8 = 4;
const HAS_API_KEY: u8 = 8;
const HAS_INDEX: u8 = 16;

#[cfg(test)]
fn put(out: &mut [u8; RECORD_LEN], at: usize, bytes: &[u8]) {
    if let Some(dst) = out.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

fn array<const N: usize>(bytes: &[u8; RECORD_LEN], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at + N)?.try_into().ok()
}

#[cfg(test)]
pub(crate) fn encode_for_test(state: &State, counter: u32) -> Zeroizing<[u8; RECORD_LEN]> {
    state.encode_v1(counter)
}

impl State {
    /// The version-1 record of this state with counter `counter` (tests: firmware no longer writes it).
    #[cfg(test)]
    fn encode_v1(&self, counter: u32) -> Zeroizing<[u8; RECORD_LEN]> {
        let mut out = Zeroizing::new([0u8; RECORD_LEN]);
        put(&mut out, 0, MAGIC);
        put(&mut out, 4, &[VERSION]);
        put(&mut out, COUNTER, &counter.to_le_bytes());
        let mut flags = 0u8;
        if let Some(wallet) = &self.wallet {
            flags |= HAS_WALLET;
            if wallet.backup_confirmed {
                flags |= BACKUP_CONFIRMED;
            }
            put(&mut out, ORIGIN, &[origin_byte(wallet.origin)]);
            if let Some(mnemonic) = &wallet.mnemonic {
                flags |= HAS_MNEMONIC;
                put(&mut out, ENTROPY_LEN, &[mnemonic.entropy().len() as u8]);
                put(&mut out, ENTROPY, mnemonic.entropy());
            }
            put(&mut out, WALLET_KEY, wallet.key.to_bytes().as_ref());
            if let Some(index) = wallet.index {
                flags |= HAS_INDEX;
                put(&mut out, INDEX, &index.to_le_bytes());
            }
        }
        if let Some(api) = &self.api_key {
            flags |= HAS_API_KEY;
            let kid = api.kid.as_str().as_bytes();
            put(&mut out, KID_LEN, &[kid.len() as u8]);
            put(&mut out, KID, kid);
            put(&mut out, API_SEED, api.seed.as_ref());
        }
        put(&mut out, FLAGS, &[flags]);
        put(&mut out, SHIFT, &self.unconfirmed_shift_secs.to_le_bytes());
        let checksum = CRC.checksum(out.get(..CHECKSUM).unwrap_or_default());
        put(&mut out, CHECKSUM, &checksum.to_le_bytes());
        out
    }

    /// The state in `bytes`, or `None` for anything but a whole version-1 record (erased
    /// flash, a torn write, another format).
    pub(crate) fn decode_v1(bytes: &[u8; RECORD_LEN]) -> Option<State> {
        if !is_whole(bytes) {
            return None;
        }
        let flags = *bytes.get(FLAGS)?;
        let wallet = if flags & HAS_WALLET != 0 {
            let mut key = Zeroizing::new(array::<32>(bytes, WALLET_KEY)?);
            let wallet_key = WalletKey::from_bytes(&key).ok();
            key.zeroize();
            let mnemonic = if flags & HAS_MNEMONIC != 0 {
                let len = usize::from(*bytes.get(ENTROPY_LEN)?);
                Some(Mnemonic::from_entropy(bytes.get(ENTROPY..ENTROPY + len)?).ok()?)
            } else {
                None
            };
            let index = (flags & HAS_INDEX != 0).then(|| array(bytes, INDEX).map(u32::from_le_bytes));
            Some(Wallet {
                key: wallet_key?,
                index: match index {
                    Some(index) => Some(index?),
                    None => None,
                },
                origin: origin_of(*bytes.get(ORIGIN)?)?,
                backup_confirmed: flags & BACKUP_CONFIRMED != 0,
                mnemonic,
            })
        } else {
            None
        };
        let api_key = if flags & HAS_API_KEY != 0 {
            let len = usize::from(*bytes.get(KID_LEN)?);
            let kid = core::str::from_utf8(bytes.get(KID..KID + len)?).ok()?;
            Some(ApiKey::new(KeyId::new(kid).ok()?, array(bytes, API_SEED)?))
        } else {
            None
        };
        Some(State {
            wallet,
            api_key,
            unconfirmed_shift_secs: u64::from_le_bytes(array(bytes, SHIFT)?),
            counter: u32::from_le_bytes(array(bytes, COUNTER)?),
            pin: crate::state::PinConfig::default(),
        })
    }
}

pub(crate) fn origin_byte(origin: WalletOrigin) -> u8 {
    match origin {
        WalletOrigin::Created => 0,
        WalletOrigin::Restored => 1,
        WalletOrigin::Provisioned => 2,
    }
}

pub(crate) fn origin_of(byte: u8) -> Option<WalletOrigin> {
    match byte {
        0 => Some(WalletOrigin::Created),
        1 => Some(WalletOrigin::Restored),
        2 => Some(WalletOrigin::Provisioned),
        _ => None,
    }
}

fn is_whole(bytes: &[u8; RECORD_LEN]) -> bool {
    super::is_whole_record(bytes, VERSION)
}

/// A whole record's counter, without decoding its keys (for choosing between slots: decoding
/// derives public keys, which costs a device tens of kilobytes of work and stack).
pub(crate) fn counter_of(bytes: &[u8; RECORD_LEN]) -> Option<u32> {
    is_whole(bytes).then(|| array(bytes, COUNTER).map(u32::from_le_bytes)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_refuse_any_damage() {
        let mnemonic = Mnemonic::from_entropy(&[9; 32]).unwrap();
        let state = State {
            wallet: Some(Wallet {
                key: WalletKey::from_bytes(&[5; 32]).unwrap(),
                index: Some(0),
                origin: WalletOrigin::Created,
                backup_confirmed: false,
                mnemonic: Some(mnemonic.clone()),
            }),
            api_key: Some(ApiKey::new(KeyId::new("kid-1").unwrap(), [7; 32])),
            unconfirmed_shift_secs: 120,
            counter: 0,
            pin: crate::state::PinConfig::default(),
        };
        let record = state.encode_v1(41);
        let back = State::decode_v1(&record).unwrap();
        assert_eq!(back.counter, 41);
        assert_eq!(back.unconfirmed_shift_secs, 120);
        let wallet = back.wallet.unwrap();
        assert_eq!(wallet.key.address(), WalletKey::from_bytes(&[5; 32]).unwrap().address());
        assert_eq!(
            (wallet.index, wallet.origin, wallet.backup_confirmed),
            (Some(0), WalletOrigin::Created, false)
        );
        assert_eq!(wallet.mnemonic.unwrap(), mnemonic);
        assert_eq!(back.api_key.unwrap().kid.as_str(), "kid-1");
        // Every single-byte change is refused; so are erased flash and a torn write.
        for at in 0..RECORD_LEN {
            let mut bytes = *record;
            bytes[at] ^= 0x40;
            assert!(State::decode_v1(&bytes).is_none(), "byte {at}");
        }
        assert!(State::decode_v1(&[0xff; RECORD_LEN]).is_none());
        let mut torn = [0xff; RECORD_LEN];
        torn[..128].copy_from_slice(&record[..128]);
        assert!(State::decode_v1(&torn).is_none());
        let empty = State::decode_v1(&State::default().encode_v1(1)).unwrap();
        assert!(empty.wallet.is_none() && empty.api_key.is_none());
    }
}

//! The device link: framed requests and responses between a host and a signing device.
//!
//! Messages are postcard-encoded and COBS-framed, so a `0x00` byte ends every frame and a
//! reader can resynchronise after garbage. Frames are at most [`MAX_FRAME_LEN`] bytes; every
//! decoding failure is a typed [`LinkError`].

use core::fmt;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::turbine::key_id::MAX_KEY_ID_LEN;
use crate::turbine::order::{Order, OrderDomain};
use crate::turbine::token::MAX_TOKEN_LEN;

/// Longest frame on the link, delimiter included. The largest message (a token response)
/// takes under 300 bytes; COBS adds one byte per 254.
pub const MAX_FRAME_LEN: usize = 384;

/// The byte that ends every frame.
pub const FRAME_DELIMITER: u8 = 0;

/// What the host asks of the device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// The device's key id, Ed25519 public key and wallet address.
    DeviceInfo,
    /// A fresh Turbine token, minted with the device's clock and randomness.
    MintToken,
    /// A `personal_sign` of the registration message for `address` (the device's own, as text);
    /// the device asks its user to confirm first.
    SignRegistration {
        /// The address text the message will contain.
        address: heapless::String<42>,
    },
    /// Sets the device clock.
    SetTime {
        /// Unix seconds.
        unix_secs: i64,
    },
    /// Installs the API key a registration returned (replacing any other); the device asks its
    /// user to confirm first.
    InstallApiKey {
        /// The `api_key_id`.
        kid: heapless::String<MAX_KEY_ID_LEN>,
        /// The Ed25519 seed (`api_private_key`).
        secret: KeySecret,
    },
    // New variants go last: postcard numbers them in order, and older firmware must keep
    // understanding the ones it knows.
    /// Signs a Turbine order with the wallet key. The device checks the trader is its own
    /// wallet, shows the order's summary, and signs only after the user confirms.
    SignOrder {
        /// The order (checked against the SDK's ranges when the frame is decoded).
        order: Order,
        /// The chain and settlement contract it is signed for.
        domain: OrderDomain,
    },
    /// Creates a wallet on the device: fresh entropy from its CSPRNG, the words shown on its
    /// display a few at a time (a press for each group), then two of them asked back before the
    /// wallet is usable. On a device whose wallet's backup was never confirmed (a power cut
    /// during the first start), shows that wallet's words again instead.
    InitWallet {
        /// 12 or 24 (any of 12, 15, 18, 21, 24).
        words: u8,
    },
    /// Restores a wallet from words sent by the host, which is less safe than typing them on
    /// the device (the host sees them); the user confirms with a press. Refused while a wallet
    /// exists: wipe it first.
    RestoreWallet(RestoreSecret),
    /// Erases the wallet, the API key and every other state; the user presses twice.
    Wipe,
    /// The wallet's state: its address and path, how it was made, whether its backup was
    /// confirmed, the API key.
    WalletInfo,
    /// A `personal_sign` of the timestamped registration message (what a server asks for once
    /// the wallet has had a key): the device shows the time and asks for a press.
    SignReregistration {
        /// The address text the message will contain.
        address: heapless::String<42>,
        /// The Unix time in the message.
        timestamp: i64,
    },
}

/// Longest passphrase a restore carries, in bytes (the core's limit).
pub const MAX_LINK_PASSPHRASE_LEN: usize = crate::eth::MAX_PASSPHRASE_LEN;

/// The words and passphrase of [`Request::RestoreWallet`]: zeroized on drop, redacted in
/// `Debug`. Words travel as their indexes in the English list (the device checks the
/// checksum), so a 24-word restore with the longest passphrase fits one frame.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreSecret {
    /// The words' indexes (0..2048), 12 to 24 of them.
    pub words: heapless::Vec<u16, 24>,
    /// The passphrase's UTF-8 bytes, NFKD-normalised by the host (the device checks).
    pub passphrase: heapless::Vec<u8, MAX_LINK_PASSPHRASE_LEN>,
}

impl Drop for RestoreSecret {
    fn drop(&mut self) {
        self.words.iter_mut().for_each(Zeroize::zeroize);
        self.passphrase.iter_mut().for_each(Zeroize::zeroize);
    }
}

impl fmt::Debug for RestoreSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RestoreSecret({} words, <redacted>)", self.words.len())
    }
}

/// 32 secret key bytes in transit to the device: zeroized on drop, redacted in `Debug`,
/// compared in constant time.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct KeySecret(pub [u8; 32]);

impl fmt::Debug for KeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeySecret(<redacted>)")
    }
}

impl PartialEq for KeySecret {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for KeySecret {}

/// Why the device refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DeviceError {
    /// The user did not confirm in time.
    NotConfirmed,
    /// The clock could not be read or set.
    Clock,
    /// The address is not this device's wallet.
    WrongAddress,
    /// Signing failed.
    Signing,
    /// The request frame could not be decoded, or its content is invalid.
    BadRequest,
    /// No API key is installed yet.
    NoApiKey,
    /// The device has no display to show an order on, so it does not sign one.
    NoDisplay,
    /// The device has no wallet yet: create one (`InitWallet`) or restore one.
    NoWallet,
    /// The device already has a wallet: wipe it before making or restoring another.
    WalletExists,
    /// The wallet's backup has not been confirmed on the device yet (run `InitWallet` again).
    BackupNotConfirmed,
    /// The words or passphrase of a restore were refused (checksum, count, not NFKD).
    BadMnemonic,
    /// The device could not write its state to flash; nothing changed.
    Storage,
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceError::NotConfirmed => "not confirmed on the device",
            DeviceError::Clock => "device clock unavailable",
            DeviceError::WrongAddress => "address is not this device's wallet",
            DeviceError::Signing => "signing failed",
            DeviceError::BadRequest => "bad request",
            DeviceError::NoApiKey => "no API key installed on the device",
            DeviceError::NoDisplay => "the device cannot show the order, so it does not sign it",
            DeviceError::NoWallet => {
                "no wallet on the device: create one (signet device init) or restore one"
            }
            DeviceError::WalletExists => "the device already has a wallet: wipe it first",
            DeviceError::BackupNotConfirmed => {
                "the wallet's backup is not confirmed: run `signet device init` to see and check the words"
            }
            DeviceError::BadMnemonic => "the words or passphrase were refused",
            DeviceError::Storage => "the device could not save its state",
        })
    }
}

impl core::error::Error for DeviceError {}

/// What the device answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// Answer to [`Request::DeviceInfo`].
    DeviceInfo {
        /// The API key id and Ed25519 public key, once a key is installed.
        api_key: Option<(heapless::String<MAX_KEY_ID_LEN>, [u8; 32])>,
        /// The wallet address.
        wallet: [u8; 20],
    },
    /// Answer to [`Request::MintToken`].
    Token {
        /// The token's ASCII bytes (without `Bearer `). Bytes rather than a `String` so the
        /// device can mint straight into the answer: no second token-sized buffer on its stack.
        token: heapless::Vec<u8, MAX_TOKEN_LEN>,
    },
    /// Answer to [`Request::SignRegistration`]: `r || s || v`.
    Registration {
        /// The 65-byte signature.
        signature: heapless::Vec<u8, 65>,
    },
    /// Answer to [`Request::SetTime`].
    TimeSet,
    /// Answer to [`Request::InstallApiKey`].
    ApiKeyInstalled,
    /// The request was refused.
    Error(DeviceError),
    /// Answer to [`Request::SignOrder`]: `r || s || v` over the order's EIP-712 digest.
    OrderSignature {
        /// The 65-byte signature.
        signature: heapless::Vec<u8, 65>,
    },
    /// Answer to [`Request::InitWallet`] and [`Request::RestoreWallet`]: the wallet is ready.
    WalletReady {
        /// Its address.
        wallet: [u8; 20],
    },
    /// Answer to [`Request::Wipe`].
    Wiped,
    /// Answer to [`Request::WalletInfo`].
    WalletInfo(WalletStatus),
}

/// How the device's wallet came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WalletOrigin {
    /// Made on the device, from its own randomness.
    Created,
    /// Restored from words the host sent.
    Restored,
    /// A key installed without words (a demo or a manufacturer's provisioning).
    Provisioned,
}

/// What [`Request::WalletInfo`] answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletStatus {
    /// The wallet: its address, derivation path, origin and whether its backup was confirmed.
    pub wallet: Option<WalletSummary>,
    /// The API key id and Ed25519 public key, once a key is installed.
    pub api_key: Option<(heapless::String<MAX_KEY_ID_LEN>, [u8; 32])>,
}

/// A wallet as [`WalletStatus`] describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletSummary {
    /// The address.
    pub address: [u8; 20],
    /// The BIP-32 path of its key (`m/44'/60'/0'/0/0`).
    pub path: heapless::String<{ crate::eth::MAX_PATH_LEN }>,
    /// Made on the device or restored.
    pub origin: WalletOrigin,
    /// Whether the user confirmed the backup words on the device (restored wallets: true).
    pub backup_confirmed: bool,
}

/// Why a frame could not be written or read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkError {
    /// The message does not fit the buffer or [`MAX_FRAME_LEN`].
    FrameTooLong,
    /// The frame is not valid COBS or not a message of the expected type.
    Malformed,
    /// The frame decodes to a message with bytes left over.
    TrailingBytes,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkError::FrameTooLong => "frame too long",
            LinkError::Malformed => "malformed frame",
            LinkError::TrailingBytes => "frame has trailing bytes",
        })
    }
}

impl core::error::Error for LinkError {}

/// Encodes a message as one frame (ending in [`FRAME_DELIMITER`]) into `out`.
///
/// # Errors
/// [`LinkError::FrameTooLong`] if it does not fit `out` or [`MAX_FRAME_LEN`].
pub fn encode<'b, T: Serialize>(message: &T, out: &'b mut [u8]) -> Result<&'b [u8], LinkError> {
    let limit = out.len().min(MAX_FRAME_LEN);
    let out = out.get_mut(..limit).ok_or(LinkError::FrameTooLong)?;
    postcard::to_slice_cobs(message, out).map(|frame| &*frame).map_err(|_| LinkError::FrameTooLong)
}

/// Decodes one frame (with or without its trailing delimiter), in place.
///
/// # Errors
/// [`LinkError`] for an over-long, malformed or over-full frame.
pub fn decode<'de, T: Deserialize<'de>>(frame: &'de mut [u8]) -> Result<T, LinkError> {
    if frame.len() > MAX_FRAME_LEN {
        return Err(LinkError::FrameTooLong);
    }
    let (message, rest) = postcard::take_from_bytes_cobs::<T>(frame).map_err(|_| LinkError::Malformed)?;
    if rest.is_empty() { Ok(message) } else { Err(LinkError::TrailingBytes) }
}

/// Collects bytes from a stream into frames.
///
/// Frames are decoded in place, so a frame may hold a secret (an [`Request::InstallApiKey`]
/// seed) in clear: the reader zeroes the bytes of a frame it handed out before it collects the
/// next one, and all of its buffer when dropped. It is not `Clone`, and `Debug` shows no bytes.
pub struct FrameReader {
    buf: [u8; MAX_FRAME_LEN],
    len: usize,
    /// Bytes at the start of `buf` that belong to the last frame handed out.
    handed_out: usize,
    overflowed: bool,
}

impl Default for FrameReader {
    fn default() -> Self {
        FrameReader { buf: [0; MAX_FRAME_LEN], len: 0, handed_out: 0, overflowed: false }
    }
}

impl fmt::Debug for FrameReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameReader").field("len", &self.len).finish_non_exhaustive()
    }
}

impl Drop for FrameReader {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

impl ZeroizeOnDrop for FrameReader {}

impl FrameReader {
    /// An empty reader.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Zeroes the bytes of the frame last handed out (called by [`FrameReader::push`] before
    /// it collects another; call it sooner to wipe a decoded frame at once).
    pub fn wipe(&mut self) {
        if let Some(frame) = self.buf.get_mut(..self.handed_out) {
            frame.zeroize();
        }
        self.handed_out = 0;
    }

    /// Adds one byte. At a delimiter, returns the frame collected so far (delimiter included),
    /// or [`LinkError::FrameTooLong`] if it overflowed; the reader then starts afresh.
    pub fn push(&mut self, byte: u8) -> Option<Result<&mut [u8], LinkError>> {
        self.wipe();
        if byte == FRAME_DELIMITER {
            let (len, overflowed) = (self.len, self.overflowed);
            self.len = 0;
            self.overflowed = false;
            if overflowed {
                // The overflowed bytes are garbage, but may still be a secret's.
                self.buf.zeroize();
                return Some(Err(LinkError::FrameTooLong));
            }
            let slot = self.buf.get_mut(len)?;
            *slot = FRAME_DELIMITER;
            self.handed_out = len + 1;
            return self.buf.get_mut(..=len).map(Ok);
        }
        // Keep room for the delimiter.
        match self.buf.get_mut(self.len).filter(|_| self.len + 1 < MAX_FRAME_LEN) {
            Some(slot) => {
                *slot = byte;
                self.len += 1;
            }
            None => self.overflowed = true,
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eth::Address;
    use crate::turbine::order::{MarketId, OrderArgs, Outcome, Side};

    #[test]
    fn every_message_round_trips_through_a_frame() {
        let requests = [
            Request::DeviceInfo,
            Request::MintToken,
            Request::SignRegistration {
                address: "0x076f4c6bBD34AF0015adc9D5168e69a1428b66De".try_into().unwrap(),
            },
            Request::SetTime { unix_secs: -1 },
            Request::InstallApiKey {
                kid: "e792e6d8c4bd2122".try_into().unwrap(),
                secret: KeySecret([9; 32]),
            },
            // The largest order: every number at its widest.
            Request::SignOrder {
                order: Order::new(OrderArgs {
                    market_id: MarketId::from_bytes([0xff; 32]),
                    trader: Address::from_bytes([0xff; 20]),
                    side: Side::Sell,
                    outcome: Outcome::No,
                    price: 999_999,
                    size: u128::MAX,
                    nonce: u128::MAX,
                    expiration: u64::MAX,
                    maker_fee_recipient: Address::from_bytes([0xff; 20]),
                })
                .unwrap(),
                domain: OrderDomain::new(u64::MAX, Address::from_bytes([0xff; 20])),
            },
        ];
        for request in &requests {
            let mut buf = [0u8; MAX_FRAME_LEN];
            let frame = encode(request, &mut buf).unwrap();
            assert_eq!(frame.last(), Some(&FRAME_DELIMITER));
            assert_eq!(frame.iter().filter(|&&b| b == 0).count(), 1);
            let mut copy = frame.to_vec();
            assert_eq!(decode::<Request>(&mut copy).unwrap(), *request);
        }
        let longest = Response::Token { token: core::iter::repeat_n(b'A', MAX_TOKEN_LEN).collect() };
        let mut buf = [0u8; MAX_FRAME_LEN];
        let mut frame = encode(&longest, &mut buf).unwrap().to_vec();
        assert_eq!(decode::<Response>(&mut frame).unwrap(), longest);
        let mut small = [0u8; 8];
        assert_eq!(encode(&longest, &mut small), Err(LinkError::FrameTooLong));
    }

    #[test]
    fn reader_splits_frames_and_recovers_from_overflow() {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let frame = encode(&Request::SetTime { unix_secs: 1_735_779_017 }, &mut buf).unwrap().to_vec();
        let mut reader = FrameReader::new();
        let mut stream = std::vec![7u8; MAX_FRAME_LEN + 10];
        stream.push(0);
        stream.extend_from_slice(&frame);
        let mut got = std::vec::Vec::new();
        for byte in stream {
            if let Some(result) = reader.push(byte) {
                got.push(result.map(decode::<Request>));
            }
        }
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], Err(LinkError::FrameTooLong));
        assert_eq!(got[1], Ok(Ok(Request::SetTime { unix_secs: 1_735_779_017 })));
    }

    #[test]
    fn key_secrets_are_redacted() {
        let request = Request::InstallApiKey { kid: "k".try_into().unwrap(), secret: KeySecret([0xab; 32]) };
        let text = std::format!("{request:?}");
        assert!(text.contains("redacted") && !text.contains("171"), "{text}");
    }

    #[test]
    fn a_decoded_secret_does_not_stay_in_the_reader() {
        let secret = KeySecret([0xa7; 32]);
        let mut buf = [0u8; MAX_FRAME_LEN];
        let install = Request::InstallApiKey { kid: "k".try_into().unwrap(), secret: secret.clone() };
        let mut stream = encode(&install, &mut buf).unwrap().to_vec();
        stream.extend_from_slice(encode(&Request::DeviceInfo, &mut buf).unwrap());
        let mut reader = FrameReader::new();
        let mut decoded = std::vec::Vec::new();
        for byte in stream {
            if let Some(frame) = reader.push(byte) {
                decoded.push(decode::<Request>(frame.unwrap()).unwrap());
            }
        }
        assert_eq!(decoded, [install, Request::DeviceInfo]);
        // The later, shorter frame overwrote only a prefix of the first; the rest is wiped too.
        assert!(!reader.buf.windows(4).any(|w| w == [0xa7; 4]), "{:?}", &reader.buf[..48]);
        assert_eq!(std::format!("{reader:?}"), "FrameReader { len: 0, .. }");
    }

    #[test]
    fn the_largest_restore_fits_a_frame() {
        let restore = Request::RestoreWallet(RestoreSecret {
            words: heapless::Vec::from_slice(&[2047; 24]).unwrap(),
            passphrase: heapless::Vec::from_slice(&[0xff; MAX_LINK_PASSPHRASE_LEN]).unwrap(),
        });
        let mut buf = [0u8; MAX_FRAME_LEN];
        let frame = encode(&restore, &mut buf).unwrap();
        assert!(frame.len() < MAX_FRAME_LEN, "{}", frame.len());
        assert!(std::format!("{restore:?}").contains("<redacted>"));
    }

    #[test]
    fn garbage_is_a_typed_error() {
        for bytes in [&[0u8][..], &[1, 0], &[5, 1, 2, 0], &[2, 0x7f, 0], &[0xff; 10]] {
            let mut copy = bytes.to_vec();
            assert!(decode::<Request>(&mut copy).is_err(), "{bytes:?}");
        }
    }
}

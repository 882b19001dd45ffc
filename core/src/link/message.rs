//! What the host asks and the device answers, and why the device refuses.

use core::fmt;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::link::wallet::{RestoreSecret, WalletStatus};
use crate::turbine::key_id::MAX_KEY_ID_LEN;
use crate::turbine::order::{Order, OrderDomain};
use crate::turbine::permit::{CtfApproval, Redemption, UsdcPermit};
use crate::turbine::token::MAX_TOKEN_LEN;

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
    /// Signs a USDC permit (EIP-2612) with the wallet key: shown in full, signed after a press,
    /// and after a second press on a warning screen when it is unlimited, for a spender other
    /// than the chain's settlement contract, or valid more than 30 days.
    SignUsdcPermit {
        /// The chain, whose contracts name the spender and the USDC domain.
        chain_id: u64,
        /// The permit; its owner must be the device's wallet.
        permit: UsdcPermit,
    },
    /// Signs a conditional-tokens approval (or revocation) the same way; an approval of an
    /// operator other than the chain's settlement contract needs the second press.
    SignCtfApproval {
        /// The chain.
        chain_id: u64,
        /// The approval; its owner must be the device's wallet.
        approval: CtfApproval,
    },
    /// Signs a redemption of resolved positions the same way.
    SignRedemption {
        /// The chain.
        chain_id: u64,
        /// The redemption; its owner must be the device's wallet.
        redemption: Redemption,
    },
    /// Whether a PIN is set, whether the device is locked, and how many tries are left.
    PinStatus,
    /// Shows a fresh scrambled PIN grid on the device's display, titled with what it is for;
    /// only the request of that purpose ([`Request::Unlock`], [`Request::SetPin`] or
    /// [`Request::SetWipeCode`]) may name positions on it, and uses it up.
    ShowPinMatrix {
        /// What the positions typed on it will be.
        purpose: PinPurpose,
    },
    /// Unlocks the device with the PIN whose digits are at these grid positions. The try is
    /// counted before the PIN is checked, after the delay earned by earlier wrong ones; the
    /// 16th wrong PIN in a row wipes the device. On an unlocked device, checks the PIN again
    /// (what [`Request::SetPin`] asks first when it changes one).
    Unlock {
        /// Keypad positions (1–9) on the grid last shown.
        positions: PinPositions,
    },
    /// Sets, changes or removes the PIN, in two steps each with its own grid: the new PIN, then
    /// the same again. No positions (twice) removes the PIN, which the display states and a
    /// press confirms. A device with a PIN asks for the current one first ([`Request::Unlock`]
    /// just before).
    SetPin {
        /// Keypad positions of the new PIN on the grid last shown; empty for no PIN.
        positions: PinPositions,
    },
    /// Sets (or, with no positions, removes) a wipe code: entered instead of the PIN, it wipes
    /// the device. Two steps as for [`Request::SetPin`]; needs a PIN, and the current PIN just
    /// before.
    SetWipeCode {
        /// Keypad positions of the wipe code on the grid last shown; empty to remove it.
        positions: PinPositions,
    },
    /// Locks the device now: its secrets stay sealed until the PIN is entered.
    Lock,
    /// Sets how long an unlocked device may stay idle before it locks itself (0: never).
    SetAutoLock {
        /// Idle seconds.
        secs: u32,
    },
}

/// What a PIN grid is shown for: the device titles it so, and takes positions on it only for
/// that.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PinPurpose {
    /// The current PIN ([`Request::Unlock`]).
    Current,
    /// A new PIN ([`Request::SetPin`]).
    NewPin,
    /// A wipe code ([`Request::SetWipeCode`]).
    WipeCode,
}

/// Keypad positions (1–9) typed on the host for a PIN on the device's grid, at most nine.
pub type PinPositions = heapless::Vec<u8, 9>;

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
    /// The message would not fit the device's screen in full, so it is not signed.
    CannotShow,
    /// The chain is not one whose contracts the device knows (84532, 137, 43114).
    UnknownChain,
    /// The device is locked: unlock it with its PIN first.
    Locked,
    /// The PIN was wrong.
    WrongPin {
        /// Tries left before the device wipes itself.
        tries_left: u8,
        /// Seconds the device waits before it checks the next PIN.
        next_delay_secs: u32,
    },
    /// The device wiped itself (the 16th wrong PIN, or the wipe code).
    Wiped,
    /// No PIN grid is shown: ask for one ([`Request::ShowPinMatrix`]) and type positions on it.
    NoPinMatrix,
    /// The positions do not make a PIN (4 to 9 positions, each 1 to 9).
    BadPin,
    /// The second entry differs from the first; nothing changed.
    PinMismatch,
    /// Changing the PIN or wipe code needs the current PIN just before.
    PinNeeded,
    /// A wipe code needs a PIN, and must differ from it.
    BadWipeCode,
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let DeviceError::WrongPin { tries_left, next_delay_secs } = self {
            return write!(
                f,
                "wrong PIN: {tries_left} tries left before the device wipes itself; the next check waits {next_delay_secs} s"
            );
        }
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
            DeviceError::CannotShow => "the device cannot show all of it, so it does not sign it",
            DeviceError::UnknownChain => {
                "the device does not know that chain's contracts (84532, 137, 43114)"
            }
            DeviceError::Locked => "the device is locked: unlock it with its PIN (signet device unlock)",
            DeviceError::WrongPin { .. } => "wrong PIN",
            DeviceError::Wiped => "the device wiped itself: restore the wallet from its words",
            DeviceError::NoPinMatrix => "no PIN grid is shown on the device: ask for one first",
            DeviceError::BadPin => "a PIN has 4 to 9 digits, typed as positions 1 to 9",
            DeviceError::PinMismatch => "the two entries differ: nothing changed",
            DeviceError::PinNeeded => "enter the current PIN first",
            DeviceError::BadWipeCode => "a wipe code needs a PIN and must differ from it",
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
    /// Answer to [`Request::SignUsdcPermit`], [`Request::SignCtfApproval`] and
    /// [`Request::SignRedemption`]: `r || s || v` over the message's EIP-712 digest.
    MessageSignature {
        /// The 65-byte signature.
        signature: heapless::Vec<u8, 65>,
    },
    /// Answer to [`Request::PinStatus`], [`Request::Unlock`], [`Request::Lock`],
    /// [`Request::SetAutoLock`], and to the second step of [`Request::SetPin`] and
    /// [`Request::SetWipeCode`].
    PinStatus(PinStatus),
    /// Answer to [`Request::ShowPinMatrix`]: the grid is on the display.
    PinMatrixShown,
    /// Answer to the first step of [`Request::SetPin`] or [`Request::SetWipeCode`]: enter the
    /// same again on a fresh grid.
    PinAgain,
}

/// Whether the device has a PIN and is locked, and what a wrong PIN would cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinStatus {
    /// A PIN protects the device's secrets.
    pub pin_set: bool,
    /// The secrets are sealed until the PIN is entered.
    pub locked: bool,
    /// Wrong PINs since the last right one.
    pub failures: u8,
    /// Tries left before the device wipes itself.
    pub tries_left: u8,
    /// Seconds the device waits before it checks the next PIN.
    pub next_delay_secs: u32,
    /// A wipe code is set.
    pub wipe_code_set: bool,
    /// Idle seconds after which an unlocked device locks itself (0: never).
    pub auto_lock_secs: u32,
    /// The user chose, on the device, to have no PIN.
    pub no_pin_chosen: bool,
}

//! The wallet's messages: a restore's words and passphrase, and what the device says of its
//! wallet.

use core::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::turbine::key_id::MAX_KEY_ID_LEN;

/// Longest passphrase a restore carries, in bytes (the core's limit).
pub const MAX_LINK_PASSPHRASE_LEN: usize = crate::eth::MAX_PASSPHRASE_LEN;

/// The words and passphrase of [`Request::RestoreWallet`](crate::link::Request::RestoreWallet): zeroized on drop, redacted in
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

/// What [`Request::WalletInfo`](crate::link::Request::WalletInfo) answers.
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

//! What a device keeps across power cuts, open: the wallet key (the account at
//! `m/44'/60'/0'/0/0`, derived once), the mnemonic's entropy only until the user confirmed the
//! backup (so the device can show the same words again after a power cut; afterwards a flash
//! dump gives one account, not every account and chain the words control), the Turbine API key,
//! the clock changes not yet confirmed, the PIN settings, and a counter that orders records.
//!
//! How it is stored (secrets sealed under the device's keys, which the PIN seals in turn) is
//! [`crate::record`].

use core::fmt;

use ed25519_dalek::SigningKey;
use signet_core::eth::{Mnemonic, WalletKey};
use signet_core::link::WalletOrigin;
use signet_core::pin::{SealedKeys, WipeCode};
use signet_core::turbine::{KeyId, PreparedSigningKey};
use zeroize::Zeroizing;

/// The device's wallet.
#[derive(Clone)]
pub(crate) struct Wallet {
    pub(crate) key: WalletKey,
    /// The account index below `m/44'/60'/0'/0` (`None`: a key provisioned without a path).
    pub(crate) index: Option<u32>,
    pub(crate) origin: WalletOrigin,
    pub(crate) backup_confirmed: bool,
    /// Kept until the backup is confirmed.
    pub(crate) mnemonic: Option<Mnemonic>,
}

/// The installed Turbine API key.
pub(crate) struct ApiKey {
    pub(crate) kid: KeyId,
    pub(crate) key: PreparedSigningKey,
    pub(crate) seed: Zeroizing<[u8; 32]>,
}

impl Clone for ApiKey {
    fn clone(&self) -> Self {
        ApiKey::new(self.kid.clone(), *self.seed)
    }
}

impl ApiKey {
    pub(crate) fn new(kid: KeyId, seed: [u8; 32]) -> Self {
        let seed = Zeroizing::new(seed);
        ApiKey { kid, key: PreparedSigningKey::new(&SigningKey::from_bytes(&seed)), seed }
    }
}

/// How the device's secrets are protected: public settings, stored in the clear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PinConfig {
    /// The device's keys sealed under the PIN; `None`: no PIN (the keys are stored in the clear).
    pub(crate) sealed: Option<SealedKeys>,
    /// The wipe code's salted tag.
    pub(crate) wipe: Option<WipeCode>,
    /// The user chose on the device to have no PIN.
    pub(crate) no_pin_chosen: bool,
    /// Idle seconds before an unlocked device locks itself (0: never).
    pub(crate) auto_lock_secs: u32,
}

/// Everything a device knows that must survive a power cut.
#[derive(Clone, Default)]
pub(crate) struct State {
    pub(crate) wallet: Option<Wallet>,
    pub(crate) api_key: Option<ApiKey>,
    /// Seconds the clock was moved by changes the user did not confirm.
    pub(crate) unconfirmed_shift_secs: u64,
    /// The counter of the record this state was read from or last written as.
    pub(crate) counter: u32,
    /// The PIN settings.
    pub(crate) pin: PinConfig,
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("wallet", &self.wallet.as_ref().map(|w| w.key.address()))
            .field("kid", &self.api_key.as_ref().map(|k| &k.kid))
            .field("pin_set", &self.pin.sealed.is_some())
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

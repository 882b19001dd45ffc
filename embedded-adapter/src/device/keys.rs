//! Keys given to a device without words: a wallet key from its maker (or a demo), and an API key.

use core::fmt;

use ed25519_dalek::SigningKey;
use signet_core::eth::{Address, WalletKey};
use signet_core::link::WalletOrigin;
use signet_core::turbine::KeyId;
use zeroize::ZeroizeOnDrop;

use crate::state::{ApiKey, State, Wallet};

/// Keys for a device that starts with them rather than with words: the wallet key from
/// manufacture (or a demo), and the Turbine API key once a registration has installed one.
/// Every secret zeroizes itself on drop and none is printed by `Debug`.
pub struct DeviceKeys {
    pub(crate) wallet: WalletKey,
    pub(crate) api_key: Option<ApiKey>,
}

impl DeviceKeys {
    /// Keys with a wallet and no API key yet.
    #[must_use]
    pub fn new(wallet: WalletKey) -> Self {
        DeviceKeys { wallet, api_key: None }
    }

    /// Installs (or replaces) the API key.
    pub fn set_api_key(&mut self, kid: KeyId, key: &SigningKey) {
        self.api_key = Some(ApiKey::new(kid, key.to_bytes()));
    }

    /// The wallet's address.
    #[must_use]
    pub fn address(&self) -> Address {
        self.wallet.address()
    }

    /// The installed API key's id and public key.
    #[must_use]
    pub fn api_key(&self) -> Option<(&KeyId, [u8; 32])> {
        self.api_key.as_ref().map(|api| (&api.kid, api.key.verifying_key().to_bytes()))
    }

    /// The state of a device holding these keys: a provisioned wallet (no words, no path).
    pub(crate) fn into_state(self) -> State {
        State {
            wallet: Some(Wallet {
                key: self.wallet.clone(),
                index: None,
                origin: WalletOrigin::Provisioned,
                backup_confirmed: true,
                mnemonic: None,
            }),
            api_key: self.api_key.clone(),
            unconfirmed_shift_secs: 0,
            counter: 0,
            pin: crate::state::PinConfig::default(),
        }
    }
}

// Every field is a key type that zeroizes on drop.
impl ZeroizeOnDrop for DeviceKeys {}

impl fmt::Debug for DeviceKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceKeys")
            .field("address", &self.address())
            .field("kid", &self.api_key.as_ref().map(|api| &api.kid))
            .finish_non_exhaustive()
    }
}

//! What a locked device may tell of itself, kept in the clear beside its sealed secrets.

use signet_core::eth::Address;
use signet_core::link::WalletOrigin;
use signet_core::turbine::KeyId;

use crate::state::State;

/// A wallet as a locked device may describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PublicWallet {
    pub(crate) address: Address,
    pub(crate) index: Option<u32>,
    pub(crate) origin: WalletOrigin,
    pub(crate) backup_confirmed: bool,
    /// Bytes of the words' entropy kept until the backup is confirmed.
    pub(crate) entropy_len: Option<u8>,
}

/// What a locked device may tell of itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Public {
    pub(crate) wallet: Option<PublicWallet>,
    pub(crate) api_key: Option<(KeyId, [u8; 32])>,
}

impl Public {
    /// What `state` tells.
    pub(crate) fn of(state: &State) -> Public {
        Public {
            wallet: state.wallet.as_ref().map(|w| PublicWallet {
                address: w.key.address(),
                index: w.index,
                origin: w.origin,
                backup_confirmed: w.backup_confirmed,
                entropy_len: w.mnemonic.as_ref().map(|m| m.entropy().len() as u8),
            }),
            api_key: state.api_key.as_ref().map(|a| (a.kid.clone(), a.key.verifying_key().to_bytes())),
        }
    }
}

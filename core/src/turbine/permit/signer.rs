//! What signs the wallet's other messages: the [`OrderSigner`](crate::turbine::order::OrderSigner)
//! idea for permits, approvals and redemptions, so a client takes a wallet key in this process,
//! a signing device, or a secure element alike.

use crate::eth::{Address, EthSignature, WalletKey};
use crate::turbine::permit::chain::ChainContracts;
use crate::turbine::permit::error::PermitError;
use crate::turbine::permit::message::TypedMessage;

/// Signs typed messages for one wallet.
pub trait MessageSigner {
    /// Why the signer failed or refused.
    type Error;

    /// The wallet's address: every message it signs is owned by it.
    ///
    /// # Errors
    /// The signer's, if it cannot say.
    fn owner(&mut self) -> Result<Address, Self::Error>;

    /// Signs `message` (owned by this wallet) on `chain`.
    ///
    /// # Errors
    /// The signer's, when signing fails or is refused.
    fn sign_message(
        &mut self,
        chain: &ChainContracts,
        message: &TypedMessage,
    ) -> Result<EthSignature, Self::Error>;
}

impl MessageSigner for WalletKey {
    type Error = PermitError;

    fn owner(&mut self) -> Result<Address, PermitError> {
        Ok(self.address())
    }

    fn sign_message(
        &mut self,
        chain: &ChainContracts,
        message: &TypedMessage,
    ) -> Result<EthSignature, PermitError> {
        message.sign(chain, self)
    }
}

impl MessageSigner for &WalletKey {
    type Error = PermitError;

    fn owner(&mut self) -> Result<Address, PermitError> {
        Ok(self.address())
    }

    fn sign_message(
        &mut self,
        chain: &ChainContracts,
        message: &TypedMessage,
    ) -> Result<EthSignature, PermitError> {
        message.sign(chain, self)
    }
}

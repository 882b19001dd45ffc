//! The device as the clients' signers (orders and the SDK's other messages) and as the
//! authority behind a relayer post (its own API key mints the token).

use std::io::{Read, Write};

use signet_core::eth::{Address, EthSignature};
use signet_core::turbine::order::{Order, OrderDomain, OrderSigner, SignedOrder};
use signet_core::turbine::permit::{ChainContracts, MessageSigner, TypedMessage};

use crate::device::{DeviceClient, DeviceClientError, DeviceToken};
use crate::error::ClientError;
use crate::turbine::RelayerAuth;

/// The device signs: it shows the message, warns when it must, and waits for its button.
impl<T: Read + Write> MessageSigner for DeviceClient<T> {
    type Error = DeviceClientError;

    fn owner(&mut self) -> Result<Address, DeviceClientError> {
        self.info().map(|info| info.address)
    }

    fn sign_message(
        &mut self,
        chain: &ChainContracts,
        message: &TypedMessage,
    ) -> Result<EthSignature, DeviceClientError> {
        DeviceClient::sign_message(self, chain.chain_id, message)
    }
}

/// The device signs: it shows the order and waits for its button.
impl<T: Read + Write> OrderSigner for DeviceClient<T> {
    type Error = DeviceClientError;

    fn trader(&mut self) -> Result<Address, DeviceClientError> {
        self.info().map(|info| info.address)
    }

    fn sign_order(&mut self, order: Order, domain: &OrderDomain) -> Result<SignedOrder, DeviceClientError> {
        DeviceClient::sign_order(self, order, *domain)
    }
}

impl<T: Read + Write> RelayerAuth<DeviceClient<T>> for DeviceToken {
    fn authorization(&mut self, device: &mut DeviceClient<T>) -> Result<String, ClientError> {
        let token = device.mint_token().map_err(|e| ClientError::Signing(Box::new(e)))?;
        Ok(format!("Bearer {token}"))
    }
}

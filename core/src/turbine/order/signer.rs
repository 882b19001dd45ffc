//! What signs orders: a wallet key in this process, a signing device over a link, a secure
//! element. Clients take any [`OrderSigner`], so where the key lives is the caller's choice.

use crate::eth::{Address, WalletKey};
use crate::turbine::order::domain::OrderDomain;
use crate::turbine::order::error::OrderError;
use crate::turbine::order::typed::{Order, SignedOrder};

/// Signs orders for one trader.
///
/// `trader` may ask the signer (a device answers over its link), so both methods take
/// `&mut self` and may fail with the signer's own error.
pub trait OrderSigner {
    /// Why the signer failed or refused.
    type Error;

    /// The trader's address: the wallet whose key signs.
    ///
    /// # Errors
    /// The signer's, if it cannot say.
    fn trader(&mut self) -> Result<Address, Self::Error>;

    /// Signs `order` (whose trader must be this signer's wallet) in `domain`.
    ///
    /// # Errors
    /// The signer's, when signing fails or is refused.
    fn sign_order(&mut self, order: Order, domain: &OrderDomain) -> Result<SignedOrder, Self::Error>;
}

impl OrderSigner for WalletKey {
    type Error = OrderError;

    fn trader(&mut self) -> Result<Address, OrderError> {
        Ok(self.address())
    }

    fn sign_order(&mut self, order: Order, domain: &OrderDomain) -> Result<SignedOrder, OrderError> {
        order.sign(domain, self)
    }
}

impl OrderSigner for &WalletKey {
    type Error = OrderError;

    fn trader(&mut self) -> Result<Address, OrderError> {
        Ok(self.address())
    }

    fn sign_order(&mut self, order: Order, domain: &OrderDomain) -> Result<SignedOrder, OrderError> {
        order.sign(domain, self)
    }
}

//! The peer doing the same EIP-712 work as signet's orders: alloy (`sol!` structs and
//! `eip712_signing_hash`), on the same order and domain as [`Orders`].

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{Eip712Domain, SolStruct, eip712_domain};

use crate::Orders;

alloy_sol_types::sol! {
    /// Turbine's order type, as the SDK declares it.
    struct Order {
        bytes32 marketId;
        address trader;
        uint8 side;
        uint8 outcome;
        uint256 price;
        uint256 size;
        uint256 nonce;
        uint256 expiration;
        address makerFeeRecipient;
    }
}

/// The fixture's order and domain in alloy's types.
pub struct AlloyOrder {
    order: Order,
    domain: Eip712Domain,
}

impl AlloyOrder {
    /// Converts the fixture.
    #[must_use]
    pub fn new(o: &Orders) -> Self {
        let order = Order {
            marketId: B256::from(*o.order.market_id.as_bytes()),
            trader: Address::from(*o.order.trader.as_bytes()),
            side: o.order.side.as_u8(),
            outcome: o.order.outcome.as_u8(),
            price: U256::from(o.order.price),
            size: U256::from(o.order.size),
            nonce: U256::from(o.order.nonce),
            expiration: U256::from(o.order.expiration),
            makerFeeRecipient: Address::from(*o.order.maker_fee_recipient.as_bytes()),
        };
        let domain = eip712_domain! {
            name: "Turbine",
            version: "1",
            chain_id: o.domain.chain_id(),
            verifying_contract: Address::from(*o.domain.verifying_contract().as_bytes()),
        };
        AlloyOrder { order, domain }
    }

    /// alloy's EIP-712 signing hash (the digest a wallet signs).
    #[must_use]
    pub fn signing_hash(&self) -> [u8; 32] {
        self.order.eip712_signing_hash(&self.domain).0
    }

    /// alloy's struct hash.
    #[must_use]
    pub fn struct_hash(&self) -> [u8; 32] {
        self.order.eip712_hash_struct().0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloy_and_signet_agree() {
        let o = Orders::new();
        let a = AlloyOrder::new(&o);
        assert_eq!(a.signing_hash(), o.digest);
        assert_eq!(a.struct_hash(), o.order.struct_hash());
    }
}

//! The EIP-712 domain orders are signed in: the SDK's name and version, a chain, its
//! settlement contract.

use serde::{Deserialize, Serialize};

use crate::eth::{Address, Eip712Domain, hex_literal};

/// The domain's `name`.
pub const ORDER_DOMAIN_NAME: &str = "Turbine";

/// The domain's `version`.
pub const ORDER_DOMAIN_VERSION: &str = "1";

/// The chain servers take orders for and clients sign for unless told otherwise: Polygon,
/// where the released SDK (0.1.0) and its later source agree on the settlement contract.
pub const DEFAULT_CHAIN_ID: u64 = 137;

/// The SDK's settlement contracts by chain: Polygon (137), Base Sepolia (84532, from the SDK's
/// source after 0.1.0, whose release still has a zero placeholder) and Avalanche (43114).
pub const SETTLEMENT_CONTRACTS: [(u64, Address); 3] = [
    (137, Address::from_bytes(hex_literal("dB96C91d9e5930fE3Ed1604603CfA4ece454725c"))),
    (84532, Address::from_bytes(hex_literal("F37B881F236033E55bF1cdAB628c7Cd88aAd89D4"))),
    (43114, Address::from_bytes(hex_literal("893ca652525B1F9DC25189ED9c3AD0543ACfb989"))),
];

/// The EIP-712 domain orders are signed in: `Turbine`, version `1`, a chain and its settlement
/// contract. The separator is computed once, here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "DomainParts", into = "DomainParts")]
pub struct OrderDomain {
    chain_id: u64,
    verifying_contract: Address,
    separator: [u8; 32],
}

/// What [`OrderDomain`] is made of on the device link (the separator is recomputed).
#[derive(Clone, Copy, Serialize, Deserialize)]
struct DomainParts {
    chain_id: u64,
    verifying_contract: Address,
}

impl From<DomainParts> for OrderDomain {
    fn from(parts: DomainParts) -> Self {
        OrderDomain::new(parts.chain_id, parts.verifying_contract)
    }
}

impl From<OrderDomain> for DomainParts {
    fn from(domain: OrderDomain) -> Self {
        DomainParts { chain_id: domain.chain_id, verifying_contract: domain.verifying_contract }
    }
}

impl OrderDomain {
    /// The domain for `chain_id` and the settlement contract `verifying_contract`.
    #[must_use]
    pub fn new(chain_id: u64, verifying_contract: Address) -> Self {
        let separator = Eip712Domain {
            name: ORDER_DOMAIN_NAME,
            version: ORDER_DOMAIN_VERSION,
            chain_id,
            verifying_contract,
        }
        .separator();
        OrderDomain { chain_id, verifying_contract, separator }
    }

    /// The domain with the SDK's settlement contract for `chain_id`, if it has one.
    #[must_use]
    pub fn for_chain(chain_id: u64) -> Option<Self> {
        Self::default_contract(chain_id).map(|contract| OrderDomain::new(chain_id, contract))
    }

    /// The SDK's settlement contract for `chain_id` ([`SETTLEMENT_CONTRACTS`]).
    #[must_use]
    pub fn default_contract(chain_id: u64) -> Option<Address> {
        SETTLEMENT_CONTRACTS.iter().find(|(id, _)| *id == chain_id).map(|(_, contract)| *contract)
    }

    /// The chain id.
    #[must_use]
    pub const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The settlement contract.
    #[must_use]
    pub const fn verifying_contract(&self) -> Address {
        self.verifying_contract
    }

    /// `hashStruct(EIP712Domain)`.
    #[must_use]
    pub const fn separator(&self) -> &[u8; 32] {
        &self.separator
    }
}

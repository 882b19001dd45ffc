//! The contracts of each chain the SDK knows (its `config.py`): settlement, conditional tokens
//! (CTF) and USDC, and the EIP-712 domains the three messages are signed in.

use crate::eth::{Address, Eip712Domain, hex_literal};

/// The CTF domain's `name`.
pub const CTF_DOMAIN_NAME: &str = "ConditionalTokensWithPermit";
/// The CTF domain's `version`.
pub const CTF_DOMAIN_VERSION: &str = "1";

/// A chain's contracts, as the SDK's `CHAIN_CONFIGS` has them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainContracts {
    /// The chain id.
    pub chain_id: u64,
    /// What the chain is called on a device's display.
    pub name: &'static str,
    /// The settlement contract: the spender of USDC permits and the operator of CTF approvals.
    pub settlement: Address,
    /// The conditional tokens (ERC-1155 outcome tokens) with permits.
    pub ctf: Address,
    /// USDC: the collateral, whose permits (EIP-2612) let the settlement contract spend it.
    pub usdc: Address,
    /// USDC's EIP-712 domain `name` here ("USD Coin"; the test network's mock "Mock USDC").
    pub usdc_name: &'static str,
    /// USDC's EIP-712 domain `version` ("2"; the mock "1").
    pub usdc_version: &'static str,
}

const fn address(digits: &str) -> Address {
    Address::from_bytes(hex_literal(digits))
}

/// Base Sepolia, Polygon and Avalanche, as the SDK's `config.py` (v0.1.16, HEAD 2026-03-27).
pub const CHAINS: [ChainContracts; 3] = [
    ChainContracts {
        chain_id: 84532,
        name: "Base Sepolia",
        settlement: address("F37B881F236033E55bF1cdAB628c7Cd88aAd89D4"),
        ctf: address("c5Eb8d9dE7c56CC600B9ed4E71318307C740f5ED"),
        usdc: address("f9065CCFF7025649F16D547DC341DAffF0C7F7f6"),
        usdc_name: "Mock USDC",
        usdc_version: "1",
    },
    ChainContracts {
        chain_id: 137,
        name: "Polygon",
        settlement: address("dB96C91d9e5930fE3Ed1604603CfA4ece454725c"),
        ctf: address("A86e521D596D626E2347875F1a4a23719dDaC0B6"),
        usdc: address("3c499c542cEF5E3811e1192ce70d8cC03d5c3359"),
        usdc_name: "USD Coin",
        usdc_version: "2",
    },
    ChainContracts {
        chain_id: 43114,
        name: "Avalanche",
        settlement: address("893ca652525B1F9DC25189ED9c3AD0543ACfb989"),
        ctf: address("A86e521D596D626E2347875F1a4a23719dDaC0B6"),
        usdc: address("B97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E"),
        usdc_name: "USD Coin",
        usdc_version: "2",
    },
];

impl ChainContracts {
    /// The contracts of `chain_id`, if the SDK knows the chain.
    #[must_use]
    pub fn of(chain_id: u64) -> Option<&'static ChainContracts> {
        CHAINS.iter().find(|c| c.chain_id == chain_id)
    }

    /// USDC's domain here: its name, version, this chain and its USDC contract.
    #[must_use]
    pub fn usdc_domain(&self) -> Eip712Domain<'static> {
        Eip712Domain {
            name: self.usdc_name,
            version: self.usdc_version,
            chain_id: self.chain_id,
            verifying_contract: self.usdc,
        }
    }

    /// The conditional tokens' domain here.
    #[must_use]
    pub fn ctf_domain(&self) -> Eip712Domain<'static> {
        Eip712Domain {
            name: CTF_DOMAIN_NAME,
            version: CTF_DOMAIN_VERSION,
            chain_id: self.chain_id,
            verifying_contract: self.ctf,
        }
    }

    /// The domain separators of both, computed once for as many messages as need them.
    #[must_use]
    pub fn separators(&self) -> Separators {
        Separators { usdc: self.usdc_domain().separator(), ctf: self.ctf_domain().separator() }
    }
}

/// A chain's two domain separators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Separators {
    /// USDC's (permits).
    pub usdc: [u8; 32],
    /// The conditional tokens' (approvals and redemptions).
    pub ctf: [u8; 32],
}

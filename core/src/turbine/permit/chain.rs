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
    /// Both domains' separators, precomputed: a device signs a message with three Keccak
    /// permutations instead of eleven (a unit test recomputes them).
    pub separators: Separators,
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
        separators: Separators {
            usdc: hex_literal("a03a4e33afebc28051aabb99bcd77127aa5c85376de8e50eb70125b9f2668dfb"),
            ctf: hex_literal("5a62f6db1956725400db4adfaee4b4ab47933b2bbf851a0243b8b52e49bd394f"),
        },
    },
    ChainContracts {
        chain_id: 137,
        name: "Polygon",
        settlement: address("dB96C91d9e5930fE3Ed1604603CfA4ece454725c"),
        ctf: address("A86e521D596D626E2347875F1a4a23719dDaC0B6"),
        usdc: address("3c499c542cEF5E3811e1192ce70d8cC03d5c3359"),
        usdc_name: "USD Coin",
        usdc_version: "2",
        separators: Separators {
            usdc: hex_literal("caa2ce1a5703ccbe253a34eb3166df60a705c561b44b192061e28f2a985be2ca"),
            ctf: hex_literal("4bded7719e37abd71668bf56ad73d882c3820dd9fcdde8efb0ff11d25985fa7e"),
        },
    },
    ChainContracts {
        chain_id: 43114,
        name: "Avalanche",
        settlement: address("893ca652525B1F9DC25189ED9c3AD0543ACfb989"),
        ctf: address("A86e521D596D626E2347875F1a4a23719dDaC0B6"),
        usdc: address("B97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E"),
        usdc_name: "USD Coin",
        usdc_version: "2",
        separators: Separators {
            usdc: hex_literal("bbea200329a938bc3438984a49cb0732e66d66d7bd59c127abacc1710e77f7b3"),
            ctf: hex_literal("286701dcaea7c96c0a2d9cd0860a1799b46316fc751db0a80044a30c2e3bec60"),
        },
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

    /// The domain separators of both (precomputed).
    #[must_use]
    pub const fn separators(&self) -> Separators {
        self.separators
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_precomputed_separators_are_the_domains() {
        for chain in &CHAINS {
            assert_eq!(chain.separators.usdc, chain.usdc_domain().separator(), "{}", chain.name);
            assert_eq!(chain.separators.ctf, chain.ctf_domain().separator(), "{}", chain.name);
        }
    }
}

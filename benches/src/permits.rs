//! The current SDK's other messages (a USDC permit, a CTF approval, a two-set redemption) and
//! their relayer bodies, beside the peer doing the same EIP-712 work: alloy's `sol!` structs
//! and `eip712_signing_hash`.

use alloy_primitives::{Address as AlloyAddress, B256, U256 as AlloyU256};
use alloy_sol_types::{Eip712Domain, SolStruct, eip712_domain};
use signet_core::eth::{Address, EthSignature, U256, WalletKey};
use signet_core::turbine::permit::{
    ChainContracts, CtfApproval, IndexSets, MAX_RELAYER_BODY_LEN, MessageKind, Redemption, RelayerBody,
    Separators, TypedMessage, UsdcPermit,
};

alloy_sol_types::sol! {
    /// EIP-2612, as USDC declares it.
    struct Permit { address owner; address spender; uint256 value; uint256 nonce; uint256 deadline; }
    /// The conditional tokens' approval by signature.
    struct SetApprovalForAll { address owner; address operator; bool approved; uint256 nonce; uint256 deadline; }
    /// The conditional tokens' redemption by signature.
    struct RedeemPositions {
        address owner;
        address collateralToken;
        bytes32 parentCollectionId;
        bytes32 conditionId;
        uint256[] indexSets;
        uint256 nonce;
        uint256 deadline;
    }
}

/// One message of each type on Polygon, signed, with its digest and relayer body.
pub struct Permits {
    /// Polygon's contracts.
    pub chain: &'static ChainContracts,
    /// Their domain separators.
    pub separators: Separators,
    /// Permit, approval, redemption.
    pub messages: [TypedMessage; 3],
    /// Their digests.
    pub digests: [[u8; 32]; 3],
    /// Their signatures.
    pub signatures: [EthSignature; 3],
    /// Their relayer bodies.
    pub bodies: [heapless::Vec<u8, MAX_RELAYER_BODY_LEN>; 3],
}

fn u(n: u128) -> U256 {
    U256::from_u128(n)
}

impl Permits {
    /// Builds the fixture (deterministic).
    #[must_use]
    pub fn new() -> Self {
        let key = WalletKey::from_bytes(&[0x11; 32]).unwrap_or_else(|_| unreachable!());
        let chain = ChainContracts::of(137).unwrap_or_else(|| unreachable!());
        let owner = key.address();
        let mut index_sets = IndexSets::new();
        let _ = index_sets.extend_from_slice(&[u(1), u(2)]);
        let messages = [
            TypedMessage::Permit(UsdcPermit {
                owner,
                spender: chain.settlement,
                value: U256::MAX,
                nonce: u(3),
                deadline: U256::MAX,
            }),
            TypedMessage::Approval(CtfApproval {
                owner,
                operator: chain.settlement,
                approved: true,
                nonce: u(4),
                deadline: u(1_767_229_200),
            }),
            TypedMessage::Redemption(Redemption {
                owner,
                collateral_token: chain.usdc,
                parent_collection_id: [0; 32],
                condition_id: [0x5a; 32],
                index_sets,
                nonce: u(5),
                deadline: u(1_767_229_200),
            }),
        ];
        let separators = chain.separators();
        let digests = messages.each_ref().map(|m| m.digest(&separators));
        let signatures = messages.each_ref().map(|m| m.sign(chain, &key).unwrap_or_else(|_| unreachable!()));
        let bodies = core::array::from_fn(|i| {
            let mut out = [0u8; MAX_RELAYER_BODY_LEN];
            let (Some(message), Some(signature)) = (messages.get(i), signatures.get(i)) else {
                unreachable!()
            };
            let body = RelayerBody::new(chain.chain_id, message.clone(), *signature);
            let text = body.write(&mut out).unwrap_or_else(|_| unreachable!());
            heapless::Vec::from_slice(text.as_bytes()).unwrap_or_else(|_| unreachable!())
        });
        Permits { chain, separators, messages, digests, signatures, bodies }
    }

    /// signet: message `i`'s digest.
    #[must_use]
    pub fn digest(&self, i: usize) -> [u8; 32] {
        self.messages.get(i).map_or([0; 32], |m| m.digest(&self.separators))
    }

    /// The raw primitive: recovering the signer of message `i`'s precomputed digest.
    #[must_use]
    pub fn raw_recover(&self, i: usize) -> bool {
        let (Some(digest), Some(signature), Some(message)) =
            (self.digests.get(i), self.signatures.get(i), self.messages.get(i))
        else {
            return false;
        };
        signet_core::eth::recover_prehash(digest, signature).is_ok_and(|a| a == message.owner())
    }

    /// signet: read relayer body `i` as the server does (nonce from its store, here the
    /// message's) and check its signature.
    #[must_use]
    pub fn verify_body(&self, i: usize) -> bool {
        let kinds = [MessageKind::Permit, MessageKind::Approval, MessageKind::Redemption];
        let (Some(&kind), Some(posted), Some(message)) =
            (kinds.get(i), self.bodies.get(i), self.messages.get(i))
        else {
            return false;
        };
        RelayerBody::parse(kind, posted)
            .is_ok_and(|body| body.message(message.nonce()).verify(&self.separators, &body.signature).is_ok())
    }
}

impl Default for Permits {
    fn default() -> Self {
        Self::new()
    }
}

fn address(a: &Address) -> AlloyAddress {
    AlloyAddress::from(*a.as_bytes())
}

fn uint(n: &U256) -> AlloyU256 {
    AlloyU256::from_be_bytes(n.to_be_bytes())
}

/// The fixture's messages in alloy's types, each with its domain.
pub struct AlloyPermits {
    permit: (Permit, Eip712Domain),
    approval: (SetApprovalForAll, Eip712Domain),
    redemption: (RedeemPositions, Eip712Domain),
}

impl AlloyPermits {
    /// Converts the fixture.
    #[must_use]
    pub fn new(p: &Permits) -> Self {
        let c = p.chain;
        let usdc = eip712_domain! {
            name: c.usdc_name,
            version: c.usdc_version,
            chain_id: c.chain_id,
            verifying_contract: address(&c.usdc),
        };
        let ctf = eip712_domain! {
            name: "ConditionalTokensWithPermit",
            version: "1",
            chain_id: c.chain_id,
            verifying_contract: address(&c.ctf),
        };
        let [TypedMessage::Permit(m0), TypedMessage::Approval(m1), TypedMessage::Redemption(m2)] =
            &p.messages
        else {
            unreachable!()
        };
        AlloyPermits {
            permit: (
                Permit {
                    owner: address(&m0.owner),
                    spender: address(&m0.spender),
                    value: uint(&m0.value),
                    nonce: uint(&m0.nonce),
                    deadline: uint(&m0.deadline),
                },
                usdc,
            ),
            approval: (
                SetApprovalForAll {
                    owner: address(&m1.owner),
                    operator: address(&m1.operator),
                    approved: m1.approved,
                    nonce: uint(&m1.nonce),
                    deadline: uint(&m1.deadline),
                },
                ctf.clone(),
            ),
            redemption: (
                RedeemPositions {
                    owner: address(&m2.owner),
                    collateralToken: address(&m2.collateral_token),
                    parentCollectionId: B256::from(m2.parent_collection_id),
                    conditionId: B256::from(m2.condition_id),
                    indexSets: m2.index_sets.iter().map(uint).collect(),
                    nonce: uint(&m2.nonce),
                    deadline: uint(&m2.deadline),
                },
                ctf,
            ),
        }
    }

    /// alloy's EIP-712 signing hash of message `i`.
    #[must_use]
    pub fn signing_hash(&self, i: usize) -> [u8; 32] {
        match i {
            0 => self.permit.0.eip712_signing_hash(&self.permit.1).0,
            1 => self.approval.0.eip712_signing_hash(&self.approval.1).0,
            _ => self.redemption.0.eip712_signing_hash(&self.redemption.1).0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloy_and_signet_agree_and_every_body_checks() {
        let p = Permits::new();
        let a = AlloyPermits::new(&p);
        for i in 0..3 {
            assert_eq!(a.signing_hash(i), p.digests[i], "message {i}");
            assert_eq!(p.digest(i), p.digests[i]);
            assert!(p.raw_recover(i) && p.verify_body(i), "message {i}");
        }
    }
}

//! The three messages: their EIP-712 types, struct hashes streamed into Keccak (the `uint256[]`
//! too: its elements hashed one by one, no array buffer), digests, signing and recovery.

use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};

use crate::eth::{
    Address, EthSignature, StructHasher, U256, WalletKey, hex_literal, recover_prehash, typed_data_digest,
};
use crate::turbine::permit::chain::ChainContracts;
use crate::turbine::permit::error::PermitError;

/// USDC's permit (EIP-2612).
pub const PERMIT_TYPE: &str =
    "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)";
/// `keccak256(PERMIT_TYPE)`.
pub const PERMIT_TYPE_HASH: [u8; 32] =
    hex_literal("6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c9");

/// The conditional tokens' approval of an operator for all of an owner's tokens.
pub const SET_APPROVAL_TYPE: &str =
    "SetApprovalForAll(address owner,address operator,bool approved,uint256 nonce,uint256 deadline)";
/// `keccak256(SET_APPROVAL_TYPE)`.
pub const SET_APPROVAL_TYPE_HASH: [u8; 32] =
    hex_literal("83a28dd17b0eda6f199eec82d34ed6ee2a520b5bd98a9aee758646e34d9d1b25");

/// The conditional tokens' redemption of resolved positions for their collateral.
pub const REDEEM_TYPE: &str = "RedeemPositions(address owner,address collateralToken,bytes32 parentCollectionId,bytes32 conditionId,uint256[] indexSets,uint256 nonce,uint256 deadline)";
/// `keccak256(REDEEM_TYPE)`.
pub const REDEEM_TYPE_HASH: [u8; 32] =
    hex_literal("7916da7abb160cc9ae4faaff291144175343e2625ede86361bb5a43a3ff7ad02");

/// Most index sets a redemption carries here (the SDK sends one; a binary market has three
/// non-empty sets).
pub const MAX_INDEX_SETS: usize = 8;

/// A redemption's index sets.
pub type IndexSets = heapless::Vec<U256, MAX_INDEX_SETS>;

/// `Permit`: `owner` lets `spender` move up to `value` of its USDC until `deadline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsdcPermit {
    /// Whose USDC.
    pub owner: Address,
    /// Who may spend it (the SDK: the chain's settlement contract).
    pub spender: Address,
    /// How much, in USDC's smallest unit (six decimals); 2^256 − 1 is unlimited.
    pub value: U256,
    /// The owner's permit nonce at USDC.
    pub nonce: U256,
    /// Unix seconds; 2^256 − 1 never expires.
    pub deadline: U256,
}

/// `SetApprovalForAll`: `owner` lets `operator` move every one of its outcome tokens (or takes
/// that back, with `approved` false).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CtfApproval {
    /// Whose tokens.
    pub owner: Address,
    /// Who may move them (the SDK: the chain's settlement contract).
    pub operator: Address,
    /// Approve, or revoke.
    pub approved: bool,
    /// The owner's permit nonce at the conditional tokens.
    pub nonce: U256,
    /// Unix seconds.
    pub deadline: U256,
}

/// `RedeemPositions`: `owner` cashes out its positions in `condition_id` for collateral.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redemption {
    /// Whose positions.
    pub owner: Address,
    /// The collateral paid out (the SDK: the chain's USDC).
    pub collateral_token: Address,
    /// The parent collection (zero for positions held directly against collateral).
    pub parent_collection_id: [u8; 32],
    /// The market's condition.
    pub condition_id: [u8; 32],
    /// Which outcome slots (1 YES, 2 NO in a binary market).
    pub index_sets: IndexSets,
    /// The owner's permit nonce at the conditional tokens.
    pub nonce: U256,
    /// Unix seconds.
    pub deadline: U256,
}

/// One of the three messages, as a device or server handles them alike.
// No allocator to box the redemption's index sets into: one message at a time is held.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypedMessage {
    /// A USDC permit.
    Permit(UsdcPermit),
    /// A conditional-tokens approval (or revocation).
    Approval(CtfApproval),
    /// A redemption.
    Redemption(Redemption),
}

/// Which of the three a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MessageKind {
    /// [`TypedMessage::Permit`].
    Permit,
    /// [`TypedMessage::Approval`].
    Approval,
    /// [`TypedMessage::Redemption`].
    Redemption,
}

impl MessageKind {
    /// `usdc-permit`, `ctf-approval` or `ctf-redemption`: the relayer endpoint's last segment.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageKind::Permit => "usdc-permit",
            MessageKind::Approval => "ctf-approval",
            MessageKind::Redemption => "ctf-redemption",
        }
    }

    /// The kind named `text` ([`MessageKind::as_str`]).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [MessageKind::Permit, MessageKind::Approval, MessageKind::Redemption]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

impl UsdcPermit {
    /// `hashStruct(Permit)`.
    #[must_use]
    pub fn struct_hash(&self) -> [u8; 32] {
        let mut h = StructHasher::new(&PERMIT_TYPE_HASH);
        h.address(&self.owner);
        h.address(&self.spender);
        h.u256(&self.value);
        h.u256(&self.nonce);
        h.u256(&self.deadline);
        h.finish()
    }
}

impl CtfApproval {
    /// `hashStruct(SetApprovalForAll)`.
    #[must_use]
    pub fn struct_hash(&self) -> [u8; 32] {
        let mut h = StructHasher::new(&SET_APPROVAL_TYPE_HASH);
        h.address(&self.owner);
        h.address(&self.operator);
        h.boolean(self.approved);
        h.u256(&self.nonce);
        h.u256(&self.deadline);
        h.finish()
    }
}

impl Redemption {
    /// `hashStruct(RedeemPositions)`; the array member is `keccak256` of its elements' words,
    /// fed to Keccak one by one.
    #[must_use]
    pub fn struct_hash(&self) -> [u8; 32] {
        let mut sets = Keccak256::new();
        for set in &self.index_sets {
            sets.update(set.to_be_bytes());
        }
        let mut h = StructHasher::new(&REDEEM_TYPE_HASH);
        h.address(&self.owner);
        h.address(&self.collateral_token);
        h.word(&self.parent_collection_id);
        h.word(&self.condition_id);
        h.word(&sets.finalize().into());
        h.u256(&self.nonce);
        h.u256(&self.deadline);
        h.finish()
    }
}

impl TypedMessage {
    /// Which message this is.
    #[must_use]
    pub const fn kind(&self) -> MessageKind {
        match self {
            TypedMessage::Permit(_) => MessageKind::Permit,
            TypedMessage::Approval(_) => MessageKind::Approval,
            TypedMessage::Redemption(_) => MessageKind::Redemption,
        }
    }

    /// The wallet that signs it.
    #[must_use]
    pub const fn owner(&self) -> Address {
        match self {
            TypedMessage::Permit(m) => m.owner,
            TypedMessage::Approval(m) => m.owner,
            TypedMessage::Redemption(m) => m.owner,
        }
    }

    /// Its nonce.
    #[must_use]
    pub const fn nonce(&self) -> U256 {
        match self {
            TypedMessage::Permit(m) => m.nonce,
            TypedMessage::Approval(m) => m.nonce,
            TypedMessage::Redemption(m) => m.nonce,
        }
    }

    /// Its deadline.
    #[must_use]
    pub const fn deadline(&self) -> U256 {
        match self {
            TypedMessage::Permit(m) => m.deadline,
            TypedMessage::Approval(m) => m.deadline,
            TypedMessage::Redemption(m) => m.deadline,
        }
    }

    /// The same message with `nonce` in place of its own.
    #[must_use]
    pub fn with_nonce(&self, nonce: U256) -> TypedMessage {
        let mut message = self.clone();
        match &mut message {
            TypedMessage::Permit(m) => m.nonce = nonce,
            TypedMessage::Approval(m) => m.nonce = nonce,
            TypedMessage::Redemption(m) => m.nonce = nonce,
        }
        message
    }

    /// The contract whose nonces it uses and whose domain it is signed in: the chain's USDC for
    /// a permit, its conditional tokens otherwise.
    #[must_use]
    pub const fn verifying_contract(&self, chain: &ChainContracts) -> Address {
        match self {
            TypedMessage::Permit(_) => chain.usdc,
            _ => chain.ctf,
        }
    }

    /// `hashStruct` of the message.
    #[must_use]
    pub fn struct_hash(&self) -> [u8; 32] {
        match self {
            TypedMessage::Permit(m) => m.struct_hash(),
            TypedMessage::Approval(m) => m.struct_hash(),
            TypedMessage::Redemption(m) => m.struct_hash(),
        }
    }

    /// The digest its owner signs on `chain` (USDC's domain for a permit, the conditional
    /// tokens' otherwise), given the chain's precomputed separators.
    #[must_use]
    pub fn digest(&self, separators: &crate::turbine::permit::chain::Separators) -> [u8; 32] {
        let separator = match self {
            TypedMessage::Permit(_) => &separators.usdc,
            _ => &separators.ctf,
        };
        typed_data_digest(separator, &self.struct_hash())
    }

    /// Signs it with `wallet` (RFC 6979, low `s`, `v` 27/28), as eth-account's
    /// `sign_typed_data` does.
    ///
    /// # Errors
    /// [`PermitError::NotOwner`] if `wallet` is not the message's owner.
    pub fn sign(&self, chain: &ChainContracts, wallet: &WalletKey) -> Result<EthSignature, PermitError> {
        if wallet.address() != self.owner() {
            return Err(PermitError::NotOwner);
        }
        Ok(wallet.sign_prehash(&self.digest(&chain.separators())))
    }

    /// Checks `signature` is the owner's over this message on `chain` (recovery; `v` 0/1 or
    /// 27/28 and high `s` accepted, as `ecrecover` does).
    ///
    /// # Errors
    /// [`PermitError::WrongSigner`] if another key signed it, or it was signed over other
    /// fields, another chain or contract.
    pub fn verify(
        &self,
        separators: &crate::turbine::permit::chain::Separators,
        signature: &EthSignature,
    ) -> Result<(), PermitError> {
        match recover_prehash(&self.digest(separators), signature) {
            Ok(signer) if signer == self.owner() => Ok(()),
            _ => Err(PermitError::WrongSigner),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eth::keccak256;

    #[test]
    fn type_hashes_are_the_keccak_of_their_types() {
        for (ty, hash) in [
            (PERMIT_TYPE, PERMIT_TYPE_HASH),
            (SET_APPROVAL_TYPE, SET_APPROVAL_TYPE_HASH),
            (REDEEM_TYPE, REDEEM_TYPE_HASH),
        ] {
            assert_eq!(hex::encode(keccak256(&[ty.as_bytes()])), hex::encode(hash), "{ty}");
        }
    }
}

//! The bodies the SDK posts to the relayer endpoints (`/api/v1/relayer/usdc-permit`,
//! `/ctf-approval`, `/ctf-redemption`, `/batch-ctf-redemption`), read strictly and written
//! exactly as the SDK writes them.
//!
//! A body carries its message without the nonce (the relayer knows the owner's next one), the
//! chain, and the signature as `v`, `r` and `s`. [`RelayerBody::message`] puts a nonce back.

use crate::eth::{Address, EthSignature, U256};
use crate::json::{self, Elements, Members, Value};
use crate::text::SliceWriter;
use crate::turbine::permit::error::PermitError;
use crate::turbine::permit::fields::{self, MAX_NAME_LEN, SignatureParts, Writer, need, set};
use crate::turbine::permit::message::{
    CtfApproval, IndexSets, MessageKind, Redemption, TypedMessage, UsdcPermit,
};

/// Most redemptions one batch carries here.
pub const MAX_BATCH: usize = 32;

/// Longest single body [`RelayerBody::write`] writes (a redemption with eight 78-digit index
/// sets and a market address).
pub const MAX_RELAYER_BODY_LEN: usize = 1_400;

const PERMIT_SHAPE: &str =
    "{\"chainId\", \"owner\", \"spender\", \"value\", \"deadline\", \"v\", \"r\", \"s\"}";
const APPROVAL_SHAPE: &str =
    "{\"chainId\", \"owner\", \"operator\", \"approved\", \"deadline\", \"v\", \"r\", \"s\"}";
const REDEMPTION_SHAPE: &str = "{\"chainId\", \"owner\", \"collateralToken\", \"parentCollectionId\", \"conditionId\", \"indexSets\", \"deadline\", \"v\", \"r\", \"s\", \"marketAddress\"?}";
const BATCH_SHAPE: &str = "{\"chainId\", \"owner\", \"redemptions\": [...]}";

/// One relayer request: the message (its nonce zero until [`RelayerBody::message`] sets it),
/// the chain it is for, the signature, and a redemption's optional market.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayerBody {
    /// `chainId`.
    pub chain_id: u64,
    /// The message as posted, nonce zero.
    pub message: TypedMessage,
    /// `v`, `r`, `s`.
    pub signature: EthSignature,
    /// `marketAddress` of a redemption (for the relayer's records; not signed).
    pub market_address: Option<Address>,
}

/// `/batch-ctf-redemption`: redemptions of one owner on one chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayerBatch {
    /// `chainId`.
    pub chain_id: u64,
    /// `owner`: every redemption's owner must be it.
    pub owner: Address,
    /// The redemptions, each with its own deadline and signature.
    pub redemptions: heapless::Vec<RelayerBody, MAX_BATCH>,
}

impl RelayerBody {
    /// The signed message, with `nonce` (the owner's next at the message's contract).
    #[must_use]
    pub fn message(&self, nonce: U256) -> TypedMessage {
        self.message.with_nonce(nonce)
    }

    /// The body of `message` (its nonce is not written) on `chain_id` with `signature`.
    #[must_use]
    pub fn new(chain_id: u64, message: TypedMessage, signature: EthSignature) -> Self {
        RelayerBody { chain_id, message, signature, market_address: None }
    }

    /// Reads the body posted to the endpoint of `kind`: any JSON spacing and member order,
    /// each member once, no other members.
    ///
    /// # Errors
    /// [`PermitError`] naming what is wrong.
    pub fn parse(kind: MessageKind, body: &[u8]) -> Result<Self, PermitError> {
        let shape = match kind {
            MessageKind::Permit => PERMIT_SHAPE,
            MessageKind::Approval => APPROVAL_SHAPE,
            MessageKind::Redemption => REDEMPTION_SHAPE,
        };
        if !json::check(body).map_err(|_| PermitError::Body(shape))?.is_object {
            return Err(PermitError::Body(shape));
        }
        read(kind, body, None, shape)
    }

    /// Writes the SDK's body, compact, in its member order, into `out`.
    ///
    /// # Errors
    /// [`PermitError::BufferTooSmall`] if it does not fit ([`MAX_RELAYER_BODY_LEN`] always does).
    pub fn write<'b>(&self, out: &'b mut [u8]) -> Result<&'b str, PermitError> {
        let mut w = Writer(SliceWriter::new(out));
        self.write_into(&mut w, true).ok_or(PermitError::BufferTooSmall)?;
        core::str::from_utf8(w.0.finish()).map_err(|_| PermitError::BufferTooSmall)
    }

    fn write_into(&self, w: &mut Writer<'_>, with_chain: bool) -> Option<()> {
        w.raw(b"{")?;
        if with_chain {
            w.raw(b"\"chainId\":")?;
            w.u256(&U256::from_u128(self.chain_id.into()), false)?;
            w.raw(b",")?;
        }
        w.raw(b"\"owner\":")?;
        w.address(&self.message.owner())?;
        match &self.message {
            TypedMessage::Permit(m) => {
                w.raw(b",\"spender\":")?;
                w.address(&m.spender)?;
                w.raw(b",\"value\":")?;
                w.u256(&m.value, true)?;
            }
            TypedMessage::Approval(m) => {
                w.raw(b",\"operator\":")?;
                w.address(&m.operator)?;
                w.raw(if m.approved { b",\"approved\":true" } else { b",\"approved\":false" })?;
            }
            TypedMessage::Redemption(m) => {
                w.raw(b",\"collateralToken\":")?;
                w.address(&m.collateral_token)?;
                w.raw(b",\"parentCollectionId\":")?;
                w.bytes32(&m.parent_collection_id)?;
                w.raw(b",\"conditionId\":")?;
                w.bytes32(&m.condition_id)?;
                w.raw(b",\"indexSets\":[")?;
                for (i, set) in m.index_sets.iter().enumerate() {
                    if i > 0 {
                        w.raw(b",")?;
                    }
                    w.u256(set, true)?;
                }
                w.raw(b"]")?;
            }
        }
        w.raw(b",\"deadline\":")?;
        w.u256(&self.message.deadline(), true)?;
        w.raw(b",")?;
        w.signature(&self.signature)?;
        if let Some(market) = &self.market_address {
            w.raw(b",\"marketAddress\":")?;
            w.address(market)?;
        }
        w.raw(b"}")
    }
}

impl RelayerBatch {
    /// Reads a `/batch-ctf-redemption` body: `chainId`, `owner` and 1 to [`MAX_BATCH`]
    /// redemptions, each the `/ctf-redemption` body without `chainId` and owned by `owner`.
    ///
    /// # Errors
    /// [`PermitError`] naming what is wrong.
    pub fn parse(body: &[u8]) -> Result<Self, PermitError> {
        if !json::check(body).map_err(|_| PermitError::Body(BATCH_SHAPE))?.is_object {
            return Err(PermitError::Body(BATCH_SHAPE));
        }
        let (mut chain_id, mut owner, mut items) = (None, None, None);
        for (key, value) in Members::new(body) {
            let mut name = [0u8; MAX_NAME_LEN];
            match (json::unescape(key, &mut name), value) {
                (Some("chainId"), value) => set(&mut chain_id, fields::chain_id(value)?, BATCH_SHAPE)?,
                (Some("owner"), value) => set(&mut owner, fields::address(value, "owner")?, BATCH_SHAPE)?,
                (Some("redemptions"), Value::Array(array)) => set(&mut items, array, BATCH_SHAPE)?,
                _ => return Err(PermitError::Body(BATCH_SHAPE)),
            }
        }
        let (chain_id, owner) = (need(chain_id, "chainId")?, need(owner, "owner")?);
        let mut redemptions = heapless::Vec::new();
        for item in Elements::new(need(items, "redemptions")?) {
            let Value::Object(object) = item else { return Err(PermitError::InvalidField("redemptions")) };
            let body = read(MessageKind::Redemption, object, Some(chain_id), REDEMPTION_SHAPE)?;
            if body.message.owner() != owner {
                return Err(PermitError::InvalidField("redemptions"));
            }
            redemptions.push(body).map_err(|_| PermitError::InvalidField("redemptions"))?;
        }
        if redemptions.is_empty() {
            return Err(PermitError::InvalidField("redemptions"));
        }
        Ok(RelayerBatch { chain_id, owner, redemptions })
    }

    /// Writes the SDK's batch body into `out`.
    ///
    /// # Errors
    /// [`PermitError::BufferTooSmall`] if it does not fit.
    pub fn write<'b>(&self, out: &'b mut [u8]) -> Result<&'b str, PermitError> {
        let mut w = Writer(SliceWriter::new(out));
        let written = (|| {
            w.raw(b"{\"chainId\":")?;
            w.u256(&U256::from_u128(self.chain_id.into()), false)?;
            w.raw(b",\"owner\":")?;
            w.address(&self.owner)?;
            w.raw(b",\"redemptions\":[")?;
            for (i, body) in self.redemptions.iter().enumerate() {
                if i > 0 {
                    w.raw(b",")?;
                }
                body.write_into(&mut w, false)?;
            }
            w.raw(b"]}")
        })();
        written.ok_or(PermitError::BufferTooSmall)?;
        core::str::from_utf8(w.0.finish()).map_err(|_| PermitError::BufferTooSmall)
    }
}

/// Reads one body of `kind` (`chain` given: a batch item, which has no `chainId`).
fn read(
    kind: MessageKind,
    object: &[u8],
    chain: Option<u64>,
    shape: &'static str,
) -> Result<RelayerBody, PermitError> {
    let mut chain_id = None;
    let (mut owner, mut other, mut value, mut approved, mut deadline) = (None, None, None, None, None);
    let (mut parent, mut condition, mut sets, mut market) = (None, None, None, None);
    let mut signature = SignatureParts::default();
    for (key, item) in Members::new(object) {
        let mut name = [0u8; MAX_NAME_LEN];
        let name = json::unescape(key, &mut name).ok_or(PermitError::Body(shape))?;
        if signature.take(name, item, shape)? {
            continue;
        }
        match (kind, name) {
            (_, "chainId") if chain.is_none() => set(&mut chain_id, fields::chain_id(item)?, shape)?,
            (_, "owner") => set(&mut owner, fields::address(item, "owner")?, shape)?,
            (_, "deadline") => set(&mut deadline, fields::decimal_string(item, "deadline")?, shape)?,
            (MessageKind::Permit, "spender") => set(&mut other, fields::address(item, "spender")?, shape)?,
            (MessageKind::Permit, "value") => set(&mut value, fields::decimal_string(item, "value")?, shape)?,
            (MessageKind::Approval, "operator") => {
                set(&mut other, fields::address(item, "operator")?, shape)?
            }
            (MessageKind::Approval, "approved") => {
                let Value::Bool(flag) = item else { return Err(PermitError::InvalidField("approved")) };
                set(&mut approved, flag, shape)?;
            }
            (MessageKind::Redemption, "collateralToken") => {
                set(&mut other, fields::address(item, "collateralToken")?, shape)?;
            }
            (MessageKind::Redemption, "parentCollectionId") => {
                set(&mut parent, fields::bytes32(item, "parentCollectionId")?, shape)?;
            }
            (MessageKind::Redemption, "conditionId") => {
                set(&mut condition, fields::bytes32(item, "conditionId")?, shape)?;
            }
            (MessageKind::Redemption, "indexSets") => set(&mut sets, index_sets(item)?, shape)?,
            (MessageKind::Redemption, "marketAddress") => {
                set(&mut market, fields::address(item, "marketAddress")?, shape)?;
            }
            _ => return Err(PermitError::Body(shape)),
        }
    }
    let chain_id = match chain {
        Some(id) => id,
        None => need(chain_id, "chainId")?,
    };
    let owner = need(owner, "owner")?;
    let deadline = need(deadline, "deadline")?;
    let message = match kind {
        MessageKind::Permit => TypedMessage::Permit(UsdcPermit {
            owner,
            spender: need(other, "spender")?,
            value: need(value, "value")?,
            nonce: U256::ZERO,
            deadline,
        }),
        MessageKind::Approval => TypedMessage::Approval(CtfApproval {
            owner,
            operator: need(other, "operator")?,
            approved: need(approved, "approved")?,
            nonce: U256::ZERO,
            deadline,
        }),
        MessageKind::Redemption => TypedMessage::Redemption(Redemption {
            owner,
            collateral_token: need(other, "collateralToken")?,
            parent_collection_id: need(parent, "parentCollectionId")?,
            condition_id: need(condition, "conditionId")?,
            index_sets: need(sets, "indexSets")?,
            nonce: U256::ZERO,
            deadline,
        }),
    };
    Ok(RelayerBody { chain_id, message, signature: signature.finish()?, market_address: market })
}

/// `indexSets`: 1 to 8 decimal strings.
fn index_sets(value: Value<'_>) -> Result<IndexSets, PermitError> {
    let Value::Array(array) = value else { return Err(PermitError::IndexSets) };
    let mut sets = IndexSets::new();
    for element in Elements::new(array) {
        let set = fields::decimal_string(element, "indexSets").map_err(|_| PermitError::IndexSets)?;
        sets.push(set).map_err(|_| PermitError::IndexSets)?;
    }
    if sets.is_empty() {
        return Err(PermitError::IndexSets);
    }
    Ok(sets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eth::WalletKey;
    use crate::turbine::permit::chain::ChainContracts;
    use std::format;
    use std::string::{String, ToString};

    fn approval_body() -> (String, RelayerBody) {
        let wallet = WalletKey::from_bytes(&[5; 32]).unwrap();
        let chain = ChainContracts::of(137).unwrap();
        let message = TypedMessage::Approval(CtfApproval {
            owner: wallet.address(),
            operator: chain.settlement,
            approved: true,
            nonce: U256::from_u128(4),
            deadline: U256::from_u128(1_767_229_200),
        });
        let signature = message.sign(chain, &wallet).unwrap();
        let body = RelayerBody::new(137, message, signature);
        let mut buf = [0u8; MAX_RELAYER_BODY_LEN];
        (String::from(body.write(&mut buf).unwrap()), body)
    }

    #[test]
    fn bodies_round_trip_and_anything_else_is_refused_by_name() {
        let (text, body) = approval_body();
        let read = RelayerBody::parse(MessageKind::Approval, text.as_bytes()).unwrap();
        assert_eq!(read.message(U256::from_u128(4)), body.message);
        assert_eq!(read.signature, body.signature);
        let cases: &[(String, PermitError)] = &[
            (String::from("[]"), PermitError::Body(APPROVAL_SHAPE)),
            (text.replace("\"approved\":true", "\"approved\":1"), PermitError::InvalidField("approved")),
            (text.replace("\"approved\":true,", ""), PermitError::MissingField("approved")),
            (
                text.replace("\"chainId\":137", "\"chainId\":137,\"chainId\":137"),
                PermitError::Body(APPROVAL_SHAPE),
            ),
            (
                text.replace("\"chainId\":137", "\"chainId\":137,\"nonce\":\"4\""),
                PermitError::Body(APPROVAL_SHAPE),
            ),
            (text.replace("\"v\":", "\"x\":1,\"v\":"), PermitError::Body(APPROVAL_SHAPE)),
            (
                text.replace("\"v\":2", "\"v\":29")
                    .replace("\"v\":27", "\"v\":29")
                    .replace("\"v\":28", "\"v\":29"),
                PermitError::SignatureEncoding,
            ),
            (text.replace("\"r\":\"0x", "\"r\":\"0x0"), PermitError::SignatureEncoding),
            (
                text.replace("\"deadline\":\"1767229200\"", "\"deadline\":1767229200"),
                PermitError::InvalidField("deadline"),
            ),
            (
                text.replace("\"deadline\":\"1767229200\"", "\"deadline\":\"01767229200\""),
                PermitError::InvalidField("deadline"),
            ),
            (text.replace("\"chainId\":137", "\"chainId\":-1"), PermitError::InvalidField("chainId")),
        ];
        for (body, expected) in cases {
            assert_eq!(RelayerBody::parse(MessageKind::Approval, body.as_bytes()), Err(*expected), "{body}");
        }
        // The approval's fields are not a permit's.
        assert!(RelayerBody::parse(MessageKind::Permit, text.as_bytes()).is_err());
    }

    #[test]
    fn a_batch_reads_each_redemption_for_its_one_owner() {
        let wallet = WalletKey::from_bytes(&[6; 32]).unwrap();
        let chain = ChainContracts::of(84532).unwrap();
        let mut sets = IndexSets::new();
        sets.push(U256::from_u128(1)).unwrap();
        let redemption = |n: u128| {
            let message = TypedMessage::Redemption(Redemption {
                owner: wallet.address(),
                collateral_token: chain.usdc,
                parent_collection_id: [0; 32],
                condition_id: [7; 32],
                index_sets: sets.clone(),
                nonce: U256::from_u128(n),
                deadline: U256::from_u128(1_767_229_200),
            });
            let signature = message.sign(chain, &wallet).unwrap();
            RelayerBody {
                market_address: Some(chain.settlement),
                ..RelayerBody::new(84532, message, signature)
            }
        };
        let batch = RelayerBatch {
            chain_id: 84532,
            owner: wallet.address(),
            redemptions: [redemption(0), redemption(1)].into_iter().collect(),
        };
        let mut buf = [0u8; 4096];
        let text = String::from(batch.write(&mut buf).unwrap());
        let read = RelayerBatch::parse(text.as_bytes()).unwrap();
        assert_eq!(read.redemptions.len(), 2);
        assert_eq!(read.redemptions[1].message(U256::from_u128(1)), batch.redemptions[1].message);
        let other = format!("{}", WalletKey::from_bytes(&[9; 32]).unwrap().address());
        let foreign = text.replacen(&wallet.address().to_string(), &other, 1);
        assert_eq!(RelayerBatch::parse(foreign.as_bytes()), Err(PermitError::InvalidField("redemptions")));
        let empty = format!("{{\"chainId\":84532,\"owner\":\"{}\",\"redemptions\":[]}}", wallet.address());
        assert_eq!(RelayerBatch::parse(empty.as_bytes()), Err(PermitError::InvalidField("redemptions")));
    }
}

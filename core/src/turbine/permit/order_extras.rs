//! What the current SDK attaches to an order body besides the signed order: a USDC permit
//! (`"permitSignature": {nonce, value, deadline, v, r, s}`, from `sign_usdc_permit`) and Bot
//! Studio metadata (`"bot_metadata": {bot_id, extra_fee_bps}`). Neither is covered by the
//! order's signature; the permit has its own.

use serde::{Deserialize, Serialize};

use crate::eth::{Address, EthSignature, U256};
use crate::json::{self, Members, Value};
use crate::text::SliceWriter;
use crate::turbine::permit::chain::ChainContracts;
use crate::turbine::permit::error::PermitError;
use crate::turbine::permit::fields::{self, MAX_NAME_LEN, SignatureParts, Writer, need, set};
use crate::turbine::permit::message::{TypedMessage, UsdcPermit};

/// Longest `bot_id`, in bytes.
pub const MAX_BOT_ID_LEN: usize = 64;

/// Highest `extra_fee_bps`: 10,000 basis points is the whole amount, so nothing above it is a
/// fee (the SDK does not bound it; Bot Studio's fees are a few hundred).
pub const MAX_EXTRA_FEE_BPS: u16 = 10_000;

const PERMIT_SHAPE: &str = "{\"nonce\", \"value\", \"deadline\", \"v\", \"r\", \"s\"}";
const BOT_SHAPE: &str = "{\"bot_id\", \"extra_fee_bps\"}";

/// A USDC permit attached to an order: the owner is the order's trader and the spender the
/// chain's settlement contract, so only these travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderPermit {
    /// The permit nonce at USDC.
    pub nonce: U256,
    /// The allowance, six decimals.
    pub value: U256,
    /// Unix seconds.
    pub deadline: U256,
    /// `v`, `r`, `s`.
    pub signature: EthSignature,
}

impl OrderPermit {
    /// The permit it stands for: `trader` lets `chain`'s settlement contract spend `value`.
    #[must_use]
    pub fn message(&self, trader: Address, chain: &ChainContracts) -> TypedMessage {
        TypedMessage::Permit(UsdcPermit {
            owner: trader,
            spender: chain.settlement,
            value: self.value,
            nonce: self.nonce,
            deadline: self.deadline,
        })
    }

    /// Reads a `permitSignature` object (numbers as JSON integers, `r` and `s` hex strings).
    ///
    /// # Errors
    /// [`PermitError`] naming what is wrong.
    pub fn parse_json(object: &[u8]) -> Result<Self, PermitError> {
        if !json::check(object).map_err(|_| PermitError::Body(PERMIT_SHAPE))?.is_object {
            return Err(PermitError::Body(PERMIT_SHAPE));
        }
        let (mut nonce, mut value, mut deadline) = (None, None, None);
        let mut signature = SignatureParts::default();
        for (key, item) in Members::new(object) {
            let mut name = [0u8; MAX_NAME_LEN];
            let name = json::unescape(key, &mut name).ok_or(PermitError::Body(PERMIT_SHAPE))?;
            if signature.take(name, item, PERMIT_SHAPE)? {
                continue;
            }
            match name {
                "nonce" => set(&mut nonce, fields::number(item, "nonce")?, PERMIT_SHAPE)?,
                "value" => set(&mut value, fields::number(item, "value")?, PERMIT_SHAPE)?,
                "deadline" => set(&mut deadline, fields::number(item, "deadline")?, PERMIT_SHAPE)?,
                _ => return Err(PermitError::Body(PERMIT_SHAPE)),
            }
        }
        Ok(OrderPermit {
            nonce: need(nonce, "nonce")?,
            value: need(value, "value")?,
            deadline: need(deadline, "deadline")?,
            signature: signature.finish()?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Option<()> {
        w.raw(b"{\"nonce\":")?;
        w.u256(&self.nonce, false)?;
        w.raw(b",\"value\":")?;
        w.u256(&self.value, false)?;
        w.raw(b",\"deadline\":")?;
        w.u256(&self.deadline, false)?;
        w.raw(b",")?;
        w.signature(&self.signature)?;
        w.raw(b"}")
    }
}

/// Bot Studio's metadata: which bot placed the order and the extra fee its author takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotMetadata {
    /// 1 to [`MAX_BOT_ID_LEN`] printable ASCII characters.
    pub bot_id: heapless::String<MAX_BOT_ID_LEN>,
    /// Basis points, 0 to [`MAX_EXTRA_FEE_BPS`].
    pub extra_fee_bps: u16,
}

impl BotMetadata {
    /// Checked metadata.
    ///
    /// # Errors
    /// [`PermitError::BotId`], [`PermitError::ExtraFee`].
    pub fn new(bot_id: &str, extra_fee_bps: u16) -> Result<Self, PermitError> {
        let printable = |b: &u8| (0x20..0x7f).contains(b);
        if bot_id.is_empty() || !bot_id.as_bytes().iter().all(printable) {
            return Err(PermitError::BotId);
        }
        if extra_fee_bps > MAX_EXTRA_FEE_BPS {
            return Err(PermitError::ExtraFee);
        }
        let mut id = heapless::String::new();
        id.push_str(bot_id).map_err(|_| PermitError::BotId)?;
        Ok(BotMetadata { bot_id: id, extra_fee_bps })
    }

    /// Reads a `bot_metadata` object.
    ///
    /// # Errors
    /// [`PermitError`] naming what is wrong.
    pub fn parse_json(object: &[u8]) -> Result<Self, PermitError> {
        if !json::check(object).map_err(|_| PermitError::Body(BOT_SHAPE))?.is_object {
            return Err(PermitError::Body(BOT_SHAPE));
        }
        let (mut bot_id, mut fee) = (None, None);
        for (key, item) in Members::new(object) {
            let mut name = [0u8; MAX_NAME_LEN];
            match (json::unescape(key, &mut name), item) {
                (Some("bot_id"), Value::String(raw)) => {
                    let mut text = [0u8; MAX_BOT_ID_LEN];
                    let text = json::unescape(raw, &mut text).ok_or(PermitError::BotId)?;
                    let mut id = heapless::String::<MAX_BOT_ID_LEN>::new();
                    id.push_str(text).map_err(|_| PermitError::BotId)?;
                    set(&mut bot_id, id, BOT_SHAPE)?;
                }
                (Some("bot_id"), _) => return Err(PermitError::BotId),
                (Some("extra_fee_bps"), item) => {
                    let bps = fields::number(item, "extra_fee_bps")
                        .ok()
                        .and_then(|n| n.to_u64())
                        .and_then(|n| u16::try_from(n).ok())
                        .ok_or(PermitError::ExtraFee)?;
                    set(&mut fee, bps, BOT_SHAPE)?;
                }
                _ => return Err(PermitError::Body(BOT_SHAPE)),
            }
        }
        let bot_id = need(bot_id, "bot_id")?;
        BotMetadata::new(&bot_id, need(fee, "extra_fee_bps")?)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Option<()> {
        // Printable ASCII: only `"` and `\\` need escaping.
        w.raw(b"{\"bot_id\":\"")?;
        for &b in self.bot_id.as_bytes() {
            if b == b'"' || b == b'\\' {
                w.raw(b"\\")?;
            }
            w.raw(&[b])?;
        }
        let mut digits = [0u8; crate::text::DECIMAL_U128_LEN];
        w.raw(b"\",\"extra_fee_bps\":")?;
        w.raw(crate::text::format_u128(self.extra_fee_bps.into(), &mut digits))?;
        w.raw(b"}")
    }
}

/// A writer over `out`, for the order module's submission body.
pub(crate) fn writer(out: &mut [u8]) -> Writer<'_> {
    Writer(SliceWriter::new(out))
}

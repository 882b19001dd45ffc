//! The body the current SDK posts to `/api/v1/orders`: the signed order, and optionally a USDC
//! permit and Bot Studio metadata beside it (`SignedOrder.to_dict` in v0.1.16).

use crate::json::{self, Members, Value};
use crate::turbine::order::body::{MAX_ORDER_BODY_LEN, read_signed};
use crate::turbine::order::error::OrderError;
use crate::turbine::order::typed::SignedOrder;
use crate::turbine::permit::{BotMetadata, OrderPermit, PermitError};

/// Longest body [`OrderSubmission::write_body`] writes: the order's, a permit of three 78-digit
/// numbers and a 64-character bot id.
pub const MAX_ORDER_SUBMISSION_LEN: usize = 1_024;

/// An order as posted: what the order's signature covers, and the extras beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderSubmission {
    /// `order` and `signature`.
    pub signed: SignedOrder,
    /// `permitSignature`: a USDC permit for the settlement contract, signed by the trader.
    pub permit: Option<OrderPermit>,
    /// `bot_metadata`.
    pub bot: Option<BotMetadata>,
}

/// Why a submission was refused: its order, or one of its extras.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubmissionError {
    /// The order or its signature.
    Order(OrderError),
    /// `permitSignature` or `bot_metadata`.
    Extra(PermitError),
}

impl core::fmt::Display for SubmissionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SubmissionError::Order(OrderError::Body) => f.write_str(
                "order body must be {\"order\": {...}, \"signature\": \"0x...\", \"permitSignature\"?: {...}, \"bot_metadata\"?: {...}}",
            ),
            SubmissionError::Order(e) => e.fmt(f),
            SubmissionError::Extra(PermitError::Body(shape)) => write!(f, "permitSignature or bot_metadata must be {shape}"),
            SubmissionError::Extra(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for SubmissionError {}

impl From<OrderError> for SubmissionError {
    fn from(e: OrderError) -> Self {
        SubmissionError::Order(e)
    }
}

impl From<PermitError> for SubmissionError {
    fn from(e: PermitError) -> Self {
        SubmissionError::Extra(e)
    }
}

impl OrderSubmission {
    /// The plain order, without extras.
    #[must_use]
    pub fn new(signed: SignedOrder) -> Self {
        OrderSubmission { signed, permit: None, bot: None }
    }

    /// Reads a posted body: `order` and `signature` as [`SignedOrder::parse_body`] reads them,
    /// and at most one each of `permitSignature` and `bot_metadata`; any other member is
    /// refused, as before.
    ///
    /// # Errors
    /// [`SubmissionError`].
    pub fn parse_body(body: &[u8]) -> Result<Self, SubmissionError> {
        let (signed, extras) = read_signed(body, |name| matches!(name, "permitSignature" | "bot_metadata"))?;
        let (mut permit, mut bot) = (None, None);
        for (key, value) in extras.map(Members::new).into_iter().flatten() {
            let mut name = [0u8; 17];
            match (json::unescape(key, &mut name), value) {
                (Some("permitSignature"), Value::Object(raw)) if permit.is_none() => {
                    permit = Some(OrderPermit::parse_json(raw)?);
                }
                (Some("bot_metadata"), Value::Object(raw)) if bot.is_none() => {
                    bot = Some(BotMetadata::parse_json(raw)?);
                }
                (Some("permitSignature" | "bot_metadata"), _) => return Err(OrderError::Body.into()),
                _ => {}
            }
        }
        Ok(OrderSubmission { signed, permit, bot })
    }

    /// Writes the SDK's body: the order's, then `permitSignature` and `bot_metadata` when set.
    ///
    /// # Errors
    /// [`OrderError::BufferTooSmall`] if it does not fit ([`MAX_ORDER_SUBMISSION_LEN`] does).
    pub fn write_body<'b>(&self, out: &'b mut [u8]) -> Result<&'b str, OrderError> {
        let mut order = [0u8; MAX_ORDER_BODY_LEN];
        let order = self.signed.write_body(&mut order)?;
        let without_brace = order.strip_suffix('}').ok_or(OrderError::BufferTooSmall)?;
        let mut w = crate::turbine::permit::order_extras::writer(out);
        let written = (|| {
            w.raw(without_brace.as_bytes())?;
            if let Some(permit) = &self.permit {
                w.raw(b",\"permitSignature\":")?;
                permit.write(&mut w)?;
            }
            if let Some(bot) = &self.bot {
                w.raw(b",\"bot_metadata\":")?;
                bot.write(&mut w)?;
            }
            w.raw(b"}")
        })();
        written.ok_or(OrderError::BufferTooSmall)?;
        core::str::from_utf8(w.0.finish()).map_err(|_| OrderError::BufferTooSmall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eth::U256;
    use crate::turbine::order::domain::OrderDomain;
    use crate::turbine::order::typed::tests::sample;
    use crate::turbine::permit::{ChainContracts, PermitError};
    use std::string::String;

    fn submission() -> OrderSubmission {
        let (order, wallet) = sample();
        let signed = order.sign(&OrderDomain::for_chain(137).unwrap(), &wallet).unwrap();
        let chain = ChainContracts::of(137).unwrap();
        let permit = OrderPermit {
            nonce: U256::from_u128(2),
            value: U256::MAX,
            deadline: U256::from_u128(1_767_229_200),
            signature: signed.signature,
        };
        let message = permit.message(order.trader, chain);
        let permit = OrderPermit { signature: message.sign(chain, &wallet).unwrap(), ..permit };
        OrderSubmission { signed, permit: Some(permit), bot: Some(BotMetadata::new("my-bot", 25).unwrap()) }
    }

    #[test]
    fn the_current_sdks_body_round_trips_and_the_plain_one_still_reads() {
        let full = submission();
        let mut buf = [0u8; MAX_ORDER_SUBMISSION_LEN];
        let text = String::from(full.write_body(&mut buf).unwrap());
        assert!(text.contains(",\"permitSignature\":{\"nonce\":2,\"value\":1157920892"), "{text}");
        assert!(text.ends_with(",\"bot_metadata\":{\"bot_id\":\"my-bot\",\"extra_fee_bps\":25}}"), "{text}");
        assert_eq!(OrderSubmission::parse_body(text.as_bytes()), Ok(full.clone()));
        // Extras are only for the submission: a stored order's body stays strict.
        assert_eq!(SignedOrder::parse_body(text.as_bytes()), Err(OrderError::Body));
        let mut plain = [0u8; MAX_ORDER_BODY_LEN];
        let plain = full.signed.write_body(&mut plain).unwrap();
        assert_eq!(OrderSubmission::parse_body(plain.as_bytes()), Ok(OrderSubmission::new(full.signed)));
        let cases: &[(String, SubmissionError)] = &[
            (text.replace("\"my-bot\"", "\"\""), PermitError::BotId.into()),
            (text.replace("\"my-bot\"", "\"tab\\there\""), PermitError::BotId.into()),
            (text.replace("\"my-bot\"", &std::format!("\"{}\"", "b".repeat(65))), PermitError::BotId.into()),
            (text.replace(":25}", ":10001}"), PermitError::ExtraFee.into()),
            (text.replace(":25}", ":-1}"), PermitError::ExtraFee.into()),
            (
                text.replace(":25}", ":25,\"x\":1}"),
                PermitError::Body("{\"bot_id\", \"extra_fee_bps\"}").into(),
            ),
            (text.replace("\"nonce\":2,", ""), PermitError::MissingField("nonce").into()),
            (
                text.replace("\"bot_metadata\":{", "\"bot_metadata\":[{").replace("}}", "}]}"),
                OrderError::Body.into(),
            ),
            (text.replace("\"permitSignature\"", "\"permit\""), OrderError::Body.into()),
        ];
        for (body, expected) in cases {
            assert_eq!(OrderSubmission::parse_body(body.as_bytes()), Err(*expected), "{body}");
        }
        let twice = text.replace(
            ",\"bot_metadata\"",
            ",\"bot_metadata\":{\"bot_id\":\"a\",\"extra_fee_bps\":0},\"bot_metadata\"",
        );
        assert_eq!(OrderSubmission::parse_body(twice.as_bytes()), Err(OrderError::Body.into()));
    }
}

//! The body posted to `/api/v1/orders`, as the SDK's `SignedOrder.to_dict` makes it:
//! `{"order":{marketId, trader, side, outcome, price, size, nonce, expiration,
//! makerFeeRecipient},"signature":"0x…"}`, numbers as JSON integers at any size.

use crate::eth::{ADDRESS_TEXT_LEN, Address, EthSignature};
use crate::json::{self, Members, Value};
use crate::text::{DECIMAL_U128_LEN, SliceWriter, format_u128, parse_u128};
use crate::turbine::order::error::OrderError;
use crate::turbine::order::fields::{Outcome, Side};
use crate::turbine::order::market::{MARKET_ID_TEXT_LEN, MarketId};
use crate::turbine::order::typed::{Order, OrderArgs, SignedOrder};

/// Longest body [`SignedOrder::write_body`] writes (a 64-digit market id, 39-digit size and
/// nonce, 20-digit expiration).
pub const MAX_ORDER_BODY_LEN: usize = 522;

/// Longest member name of the order object (`makerFeeRecipient`).
const MAX_NAME_LEN: usize = 17;

impl SignedOrder {
    /// Writes the SDK's body, compact, into `out`: trader and fee recipient in EIP-55 case, the
    /// market id as [`MarketId`] holds it, the signature in lower-case hex.
    ///
    /// # Errors
    /// [`OrderError::BufferTooSmall`] if it does not fit (nothing useful is left in `out`);
    /// [`MAX_ORDER_BODY_LEN`] always fits.
    pub fn write_body<'b>(&self, out: &'b mut [u8]) -> Result<&'b str, OrderError> {
        let written = self.write(out).ok_or(OrderError::BufferTooSmall)?;
        // Every piece written is ASCII.
        core::str::from_utf8(written).map_err(|_| OrderError::BufferTooSmall)
    }

    fn write<'b>(&self, out: &'b mut [u8]) -> Option<&'b [u8]> {
        let order = &self.order;
        let mut w = SliceWriter::new(out);
        let mut digits = [0u8; DECIMAL_U128_LEN];
        w.put(b"{\"order\":{\"marketId\":\"")?;
        w.put(order.market_id.to_text().as_bytes())?;
        w.put(b"\",\"trader\":\"")?;
        w.put(order.trader.to_checksummed().as_bytes())?;
        w.put(b"\",\"side\":")?;
        w.put(format_u128(order.side.as_u8().into(), &mut digits))?;
        w.put(b",\"outcome\":")?;
        w.put(format_u128(order.outcome.as_u8().into(), &mut digits))?;
        w.put(b",\"price\":")?;
        w.put(format_u128(order.price.into(), &mut digits))?;
        w.put(b",\"size\":")?;
        w.put(format_u128(order.size, &mut digits))?;
        w.put(b",\"nonce\":")?;
        w.put(format_u128(order.nonce, &mut digits))?;
        w.put(b",\"expiration\":")?;
        w.put(format_u128(order.expiration.into(), &mut digits))?;
        w.put(b",\"makerFeeRecipient\":\"")?;
        w.put(order.maker_fee_recipient.to_checksummed().as_bytes())?;
        w.put(b"\"},\"signature\":\"")?;
        w.put(self.signature.to_hex().as_bytes())?;
        w.put(b"\"}")?;
        Some(w.finish())
    }

    /// Reads a posted body: any JSON spacing and member order, each member exactly once, no
    /// other members (a field the signature does not cover has no place in a signed order).
    ///
    /// # Errors
    /// [`OrderError::Body`] for the wrong shape, the order's own errors for its fields,
    /// [`OrderError::SignatureEncoding`] for a signature that is not `0x` and 130 hex digits.
    pub fn parse_body(body: &[u8]) -> Result<Self, OrderError> {
        read_signed(body, |_| false).map(|(signed, _)| signed)
    }
}

/// Reads `order` and `signature` of a body, each exactly once; members `extra` accepts are
/// left for the caller (the body is returned to read them), any other is refused.
pub(super) fn read_signed(
    body: &[u8],
    extra: impl Fn(&str) -> bool,
) -> Result<(SignedOrder, Option<&[u8]>), OrderError> {
    if !json::check(body).map_err(|_| OrderError::Body)?.is_object {
        return Err(OrderError::Body);
    }
    let (mut order, mut signature, mut extras) = (None, None, None);
    for (key, value) in Members::new(body) {
        let mut name = [0u8; MAX_NAME_LEN];
        match (json::unescape(key, &mut name), value) {
            (Some("order"), Value::Object(raw)) if order.is_none() => order = Some(read_order(raw)?),
            (Some("signature"), Value::String(raw)) if signature.is_none() => {
                let mut text = [0u8; 2 + 2 * crate::eth::ETH_SIGNATURE_LEN];
                let text = json::unescape(raw, &mut text).ok_or(OrderError::SignatureEncoding)?;
                signature = Some(
                    EthSignature::parse_hex(text.as_bytes()).map_err(|_| OrderError::SignatureEncoding)?,
                );
            }
            (Some(name), _) if extra(name) => extras = Some(body),
            _ => return Err(OrderError::Body),
        }
    }
    match (order, signature) {
        (Some(order), Some(signature)) => Ok((SignedOrder { order, signature }, extras)),
        (None, _) => Err(OrderError::Body),
        (Some(_), None) => Err(OrderError::MissingField("signature")),
    }
}

impl Order {
    /// Reads an order object (the `order` member of a body) on its own.
    ///
    /// # Errors
    /// As [`SignedOrder::parse_body`] does for the order.
    pub fn parse_json(object: &[u8]) -> Result<Self, OrderError> {
        if !json::check(object).map_err(|_| OrderError::Body)?.is_object {
            return Err(OrderError::Body);
        }
        read_order(object)
    }
}

/// Each field of an order once; a missing one is named, an unknown or repeated one refused.
fn read_order(object: &[u8]) -> Result<Order, OrderError> {
    let mut market_id = None;
    let mut trader = None;
    let mut side = None;
    let mut outcome = None;
    let mut price = None;
    let mut size = None;
    let mut nonce = None;
    let mut expiration = None;
    let mut fee = None;
    for (key, value) in Members::new(object) {
        let mut name = [0u8; MAX_NAME_LEN];
        let name = json::unescape(key, &mut name).ok_or(OrderError::Body)?;
        match name {
            "marketId" => set(&mut market_id, read_market_id(value)?)?,
            "trader" => set(&mut trader, read_address(value, "trader")?)?,
            "side" => set(&mut side, Side::from_u8(small(value, "side", OrderError::Side)?)?)?,
            "outcome" => {
                set(&mut outcome, Outcome::from_u8(small(value, "outcome", OrderError::Outcome)?)?)?;
            }
            "price" => {
                let value = number(value, "price")?;
                set(&mut price, u32::try_from(value).map_err(|_| OrderError::Price)?)?;
            }
            "size" => set(&mut size, number(value, "size")?)?,
            "nonce" => set(&mut nonce, number(value, "nonce")?)?,
            "expiration" => {
                let value = number(value, "expiration")?;
                set(&mut expiration, u64::try_from(value).map_err(|_| OrderError::Expiration)?)?;
            }
            "makerFeeRecipient" => set(&mut fee, read_address(value, "makerFeeRecipient")?)?,
            _ => return Err(OrderError::Body),
        }
    }
    Order::new(OrderArgs {
        market_id: market_id.ok_or(OrderError::MissingField("marketId"))?,
        trader: trader.ok_or(OrderError::MissingField("trader"))?,
        side: side.ok_or(OrderError::MissingField("side"))?,
        outcome: outcome.ok_or(OrderError::MissingField("outcome"))?,
        price: price.ok_or(OrderError::MissingField("price"))?,
        size: size.ok_or(OrderError::MissingField("size"))?,
        nonce: nonce.ok_or(OrderError::MissingField("nonce"))?,
        expiration: expiration.ok_or(OrderError::MissingField("expiration"))?,
        maker_fee_recipient: fee.ok_or(OrderError::MissingField("makerFeeRecipient"))?,
    })
}

/// Fills a field seen for the first time; a repeated member is a malformed body.
fn set<T>(slot: &mut Option<T>, value: T) -> Result<(), OrderError> {
    if slot.replace(value).is_some() { Err(OrderError::Body) } else { Ok(()) }
}

fn number(value: Value<'_>, name: &'static str) -> Result<u128, OrderError> {
    match value {
        Value::Number(text) => parse_u128(text).ok_or(OrderError::InvalidField(name)),
        _ => Err(OrderError::InvalidField(name)),
    }
}

/// A `uint8` field; any other integer is `range`'s error.
fn small(value: Value<'_>, name: &'static str, range: OrderError) -> Result<u8, OrderError> {
    u8::try_from(number(value, name)?).map_err(|_| range)
}

fn read_market_id(value: Value<'_>) -> Result<MarketId, OrderError> {
    let Value::String(raw) = value else { return Err(OrderError::InvalidField("marketId")) };
    let mut text = [0u8; MARKET_ID_TEXT_LEN];
    let text = json::unescape(raw, &mut text).ok_or(OrderError::MarketId)?;
    MarketId::parse(text.as_bytes())
}

fn read_address(value: Value<'_>, name: &'static str) -> Result<Address, OrderError> {
    let Value::String(raw) = value else { return Err(OrderError::InvalidField(name)) };
    let mut text = [0u8; ADDRESS_TEXT_LEN];
    let text = json::unescape(raw, &mut text).ok_or(OrderError::InvalidField(name))?;
    Address::parse(text.as_bytes()).map_err(|_| OrderError::InvalidField(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::turbine::order::domain::OrderDomain;
    use crate::turbine::order::typed::tests::sample;
    use std::format;
    use std::string::String;

    fn signed() -> SignedOrder {
        let (order, wallet) = sample();
        order.sign(&OrderDomain::for_chain(137).unwrap(), &wallet).unwrap()
    }

    #[test]
    fn writes_the_sdk_body_and_reads_it_back() {
        let signed = signed();
        let mut buf = [0u8; MAX_ORDER_BODY_LEN];
        let body = signed.write_body(&mut buf).unwrap();
        assert!(body.starts_with(r#"{"order":{"marketId":"0x7be8"#), "{body}");
        assert!(body.contains(r#","side":0,"outcome":0,"price":642000,"size":12500000,"nonce":7590176159287148326,"expiration":1764583200,"makerFeeRecipient":"0x0000000000000000000000000000000000000000"},"signature":"0x"#));
        assert_eq!(SignedOrder::parse_body(body.as_bytes()), Ok(signed));
        let value: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(value["order"]["trader"], signed.order.trader.to_checksummed().as_str());
    }

    #[test]
    fn the_longest_body_fits_exactly_and_short_buffers_are_refused() {
        let signed = signed();
        let mut args = *signed.order;
        args.market_id = MarketId::from_bytes([0xff; 32]);
        args.size = u128::MAX;
        args.nonce = u128::MAX;
        args.expiration = u64::MAX;
        let longest = SignedOrder { order: Order::new(args).unwrap(), ..signed };
        let mut buf = [0u8; MAX_ORDER_BODY_LEN + 1];
        assert_eq!(longest.write_body(&mut buf).unwrap().len(), MAX_ORDER_BODY_LEN);
        let len = signed.write_body(&mut buf).unwrap().len();
        assert_eq!(signed.write_body(&mut buf[..len - 1]), Err(OrderError::BufferTooSmall));
    }

    #[test]
    fn reads_any_spacing_and_order_but_refuses_what_is_not_the_sdk_shape() {
        let signed = signed();
        let mut buf = [0u8; MAX_ORDER_BODY_LEN];
        let body = String::from(signed.write_body(&mut buf).unwrap());
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        assert_eq!(SignedOrder::parse_body(pretty.as_bytes()), Ok(signed));
        let spaced = format!(r#"{{ "signature" : "{}", "order" : {} }}"#, signed.signature, value["order"]);
        assert_eq!(SignedOrder::parse_body(spaced.as_bytes()), Ok(signed));

        let cases: &[(String, OrderError)] = &[
            (String::from("[]"), OrderError::Body),
            (String::from("{"), OrderError::Body),
            (body.replace(r#""side":0"#, r#""side":0,"side":0"#), OrderError::Body),
            (body.replace(r#""side":0"#, r#""side":0,"extra":1"#), OrderError::Body),
            (body.replace(r#"},"signature""#, r#"},"chainId":137,"signature""#), OrderError::Body),
            (body.replace(r#""side":0,"#, ""), OrderError::MissingField("side")),
            (body.replace(r#""side":0"#, r#""side":"0""#), OrderError::InvalidField("side")),
            (body.replace(r#""side":0"#, r#""side":2"#), OrderError::Side),
            (body.replace(r#""side":0"#, r#""side":256"#), OrderError::Side),
            (body.replace(r#""outcome":0"#, r#""outcome":7"#), OrderError::Outcome),
            (body.replace(r#""price":642000"#, r#""price":0"#), OrderError::Price),
            (body.replace(r#""price":642000"#, r#""price":4294967296"#), OrderError::Price),
            (body.replace(r#""price":642000"#, r#""price":642000.0"#), OrderError::InvalidField("price")),
            (body.replace(r#""price":642000"#, r#""price":-1"#), OrderError::InvalidField("price")),
            (body.replace(r#""size":12500000"#, r#""size":0"#), OrderError::Size),
            (
                body.replace(r#""size":12500000"#, r#""size":340282366920938463463374607431768211456"#),
                OrderError::InvalidField("size"),
            ),
            (body.replace(r#""expiration":1764583200"#, r#""expiration":0"#), OrderError::Expiration),
            (
                body.replace(r#""expiration":1764583200"#, r#""expiration":18446744073709551616"#),
                OrderError::Expiration,
            ),
            (body.replace("0x7be8", "0xzbe8"), OrderError::MarketId),
            (body.replace(r#""0x7be8"#, r#""0x007be8"#), OrderError::MarketId),
            (
                body.replace(r#""0x0000000000000000000000000000000000000000""#, r#""0x00""#),
                OrderError::InvalidField("makerFeeRecipient"),
            ),
            (body.replace(r#","signature":"0x"#, r#","signature":"0xzz"#), OrderError::SignatureEncoding),
            (body.replace(r#","signature":"0x"#, r#","signature":"0"#), OrderError::SignatureEncoding),
        ];
        for (text, expected) in cases {
            assert_eq!(SignedOrder::parse_body(text.as_bytes()), Err(*expected), "{text}");
        }
        let no_signature = format!(r#"{{"order":{}}}"#, value["order"]);
        assert_eq!(
            SignedOrder::parse_body(no_signature.as_bytes()),
            Err(OrderError::MissingField("signature"))
        );
    }
}

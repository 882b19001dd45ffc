//! Reading and writing the fields the SDK's bodies are made of: addresses, `bytes32`, `uint256`
//! as decimal strings or JSON numbers, and a signature split into `v`, `r` and `s`.

use crate::eth::{ADDRESS_TEXT_LEN, Address, ETH_SIGNATURE_LEN, EthSignature, U256, U256_DECIMAL_LEN};
use crate::json::{self, Value};
use crate::text::SliceWriter;
use crate::turbine::permit::error::PermitError;

/// Longest member name the readers take (`parentCollectionId`).
pub(super) const MAX_NAME_LEN: usize = 18;

/// Fills a field seen for the first time; a repeated member is a malformed body.
pub(super) fn set<T>(slot: &mut Option<T>, value: T, shape: &'static str) -> Result<(), PermitError> {
    if slot.replace(value).is_some() { Err(PermitError::Body(shape)) } else { Ok(()) }
}

/// The value of a required member.
pub(super) fn need<T>(slot: Option<T>, name: &'static str) -> Result<T, PermitError> {
    slot.ok_or(PermitError::MissingField(name))
}

pub(super) fn address(value: Value<'_>, name: &'static str) -> Result<Address, PermitError> {
    let Value::String(raw) = value else { return Err(PermitError::InvalidField(name)) };
    let mut text = [0u8; ADDRESS_TEXT_LEN];
    let text = json::unescape(raw, &mut text).ok_or(PermitError::InvalidField(name))?;
    Address::parse(text.as_bytes()).map_err(|_| PermitError::InvalidField(name))
}

/// `0x` and 64 hex digits.
pub(super) fn bytes32(value: Value<'_>, name: &'static str) -> Result<[u8; 32], PermitError> {
    let Value::String(raw) = value else { return Err(PermitError::InvalidField(name)) };
    let mut text = [0u8; 66];
    let text = json::unescape(raw, &mut text).ok_or(PermitError::InvalidField(name))?;
    let digits = text.strip_prefix("0x").ok_or(PermitError::InvalidField(name))?;
    let mut out = [0u8; 32];
    hex::decode_to_slice(digits, &mut out).map_err(|_| PermitError::InvalidField(name))?;
    Ok(out)
}

/// A `uint256` written as a decimal string (`"value": "1000000"`), as the relayer bodies do.
pub(super) fn decimal_string(value: Value<'_>, name: &'static str) -> Result<U256, PermitError> {
    let Value::String(raw) = value else { return Err(PermitError::InvalidField(name)) };
    let mut text = [0u8; U256_DECIMAL_LEN];
    let text = json::unescape(raw, &mut text).ok_or(PermitError::InvalidField(name))?;
    U256::parse_decimal(text.as_bytes()).ok_or(PermitError::InvalidField(name))
}

/// A `uint256` written as a JSON integer at any size, as Python writes an `int`.
pub(super) fn number(value: Value<'_>, name: &'static str) -> Result<U256, PermitError> {
    let Value::Number(text) = value else { return Err(PermitError::InvalidField(name)) };
    U256::parse_decimal(text).ok_or(PermitError::InvalidField(name))
}

/// A chain id: a JSON integer that fits 64 bits.
pub(super) fn chain_id(value: Value<'_>) -> Result<u64, PermitError> {
    number(value, "chainId")?.to_u64().ok_or(PermitError::InvalidField("chainId"))
}

/// A signature's three parts as the SDK writes them.
#[derive(Default)]
pub(super) struct SignatureParts {
    pub(super) v: Option<u8>,
    pub(super) r: Option<[u8; 32]>,
    pub(super) s: Option<[u8; 32]>,
}

impl SignatureParts {
    /// Takes `v`, `r` or `s`; `false` for any other member name.
    pub(super) fn take(
        &mut self,
        name: &str,
        value: Value<'_>,
        shape: &'static str,
    ) -> Result<bool, PermitError> {
        match name {
            "v" => {
                let v = number(value, "v")
                    .ok()
                    .and_then(|v| v.to_u64())
                    .filter(|v| *v == 27 || *v == 28)
                    .ok_or(PermitError::SignatureEncoding)?;
                set(&mut self.v, v as u8, shape)?;
            }
            "r" => set(&mut self.r, word(value)?, shape)?,
            "s" => set(&mut self.s, word(value)?, shape)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The signature, once all three were given.
    pub(super) fn finish(self) -> Result<EthSignature, PermitError> {
        let mut bytes = [0u8; ETH_SIGNATURE_LEN];
        let (r, rest) = bytes.split_at_mut(32);
        let (s, v) = rest.split_at_mut(32);
        r.copy_from_slice(&need(self.r, "r")?);
        s.copy_from_slice(&need(self.s, "s")?);
        v.copy_from_slice(&[need(self.v, "v")?]);
        Ok(EthSignature::from_bytes(bytes))
    }
}

/// `r` or `s`: `0x` and exactly 64 hex digits.
fn word(value: Value<'_>) -> Result<[u8; 32], PermitError> {
    bytes32(value, "r").map_err(|_| PermitError::SignatureEncoding)
}

/// Writes the pieces of a body.
pub(crate) struct Writer<'b>(pub(crate) SliceWriter<'b>);

impl Writer<'_> {
    pub(crate) fn raw(&mut self, bytes: &[u8]) -> Option<()> {
        self.0.put(bytes)
    }

    pub(crate) fn address(&mut self, address: &Address) -> Option<()> {
        self.0.put(b"\"")?;
        self.0.put(address.to_checksummed().as_bytes())?;
        self.0.put(b"\"")
    }

    pub(crate) fn bytes32(&mut self, word: &[u8; 32]) -> Option<()> {
        let mut digits = [0u8; 64];
        crate::text::encode_lower(word, &mut digits);
        self.0.put(b"\"0x")?;
        self.0.put(&digits)?;
        self.0.put(b"\"")
    }

    /// A `uint256` as a JSON integer, or (`quoted`) a decimal string.
    pub(crate) fn u256(&mut self, value: &U256, quoted: bool) -> Option<()> {
        let mut digits = [0u8; U256_DECIMAL_LEN];
        let digits = value.write_decimal(&mut digits);
        if quoted {
            self.0.put(b"\"")?;
        }
        self.0.put(digits.as_bytes())?;
        if quoted { self.0.put(b"\"") } else { Some(()) }
    }

    /// `"v":27,"r":"0x…","s":"0x…"`, `r` and `s` zero-padded lower-case hex as the SDK writes
    /// them (`"0x" + hex(r)[2:].zfill(64)`).
    pub(crate) fn signature(&mut self, signature: &EthSignature) -> Option<()> {
        let bytes = signature.to_bytes();
        let (rs, v) = bytes.split_at(64);
        let (r, s) = rs.split_at(32);
        let v = v.first().copied().unwrap_or_default();
        let v = if v < 27 { v + 27 } else { v };
        let mut digits = [0u8; crate::text::DECIMAL_U128_LEN];
        self.0.put(b"\"v\":")?;
        self.0.put(crate::text::format_u128(v.into(), &mut digits))?;
        self.0.put(b",\"r\":")?;
        self.bytes32(r.try_into().ok()?)?;
        self.0.put(b",\"s\":")?;
        self.bytes32(s.try_into().ok()?)
    }
}

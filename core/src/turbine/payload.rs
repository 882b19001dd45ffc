//! A received token payload: its JSON read without allocation, with the fields checked.

use core::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::time::UnixTime;
use crate::turbine::claims::MAX_PAYLOAD_LEN;
use crate::turbine::key_id::KeyId;
use crate::turbine::nonce::Nonce;

/// Deepest nesting of unknown JSON values the verifier parses. Bounds recursion (and so stack)
/// on hostile payloads; real payloads are flat.
pub(crate) const MAX_JSON_DEPTH: usize = 8;

/// The fields of a received payload after the format check.
///
/// `kid` is `None` when the payload names a non-empty id that signet cannot store (too long or
/// with characters [`KeyId`] refuses): such an id cannot be registered, so it is reported as
/// `API key not found`, as the documented server would, rather than as a format error.
#[derive(Debug)]
pub(crate) struct Payload {
    pub(crate) kid: Option<KeyId>,
    pub(crate) ts: UnixTime,
    pub(crate) nonce: Nonce,
}

/// Why a payload is not a valid token payload. Detail for tests; the verifier reports them all
/// as `invalid token format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PayloadError {
    TooDeep,
    Json,
}

impl Payload {
    /// Parses a JSON object with exactly one each of `kid` (non-empty string), `ts` (integer)
    /// and `n` (32 hex digits); other fields are ignored, duplicates refused.
    pub(crate) fn parse(json: &[u8]) -> Result<Self, PayloadError> {
        if let Some(payload) = Self::parse_sdk_form(json) {
            return Ok(payload);
        }
        Self::parse_general(json)
    }

    /// The exact compact form the official SDK and signet write,
    /// `{"kid":"<id>","n":"<32 hex>","ts":<integer>}`, read without the general JSON parser.
    ///
    /// Returns `None` for anything else (spacing, order, escapes, extra fields, leading zeros),
    /// which then goes through [`Payload::parse_general`]; where both accept a payload they agree
    /// (a property test checks it).
    fn parse_sdk_form(json: &[u8]) -> Option<Self> {
        let rest = json.strip_prefix(b"{\"kid\":\"")?;
        let kid_end = rest.iter().position(|&b| b == b'"')?;
        let (kid, rest) = rest.split_at(kid_end);
        let rest = rest.strip_prefix(b"\",\"n\":\"")?;
        let (nonce, rest) = rest.split_at_checked(crate::turbine::nonce::NONCE_HEX_LEN)?;
        let digits = rest.strip_prefix(b"\",\"ts\":")?.strip_suffix(b"}")?;
        // A backslash would start an escape, which only the general parser decodes.
        if kid.is_empty() || kid.contains(&b'\\') {
            return None;
        }
        Some(Payload {
            kid: core::str::from_utf8(kid).ok().and_then(|k| KeyId::new(k).ok()),
            ts: UnixTime(parse_json_integer(digits)?),
            nonce: Nonce::from_hex(nonce)?,
        })
    }

    /// Any JSON object form, through serde-json-core.
    fn parse_general(json: &[u8]) -> Result<Self, PayloadError> {
        if nesting_depth(json) > MAX_JSON_DEPTH {
            return Err(PayloadError::TooDeep);
        }
        let mut unescape = [0u8; MAX_PAYLOAD_LEN];
        serde_json_core::from_slice_escaped::<Payload>(json, &mut unescape)
            .map(|(payload, _)| payload)
            .map_err(|_| PayloadError::Json)
    }
}

/// A JSON integer that fits `i64`: an optional `-`, then `0` or digits without a leading zero.
fn parse_json_integer(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix(b"-") {
        Some(digits) => (true, digits),
        None => (false, text),
    };
    match digits {
        [b'0'] => return Some(0),
        [b'1'..=b'9', ..] if digits.len() <= 19 => {}
        _ => return None,
    }
    let mut value: i64 = 0;
    for &d in digits {
        let digit = i64::from(d.checked_sub(b'0').filter(|d| *d <= 9)?);
        value = value.checked_mul(10)?;
        value = if negative { value.checked_sub(digit)? } else { value.checked_add(digit)? };
    }
    Some(value)
}

/// Deepest `[`/`{` nesting outside strings. Malformed input may be miscounted, but then the
/// parser refuses it anyway; the count only has to bound the parser's recursion.
pub(crate) fn nesting_depth(json: &[u8]) -> usize {
    // Fast path for real payloads: with few brackets at all the depth cannot exceed the limit,
    // and this count vectorises where the scan below cannot.
    let brackets = json.iter().filter(|&&b| b == b'[' || b == b'{').count();
    if brackets <= MAX_JSON_DEPTH {
        return brackets;
    }
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in json {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

enum Field {
    Kid,
    Ts,
    N,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(match v {
                    "kid" => Field::Kid,
                    "ts" => Field::Ts,
                    "n" => Field::N,
                    _ => Field::Other,
                })
            }
        }
        d.deserialize_identifier(FieldVisitor)
    }
}

/// The `kid` value: any non-empty string, kept if it can be a [`KeyId`].
struct KidField(Option<KeyId>);

impl<'de> Deserialize<'de> for KidField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KidVisitor;
        impl Visitor<'_> for KidVisitor {
            type Value = KidField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-empty string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KidField, E> {
                if v.is_empty() {
                    return Err(E::invalid_length(0, &self));
                }
                Ok(KidField(KeyId::new(v).ok()))
            }
        }
        d.deserialize_str(KidVisitor)
    }
}

impl<'de> Deserialize<'de> for Nonce {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NonceVisitor;
        impl Visitor<'_> for NonceVisitor {
            type Value = Nonce;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("32 hex digits")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Nonce, E> {
                Nonce::from_hex(v.as_bytes()).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(NonceVisitor)
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PayloadVisitor;
        impl<'de> Visitor<'de> for PayloadVisitor {
            type Value = Payload;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a token payload object")
            }
            // Only `visit_map`: a JSON array must not pass as a struct.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Payload, A::Error> {
                let (mut kid, mut ts, mut nonce) = (None, None, None);
                while let Some(field) = map.next_key::<Field>()? {
                    match field {
                        Field::Kid if kid.is_none() => kid = Some(map.next_value::<KidField>()?.0),
                        Field::Ts if ts.is_none() => ts = Some(UnixTime(map.next_value::<i64>()?)),
                        Field::N if nonce.is_none() => nonce = Some(map.next_value::<Nonce>()?),
                        Field::Kid => return Err(de::Error::duplicate_field("kid")),
                        Field::Ts => return Err(de::Error::duplicate_field("ts")),
                        Field::N => return Err(de::Error::duplicate_field("n")),
                        Field::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Payload {
                    kid: kid.ok_or_else(|| de::Error::missing_field("kid"))?,
                    ts: ts.ok_or_else(|| de::Error::missing_field("ts"))?,
                    nonce: nonce.ok_or_else(|| de::Error::missing_field("n"))?,
                })
            }
        }
        d.deserialize_map(PayloadVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::prelude::rust_2024::*;

    #[test]
    fn parses_spaced_reordered_and_extended_payloads() {
        let p = Payload::parse(
            br#" {"n": "AA7352CBAA9D786DC1EE3A52EC73B0DC", "x": [1, {"y": null}], "ts": -5, "kid": "k\u0031"} "#,
        )
        .unwrap();
        assert_eq!(p.kid.unwrap().as_str(), "k1");
        assert_eq!(p.ts, UnixTime(-5));
    }

    #[test]
    fn refuses_malformed_payloads() {
        let n = "aa7352cbaa9d786dc1ee3a52ec73b0dc";
        let cases = [
            format!(r#"{{"kid":"k","ts":1,"n":"{n}","kid":"k"}}"#),
            format!(r#"{{"kid":"k","ts":1,"n":"{n}","k\u0069d":"j"}}"#),
            format!(r#"{{"kid":"","ts":1,"n":"{n}"}}"#),
            format!(r#"{{"kid":"k","ts":1.0,"n":"{n}"}}"#),
            format!(r#"{{"kid":"k","ts":"1","n":"{n}"}}"#),
            format!(r#"{{"kid":"k","ts":1e3,"n":"{n}"}}"#),
            format!(r#"{{"kid":"k","ts":99999999999999999999,"n":"{n}"}}"#),
            format!(r#"{{"kid":1,"ts":1,"n":"{n}"}}"#),
            r#"{"kid":"k","ts":1}"#.to_string(),
            format!(r#"["k",1,"{n}"]"#),
            format!(r#"{{"kid":"k","ts":1,"n":"{n}"}} x"#),
            format!(r#"{{"kid":"k","ts":1,"n":"{n}","x":{}}}"#, "[".repeat(9) + &"]".repeat(9)),
        ];
        for case in &cases {
            assert!(Payload::parse(case.as_bytes()).is_err(), "{case}");
        }
    }

    #[test]
    fn sdk_form_fast_path_agrees_with_the_general_parser() {
        let n = "aa7352cbaa9d786dc1ee3a52ec73b0dc";
        let forms = [
            format!(r#"{{"kid":"e792e6d8c4bd2122","n":"{n}","ts":1735779008}}"#),
            format!(r#"{{"kid":"k","n":"{}","ts":-9223372036854775808}}"#, n.to_uppercase()),
            format!(r#"{{"kid":"k","n":"{n}","ts":9223372036854775807}}"#),
            format!(r#"{{"kid":"k","n":"{n}","ts":0}}"#),
            format!(r#"{{"kid":"k","n":"{n}","ts":-0}}"#),
            format!(r#"{{"kid":"{}","n":"{n}","ts":1}}"#, "x".repeat(65)),
            format!(r#"{{"kid":"sp ace/é","n":"{n}","ts":1}}"#),
        ];
        for json in &forms {
            let fast = Payload::parse_sdk_form(json.as_bytes()).expect(json);
            let general = Payload::parse_general(json.as_bytes()).unwrap();
            assert_eq!((fast.kid, fast.ts, fast.nonce), (general.kid, general.ts, general.nonce), "{json}");
        }
        // Not the SDK form: left to the general parser, which decides.
        let others = [
            format!(r#"{{"kid":"","n":"{n}","ts":1}}"#),
            format!(r#"{{"kid":"k\u0031","n":"{n}","ts":1}}"#),
            format!(r#"{{"kid":"k","n":"{n}","ts":01}}"#),
            format!(r#"{{"kid":"k","n":"{n}","ts":9223372036854775808}}"#),
            format!(r#"{{"kid":"k","n":"{n}","ts":1.0}}"#),
            format!(r#"{{"kid":"k","n":"{n}","ts":1}} "#),
            format!(r#"{{"kid":"k","n":"{n}x","ts":1}}"#),
            format!(r#"{{"kid":"k","n":"{n}","ts":1,"x":2}}"#),
        ];
        for json in &others {
            assert!(Payload::parse_sdk_form(json.as_bytes()).is_none(), "{json}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_path_and_general_parser_agree(kid in "[ -~]{1,70}", ts in proptest::prelude::any::<i64>(), upper in proptest::prelude::any::<bool>(), nonce in proptest::prelude::any::<[u8; 16]>()) {
            let mut hex = std::string::String::from_utf8(Nonce::from_bytes(nonce).to_hex().to_vec()).unwrap();
            if upper {
                hex = hex.to_uppercase();
            }
            let json = format!(r#"{{"kid":"{kid}","n":"{hex}","ts":{ts}}}"#);
            let general = Payload::parse_general(json.as_bytes()).ok().map(|p| (p.kid, p.ts, p.nonce));
            if let Some(fast) = Payload::parse_sdk_form(json.as_bytes()) {
                proptest::prop_assert_eq!(Some((fast.kid, fast.ts, fast.nonce)), general);
            }
        }
    }

    #[test]
    fn unrepresentable_kid_is_kept_as_unknown() {
        let json = format!(r#"{{"kid":"{}","ts":1,"n":"aa7352cbaa9d786dc1ee3a52ec73b0dc"}}"#, "x".repeat(65));
        assert!(Payload::parse(json.as_bytes()).unwrap().kid.is_none());
    }
}

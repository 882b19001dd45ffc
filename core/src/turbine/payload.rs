//! A received token payload: its JSON checked strictly and read without allocation or
//! recursion.

use crate::json::{self, Members, Value};
use crate::time::UnixTime;
use crate::turbine::key_id::{KeyId, MAX_KEY_ID_LEN};
use crate::turbine::nonce::{NONCE_HEX_LEN, Nonce};

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
    /// Nested deeper than the JSON bound.
    TooDeep,
    /// Not JSON, not an object, or its fields are missing, repeated or of the wrong type.
    Json,
}

impl From<json::JsonError> for PayloadError {
    fn from(e: json::JsonError) -> Self {
        match e {
            json::JsonError::TooDeep => PayloadError::TooDeep,
            json::JsonError::Syntax => PayloadError::Json,
        }
    }
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
    /// Returns `None` for anything else (spacing, order, escapes, extra fields, leading zeros,
    /// bytes a JSON string may not hold), which then goes through [`Payload::parse_general`];
    /// where both accept a payload they agree (a property test checks it).
    fn parse_sdk_form(json: &[u8]) -> Option<Self> {
        let rest = json.strip_prefix(b"{\"kid\":\"")?;
        let kid_end = rest.iter().position(|&b| b == b'"')?;
        let (kid, rest) = rest.split_at(kid_end);
        let rest = rest.strip_prefix(b"\",\"n\":\"")?;
        let (nonce, rest) = rest.split_at_checked(NONCE_HEX_LEN)?;
        let digits = rest.strip_prefix(b"\",\"ts\":")?.strip_suffix(b"}")?;
        // A backslash would start an escape, which only the general parser decodes; control
        // characters and invalid UTF-8 make the payload not JSON, which it refuses.
        if kid.is_empty() || kid.iter().any(|&b| b == b'\\' || b < 0x20) {
            return None;
        }
        let kid = core::str::from_utf8(kid).ok()?;
        Some(Payload {
            kid: KeyId::new(kid).ok(),
            ts: UnixTime(parse_json_integer(digits)?),
            nonce: Nonce::from_hex(nonce)?,
        })
    }

    /// Any JSON object form: checked strictly (RFC 8259, bounded depth), then its members read
    /// in one pass.
    fn parse_general(json: &[u8]) -> Result<Self, PayloadError> {
        if !json::check(json)?.is_object {
            return Err(PayloadError::Json);
        }
        let (mut kid, mut ts, mut nonce) = (None, None, None);
        for (key, value) in Members::new(json) {
            let mut name = [0u8; 3];
            match (json::unescape(key, &mut name), value) {
                (Some("kid"), Value::String(raw)) if kid.is_none() => kid = Some(read_kid(raw)?),
                (Some("ts"), Value::Number(text)) if ts.is_none() => {
                    ts = Some(UnixTime(parse_json_integer(text).ok_or(PayloadError::Json)?));
                }
                (Some("n"), Value::String(raw)) if nonce.is_none() => {
                    let mut hex = [0u8; NONCE_HEX_LEN];
                    let text = json::unescape(raw, &mut hex).ok_or(PayloadError::Json)?;
                    nonce = Some(Nonce::from_hex(text.as_bytes()).ok_or(PayloadError::Json)?);
                }
                // A known field again, or with a value of the wrong type.
                (Some("kid" | "ts" | "n"), _) => return Err(PayloadError::Json),
                _ => {}
            }
        }
        match (kid, ts, nonce) {
            (Some(kid), Some(ts), Some(nonce)) => Ok(Payload { kid, ts, nonce }),
            _ => Err(PayloadError::Json),
        }
    }
}

/// The `kid` value: any non-empty string, kept if it can be a [`KeyId`].
fn read_kid(raw: &[u8]) -> Result<Option<KeyId>, PayloadError> {
    if raw.is_empty() {
        return Err(PayloadError::Json);
    }
    let mut text = [0u8; MAX_KEY_ID_LEN];
    Ok(json::unescape(raw, &mut text).and_then(|kid| KeyId::new(kid).ok()))
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
    fn refuses_what_is_not_json_before_any_signature_check() {
        // Findings of the review: each parsed before the strict check.
        let n = "aa7352cbaa9d786dc1ee3a52ec73b0dc";
        let deep = "[".repeat(220) + &"]".repeat(220);
        let cases = [
            format!(r#"{{"kid":"k","n":"{n}","ts":1,"x":1","y":{deep}}}"#),
            format!(r#"{{"kid":"k","n":"{n}","ts":1,"x":not json " at all}}"#),
            format!("{{\"kid\":\"k\",\"n\":\"{n}\",\"ts\":1,\"x\":\"\u{1}\"}}"),
            format!("{{\"kid\":\"k\u{1}\",\"n\":\"{n}\",\"ts\":1}}"),
            format!(r#"{{"kid":"k","n":"{n}","ts":1,"x":"\ud83d"}}"#),
        ];
        for case in &cases {
            assert!(Payload::parse(case.as_bytes()).is_err(), "{case}");
        }
        assert_eq!(Payload::parse(cases[0].as_bytes()).unwrap_err(), PayloadError::Json);
    }

    #[test]
    fn a_non_utf8_kid_is_a_format_error_in_any_field_order() {
        let n = b"aa7352cbaa9d786dc1ee3a52ec73b0dc";
        let sdk_order = [&br#"{"kid":"k"#[..], b"\xff", br#"","n":""#, n, br#"","ts":1}"#].concat();
        let other_order = [&br#"{"n":""#[..], n, br#"","ts":1,"kid":"k"#, b"\xff", br#""}"#].concat();
        assert_eq!(Payload::parse(&sdk_order).unwrap_err(), PayloadError::Json);
        assert_eq!(Payload::parse(&other_order).unwrap_err(), PayloadError::Json);
    }

    #[test]
    fn surrogate_pairs_are_decoded() {
        // Python's json.dumps writes any character outside the BMP as a pair of escapes.
        let n = "aa7352cbaa9d786dc1ee3a52ec73b0dc";
        let json = format!(r#"{{"kid": "k1", "n": "{n}", "ts": 1, "note": "\ud83d\ude00 caf\u00e9"}}"#);
        assert_eq!(Payload::parse(json.as_bytes()).unwrap().kid.unwrap().as_str(), "k1");
        // In the kid: decoded, then not a storable id (non-ASCII), so not found rather than malformed.
        let json = format!(r#"{{"kid": "k\ud83d\ude00", "n": "{n}", "ts": 1}}"#);
        assert!(Payload::parse(json.as_bytes()).unwrap().kid.is_none());
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

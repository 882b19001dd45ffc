//! The private WebSocket's `logon`: one per connection, before any private channel.
//!
//! ```json
//! {"event":"sub","channel":"logon","data":{"apiKey":"…","timestamp":1712345678904,"nonce":"…","recvWindow":"5000","signature":"…"}}
//! ```
//!
//! The signature is the request-signing scheme's over method `WS`, path `/ws`, an empty query
//! and an empty body; `timestamp` is a JSON number (milliseconds), `recvWindow` a string
//! (optional: empty when absent, as the signed line is). Verification is
//! [`verify_request`]'s: the window (-1021), the signature in constant time (-1022), then the
//! nonce against replay, so a logon copied onto another connection is refused.

use crate::hmac_key::HmacKey;
use crate::json::{self, Members, Value};
use crate::text::{DECIMAL_LEN, SliceWriter, format_u64};
use crate::turbine::key_id::KeyId;
use crate::turbine::replay::ReplayGuard;

use super::request_signing::{
    RequestSigningError, SignedRequest, UncheckedNonce, check_request, parse_millis, verify_request,
};

/// The method a logon signs.
pub const LOGON_METHOD: &str = "WS";
/// The path a logon signs.
pub const LOGON_PATH: &str = "/ws";
/// The channel name of a logon.
pub const LOGON_CHANNEL: &str = "logon";
/// Longest field of a logon this module reads or writes (API key, nonce, receive window).
pub const MAX_LOGON_FIELD_LEN: usize = 128;
/// Longest logon message [`Logon::write_json`] writes.
pub const MAX_LOGON_LEN: usize = 120 + 3 * MAX_LOGON_FIELD_LEN + DECIMAL_LEN + 64;

/// A logon's fields, borrowed from the message they were read from (or given to write one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Logon<'a> {
    /// `apiKey`.
    pub api_key: &'a str,
    /// `timestamp`, Unix milliseconds, as the decimal text that was signed.
    pub timestamp: &'a str,
    /// `nonce`, unique per logon.
    pub nonce: &'a str,
    /// `recvWindow` in milliseconds, `""` when absent.
    pub recv_window: &'a str,
    /// `signature`: 64 hex digits.
    pub signature: &'a str,
}

/// Why a logon message was refused before its signature was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LogonError {
    /// Not a JSON object with `event: "sub"`, `channel: "logon"` and a `data` object, or a
    /// member repeated.
    NotLogon,
    /// A field is missing, of the wrong type, longer than [`MAX_LOGON_FIELD_LEN`], or holds an
    /// escape (the fields are plain ASCII tokens).
    InvalidField(&'static str),
    /// The output buffer is too small.
    BufferTooSmall,
}

impl core::fmt::Display for LogonError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LogonError::NotLogon => f.write_str("not a logon message"),
            LogonError::InvalidField(name) => write!(f, "invalid logon field: {name}"),
            LogonError::BufferTooSmall => f.write_str("output buffer too small"),
        }
    }
}

impl core::error::Error for LogonError {}

impl<'a> Logon<'a> {
    /// The request-signing view: `WS /ws`, empty query and body.
    #[must_use]
    pub fn signed_request(&self) -> SignedRequest<'a> {
        SignedRequest {
            timestamp: self.timestamp,
            nonce: self.nonce,
            recv_window: self.recv_window,
            method: LOGON_METHOD,
            path: LOGON_PATH,
            query: "",
            body: b"",
        }
    }

    /// Writes the logon message, compact, into `out`.
    ///
    /// # Errors
    /// [`LogonError::InvalidField`] for a field the message could not carry as it is (a
    /// timestamp that is not decimal digits; text needing escapes), or
    /// [`LogonError::BufferTooSmall`] ([`MAX_LOGON_LEN`] always fits fields within bounds).
    pub fn write_json<'b>(&self, out: &'b mut [u8]) -> Result<&'b str, LogonError> {
        let millis = parse_millis(self.timestamp).ok_or(LogonError::InvalidField("timestamp"))?;
        for (name, value) in [
            ("apiKey", self.api_key),
            ("nonce", self.nonce),
            ("recvWindow", self.recv_window),
            ("signature", self.signature),
        ] {
            if !plain(value.as_bytes()) {
                return Err(LogonError::InvalidField(name));
            }
        }
        let mut digits = [0u8; DECIMAL_LEN];
        let mut w = SliceWriter::new(out);
        let written = (|| {
            w.put(br#"{"event":"sub","channel":"logon","data":{"apiKey":""#)?;
            w.put(self.api_key.as_bytes())?;
            w.put(br#"","timestamp":"#)?;
            w.put(format_u64(millis, &mut digits))?;
            w.put(br#","nonce":""#)?;
            w.put(self.nonce.as_bytes())?;
            w.put(br#"","recvWindow":""#)?;
            w.put(self.recv_window.as_bytes())?;
            w.put(br#"","signature":""#)?;
            w.put(self.signature.as_bytes())?;
            w.put(br#""}}"#)
        })();
        written.ok_or(LogonError::BufferTooSmall)?;
        core::str::from_utf8(w.finish()).map_err(|_| LogonError::BufferTooSmall)
    }

    /// Reads a logon message: strict JSON, `event` `sub` and `channel` `logon` (any member
    /// order, other top-level members ignored), and in `data` the fields above (others
    /// ignored, none repeated).
    ///
    /// # Errors
    /// [`LogonError`].
    pub fn parse(message: &'a [u8]) -> Result<Self, LogonError> {
        if !json::check(message).map_err(|_| LogonError::NotLogon)?.is_object {
            return Err(LogonError::NotLogon);
        }
        let (mut event, mut channel, mut data) = (None, None, None);
        for (key, value) in Members::new(message) {
            let slot = match key {
                b"event" => &mut event,
                b"channel" => &mut channel,
                b"data" => &mut data,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(LogonError::NotLogon);
            }
        }
        match (event, channel, data) {
            (Some(Value::String(b"sub")), Some(Value::String(b"logon")), Some(Value::Object(data))) => {
                Self::parse_data(data)
            }
            _ => Err(LogonError::NotLogon),
        }
    }

    fn parse_data(data: &'a [u8]) -> Result<Self, LogonError> {
        let mut fields: [Option<&'a str>; 5] = [None; 5];
        const NAMES: [&str; 5] = ["apiKey", "timestamp", "nonce", "recvWindow", "signature"];
        for (key, value) in Members::new(data) {
            let Some(i) = NAMES.iter().position(|n| n.as_bytes() == key) else { continue };
            let name = NAMES.get(i).copied().unwrap_or("?");
            let text = match (i, value) {
                // The timestamp is a number; every other field a string.
                (1, Value::Number(digits)) if digits.iter().all(u8::is_ascii_digit) => digits,
                (1, _) => return Err(LogonError::InvalidField(name)),
                (_, Value::String(raw)) if plain(raw) => raw,
                _ => return Err(LogonError::InvalidField(name)),
            };
            let slot = fields.get_mut(i).ok_or(LogonError::NotLogon)?;
            if slot.replace(core::str::from_utf8(text).map_err(|_| LogonError::InvalidField(name))?).is_some()
            {
                return Err(LogonError::NotLogon);
            }
        }
        let [api_key, timestamp, nonce, recv_window, signature] = fields;
        Ok(Logon {
            api_key: api_key.filter(|k| !k.is_empty()).ok_or(LogonError::InvalidField("apiKey"))?,
            timestamp: timestamp.ok_or(LogonError::InvalidField("timestamp"))?,
            nonce: nonce.filter(|n| !n.is_empty()).ok_or(LogonError::InvalidField("nonce"))?,
            recv_window: recv_window.unwrap_or(""),
            signature: signature.ok_or(LogonError::InvalidField("signature"))?,
        })
    }
}

/// Printable ASCII without `"` or `\`, within the field bound: what goes into the message as it
/// is, and what a client could sign without ambiguity.
fn plain(text: &[u8]) -> bool {
    text.len() <= MAX_LOGON_FIELD_LEN
        && text.iter().all(|&b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
}

/// Signs a logon for `api_key` with its `secret`.
///
/// # Errors
/// [`RequestSigningError::InvalidField`] for an empty nonce or a field with a line break.
pub fn sign_logon(
    secret: &HmacKey,
    timestamp: &str,
    nonce: &str,
    recv_window: &str,
) -> Result<crate::bitzoom::request_signing::RequestSignature, RequestSigningError> {
    if nonce.is_empty() {
        return Err(RequestSigningError::InvalidField);
    }
    SignedRequest {
        timestamp,
        nonce,
        recv_window,
        method: LOGON_METHOD,
        path: LOGON_PATH,
        query: "",
        body: b"",
    }
    .sign(secret)
}

/// Checks a logon at `now_ms` against `secret`, up to its nonce: [`check_request`] over the
/// logon's signed request (the server records the nonce after its own checks).
///
/// # Errors
/// As [`check_request`].
pub fn check_logon(
    secret: &HmacKey,
    logon: &Logon<'_>,
    now_ms: u64,
) -> Result<UncheckedNonce, RequestSigningError> {
    check_request(secret, &logon.signed_request(), logon.signature, now_ms)
}

/// Checks a logon at `now_ms` for the key `kid` whose secret is `secret`, recording its nonce in
/// `replay`: [`verify_request`] over the logon's signed request.
///
/// # Errors
/// As [`verify_request`]: [`RequestSigningError::OutsideRecvWindow`] (-1021),
/// [`RequestSigningError::InvalidSignature`] (-1022), [`RequestSigningError::NonceReused`].
pub fn verify_logon<R: ReplayGuard + ?Sized>(
    secret: &HmacKey,
    kid: &KeyId,
    logon: &Logon<'_>,
    now_ms: u64,
    replay: &mut R,
) -> Result<(), RequestSigningError> {
    verify_request(secret, kid, &logon.signed_request(), logon.signature, now_ms, replay)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::turbine::nonce_cache::NonceCache;

    const SECRET: &[u8] = b"demo_secret_7f3b9c2d";

    #[test]
    fn the_published_vector_round_trips_through_the_message() {
        let key = HmacKey::new(SECRET);
        let signature = sign_logon(&key, "1712345678904", "nonce-ws-004", "5000").unwrap().to_hex();
        assert_eq!(signature.as_str(), "bf722fcb6a09c94e9edd249d09f22be0ca5870f5de13b9eee2ac59de2fb8a8f4");
        let logon = Logon {
            api_key: "demo-key",
            timestamp: "1712345678904",
            nonce: "nonce-ws-004",
            recv_window: "5000",
            signature: &signature,
        };
        let mut buf = [0u8; MAX_LOGON_LEN];
        let text = logon.write_json(&mut buf).unwrap();
        assert_eq!(
            text,
            r#"{"event":"sub","channel":"logon","data":{"apiKey":"demo-key","timestamp":1712345678904,"nonce":"nonce-ws-004","recvWindow":"5000","signature":"bf722fcb6a09c94e9edd249d09f22be0ca5870f5de13b9eee2ac59de2fb8a8f4"}}"#
        );
        let read = Logon::parse(text.as_bytes()).unwrap();
        assert_eq!(read, logon);
        let kid = KeyId::new("demo-key").unwrap();
        let mut cache = NonceCache::<4>::new();
        assert_eq!(verify_logon(&key, &kid, &read, 1_712_345_678_904, &mut cache), Ok(()));
        // The same logon again (on another connection, say): a reused nonce.
        assert_eq!(
            verify_logon(&key, &kid, &read, 1_712_345_678_905, &mut cache),
            Err(RequestSigningError::NonceReused)
        );
        // Outside the window: -1021.
        let mut fresh = NonceCache::<4>::new();
        let late = verify_logon(&key, &kid, &read, 1_712_345_678_904 + 5_001, &mut fresh).unwrap_err();
        assert_eq!((late, late.code()), (RequestSigningError::OutsideRecvWindow, -1021));
        // Signed as a REST request instead: not a logon signature.
        let rest = SignedRequest { method: "GET", ..read.signed_request() }.sign(&key).unwrap().to_hex();
        let wrong = Logon { signature: &rest, ..read };
        assert_eq!(
            verify_logon(&key, &kid, &wrong, 1_712_345_678_904, &mut fresh),
            Err(RequestSigningError::InvalidSignature)
        );
    }

    #[test]
    fn reads_any_order_and_refuses_what_is_not_a_logon() {
        let spaced = br#" { "data" : { "signature":"ab", "recvWindow":"", "nonce":"n", "timestamp":12, "apiKey":"k", "extra": [1] }, "channel":"logon", "event":"sub", "id": 3 } "#;
        let logon = Logon::parse(spaced).unwrap();
        assert_eq!((logon.api_key, logon.timestamp, logon.nonce, logon.recv_window), ("k", "12", "n", ""));
        let no_window = br#"{"event":"sub","channel":"logon","data":{"apiKey":"k","timestamp":1,"nonce":"n","signature":"s"}}"#;
        assert_eq!(Logon::parse(no_window).unwrap().recv_window, "");
        let cases: &[(&[u8], LogonError)] = &[
            (b"[]", LogonError::NotLogon),
            (b"{", LogonError::NotLogon),
            (br#"{"event":"sub","channel":"/api/v1/balance","data":{}}"#, LogonError::NotLogon),
            (br#"{"event":"unsub","channel":"logon","data":{}}"#, LogonError::NotLogon),
            (br#"{"event":"sub","channel":"logon","channel":"logon","data":{}}"#, LogonError::NotLogon),
            (br#"{"event":"sub","channel":"logon","data":"x"}"#, LogonError::NotLogon),
            (br#"{"event":"sub","channel":"logon","data":{"apiKey":"k","timestamp":"1","nonce":"n","signature":"s"}}"#, LogonError::InvalidField("timestamp")),
            (br#"{"event":"sub","channel":"logon","data":{"apiKey":"k","timestamp":-1,"nonce":"n","signature":"s"}}"#, LogonError::InvalidField("timestamp")),
            (br#"{"event":"sub","channel":"logon","data":{"apiKey":"k","timestamp":1.5,"nonce":"n","signature":"s"}}"#, LogonError::InvalidField("timestamp")),
            (br#"{"event":"sub","channel":"logon","data":{"apiKey":"k\u0041","timestamp":1,"nonce":"n","signature":"s"}}"#, LogonError::InvalidField("apiKey")),
            (br#"{"event":"sub","channel":"logon","data":{"apiKey":"k","timestamp":1,"nonce":"","signature":"s"}}"#, LogonError::InvalidField("nonce")),
            (br#"{"event":"sub","channel":"logon","data":{"apiKey":"k","timestamp":1,"nonce":"n"}}"#, LogonError::InvalidField("signature")),
            (br#"{"event":"sub","channel":"logon","data":{"apiKey":"k","timestamp":1,"nonce":"n","nonce":"m","signature":"s"}}"#, LogonError::NotLogon),
        ];
        for (text, expected) in cases {
            assert_eq!(Logon::parse(text), Err(*expected), "{}", core::str::from_utf8(text).unwrap());
        }
        let long = [b'a'; MAX_LOGON_FIELD_LEN + 1];
        let too_long = Logon {
            api_key: core::str::from_utf8(&long).unwrap(),
            timestamp: "1",
            nonce: "n",
            recv_window: "",
            signature: "s",
        };
        assert_eq!(too_long.write_json(&mut [0u8; 1024]), Err(LogonError::InvalidField("apiKey")));
        assert_eq!(
            Logon { nonce: "a\"b", ..too_long }.write_json(&mut [0u8; 8]),
            Err(LogonError::InvalidField("apiKey"))
        );
        let fine = Logon { api_key: "k", ..too_long };
        assert_eq!(fine.write_json(&mut [0u8; 8]), Err(LogonError::BufferTooSmall));
    }
}

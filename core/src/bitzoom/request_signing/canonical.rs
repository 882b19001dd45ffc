//! The seven-line canonical text, produced once into any [`Sink`]: a caller buffer or a MAC.

use core::cmp::Ordering;

use hmac::Mac;
use sha2::{Digest, Sha256};

use crate::bitzoom::request_signing::request::{MAX_QUERY_PAIRS, RequestSigningError, SignedRequest};

/// Where canonical text goes.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]) -> Result<(), RequestSigningError>;
}

/// Canonical text into a caller buffer.
pub(crate) struct SliceSink<'b> {
    pub(crate) buf: &'b mut [u8],
    pub(crate) len: usize,
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), RequestSigningError> {
        let end = self.len.checked_add(bytes.len()).ok_or(RequestSigningError::BufferTooSmall)?;
        self.buf.get_mut(self.len..end).ok_or(RequestSigningError::BufferTooSmall)?.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }
}

/// Canonical text straight into HMAC, with no buffer at all.
impl Sink for hmac::Hmac<Sha256> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), RequestSigningError> {
        self.update(bytes);
        Ok(())
    }
}

/// Writes the canonical text of `request`: timestamp, nonce, recvWindow, upper-case method,
/// path, canonical query and the hex SHA-256 of the body, joined by `\n`.
pub(crate) fn emit<S: Sink>(request: &SignedRequest<'_>, sink: &mut S) -> Result<(), RequestSigningError> {
    let lines = [request.timestamp, request.nonce, request.recv_window, request.method, request.path];
    // A line break inside a field would let one request's text pass for another's.
    if lines.iter().any(|line| line.bytes().any(|b| b == b'\n' || b == b'\r')) {
        return Err(RequestSigningError::InvalidField);
    }
    for line in [request.timestamp, request.nonce, request.recv_window] {
        sink.put(line.as_bytes())?;
        sink.put(b"\n")?;
    }
    for b in request.method.bytes() {
        sink.put(&[b.to_ascii_uppercase()])?;
    }
    sink.put(b"\n")?;
    sink.put(request.path.as_bytes())?;
    sink.put(b"\n")?;
    canonical_query(request.query, sink)?;
    sink.put(b"\n")?;
    let mut body_hash = [0u8; 64];
    crate::text::encode_lower(&Sha256::digest(request.body), &mut body_hash);
    sink.put(&body_hash)
}

/// Parses a raw query form-style (pairs split on `&`, empty pieces skipped, a piece without
/// `=` is a key with an empty value, `+` is a space, `%XX` a byte; duplicates and blanks kept),
/// sorts the pairs by decoded key then value, and writes them re-encoded with
/// [`encode_component`], joined by `&`. The order matches Python's `sorted(parse_qsl(...))`,
/// since UTF-8 bytes sort like code points.
fn canonical_query<S: Sink>(query: &str, sink: &mut S) -> Result<(), RequestSigningError> {
    let mut pairs = heapless::Vec::<(&[u8], &[u8]), MAX_QUERY_PAIRS>::new();
    for piece in query.as_bytes().split(|&b| b == b'&').filter(|piece| !piece.is_empty()) {
        let pair = match piece.iter().position(|&b| b == b'=') {
            Some(eq) => (piece.get(..eq).unwrap_or_default(), piece.get(eq + 1..).unwrap_or_default()),
            None => (piece, &b""[..]),
        };
        // Python would put U+FFFD where escapes decode to invalid UTF-8; rather than sign text
        // that implementations may read differently, such a query is refused.
        if !is_utf8(FormDecoded(pair.0)) || !is_utf8(FormDecoded(pair.1)) {
            return Err(RequestSigningError::InvalidQueryEncoding);
        }
        pairs.push(pair).map_err(|_| RequestSigningError::TooManyQueryPairs)?;
    }
    pairs.sort_unstable_by(|a, b| compare_decoded(a.0, b.0).then_with(|| compare_decoded(a.1, b.1)));
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            sink.put(b"&")?;
        }
        encode_component(key, sink)?;
        sink.put(b"=")?;
        encode_component(value, sink)?;
    }
    Ok(())
}

fn compare_decoded(a: &[u8], b: &[u8]) -> Ordering {
    FormDecoded(a).cmp(FormDecoded(b))
}

/// Form-encodes the decoded bytes of a raw component: `A-Z a-z 0-9 - _ . ~` as they are, space
/// as `+`, every other byte as upper-case `%XX`.
fn encode_component<S: Sink>(raw: &[u8], sink: &mut S) -> Result<(), RequestSigningError> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in FormDecoded(raw) {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => sink.put(&[b])?,
            b' ' => sink.put(b"+")?,
            _ => {
                let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
                let lo = HEX.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0');
                sink.put(&[b'%', hi, lo])?;
            }
        }
    }
    Ok(())
}

/// The bytes a form-encoded component stands for. A `%` not followed by two hex digits stands
/// for itself, as in Python's `unquote_plus`.
#[derive(Clone, Copy)]
struct FormDecoded<'a>(&'a [u8]);

impl Iterator for FormDecoded<'_> {
    type Item = u8;
    fn next(&mut self) -> Option<u8> {
        let (byte, rest) = match self.0 {
            [b'+', rest @ ..] => (b' ', rest),
            [b'%', hi, lo, rest @ ..] if hi.is_ascii_hexdigit() && lo.is_ascii_hexdigit() => {
                (hex_value(*hi) << 4 | hex_value(*lo), rest)
            }
            [b, rest @ ..] => (*b, rest),
            [] => return None,
        };
        self.0 = rest;
        Some(byte)
    }
}

/// Whether the bytes are well-formed UTF-8 (Unicode Table 3-7), checked as they stream by.
fn is_utf8(mut bytes: impl Iterator<Item = u8>) -> bool {
    while let Some(lead) = bytes.next() {
        let (continuations, second) = match lead {
            0x00..=0x7f => continue,
            0xc2..=0xdf => (1, 0x80..=0xbf),
            0xe0 => (2, 0xa0..=0xbf),
            0xe1..=0xec | 0xee..=0xef => (2, 0x80..=0xbf),
            0xed => (2, 0x80..=0x9f),
            0xf0 => (3, 0x90..=0xbf),
            0xf1..=0xf3 => (3, 0x80..=0xbf),
            0xf4 => (3, 0x80..=0x8f),
            _ => return false,
        };
        if !bytes.next().is_some_and(|b| second.contains(&b)) {
            return false;
        }
        for _ in 1..continuations {
            if !bytes.next().is_some_and(|b| (0x80..=0xbf).contains(&b)) {
                return false;
            }
        }
    }
    true
}

const fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(query: &str) -> std::string::String {
        let mut buf = [0u8; 512];
        let mut sink = SliceSink { buf: &mut buf, len: 0 };
        canonical_query(query, &mut sink).unwrap();
        let len = sink.len;
        std::string::String::from_utf8(buf[..len].to_vec()).unwrap()
    }

    #[test]
    fn canonicalises_like_parse_qsl_and_urlencode() {
        assert_eq!(canonical("b=2&a=&b=1&a=z&c"), "a=&a=z&b=1&b=2&c=");
        assert_eq!(canonical("note=a+b&note=a%20c&x=%2B"), "note=a+b&note=a+c&x=%2B");
        assert_eq!(canonical("t=a*b~c&&"), "t=a%2Ab~c");
        assert_eq!(canonical("bad=%zz&pct=%4"), "bad=%25zz&pct=%254");
        assert_eq!(canonical("k=a=b"), "k=a%3Db");
        assert_eq!(canonical(""), "");
    }

    #[test]
    fn utf8_check_agrees_with_core() {
        let samples: [&[u8]; 12] = [
            b"",
            b"abc",
            "é✓🚀".as_bytes(),
            b"\x80",
            b"\xc0\x80",
            b"\xe0\x80\x80",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xf0\x9f\x9a",
            b"\xc3",
            b"\xef\xbf\xbd",
            b"a\xffb",
        ];
        for bytes in samples {
            assert_eq!(is_utf8(bytes.iter().copied()), core::str::from_utf8(bytes).is_ok(), "{bytes:?}");
        }
        let mut buf = [0u8; 64];
        let mut sink = SliceSink { buf: &mut buf, len: 0 };
        assert_eq!(canonical_query("a=%9A", &mut sink), Err(RequestSigningError::InvalidQueryEncoding));
        assert_eq!(canonical_query("%C3=%A9", &mut sink), Err(RequestSigningError::InvalidQueryEncoding));
    }

    #[test]
    fn refuses_more_pairs_than_the_bound() {
        let query = "a=1&".repeat(MAX_QUERY_PAIRS + 1);
        let mut buf = [0u8; 1024];
        let mut sink = SliceSink { buf: &mut buf, len: 0 };
        assert_eq!(canonical_query(&query, &mut sink), Err(RequestSigningError::TooManyQueryPairs));
    }
}

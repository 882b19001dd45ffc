//! Reading a document that passed [`check`](crate::json::check): strings unescaped, object
//! members in order, surrogate-pair escapes rewritten as UTF-8.

use crate::json::check::Cursor;

/// Rewrites every `\uD8xx\uDCxx` escape of a document that passed [`check`] as the UTF-8 of
/// its character, in place, and returns the new length (never more than the old). Everything
/// else, other escapes included, is kept byte for byte.
pub(crate) fn join_surrogate_pairs(buf: &mut [u8]) -> usize {
    let (mut read, mut write) = (0usize, 0usize);
    let mut in_string = false;
    while let Some(&b) = buf.get(read) {
        let mut copy_len = 1;
        if in_string && b == b'\\' {
            let mut c = Cursor { bytes: buf, pos: read + 1 };
            if c.bump() == Some(b'u')
                && let Some(ch) = surrogate_pair(&mut c)
            {
                let mut utf8 = [0u8; 4];
                let encoded = ch.encode_utf8(&mut utf8).len();
                if let (Some(dst), Some(src)) = (write.checked_add(encoded), utf8.get(..encoded)) {
                    if let Some(out) = buf.get_mut(write..dst) {
                        out.copy_from_slice(src);
                    }
                    write = dst;
                }
                read += 12;
                continue;
            }
            // Another escape: copy the backslash and the escaped byte together, so an escaped
            // quote or backslash is not taken for the end of the string.
            copy_len = 2;
        } else if b == b'"' {
            in_string = !in_string;
        }
        let end = (read + copy_len).min(buf.len());
        buf.copy_within(read..end, write);
        write += end - read;
        read = end;
    }
    write
}

/// The character of a `\uD8xx\uDCxx` pair whose `\u` the cursor has just passed, else `None`.
fn surrogate_pair(c: &mut Cursor<'_>) -> Option<char> {
    let high = c.hex4().ok().filter(|h| (0xD800..=0xDBFF).contains(h))?;
    (c.bump() == Some(b'\\') && c.bump() == Some(b'u')).then_some(())?;
    let low = c.hex4().ok().filter(|l| (0xDC00..=0xDFFF).contains(l))?;
    char::from_u32(0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00))
}

/// The contents of a string that passed [`check`] (between its quotes), unescaped into `out`.
/// `None` if `out` is too short.
pub(crate) fn unescape<'o>(raw: &[u8], out: &'o mut [u8]) -> Option<&'o str> {
    let mut c = Cursor { bytes: raw, pos: 0 };
    let mut len = 0usize;
    let mut push = |bytes: &[u8], len: &mut usize| -> Option<()> {
        let end = len.checked_add(bytes.len())?;
        out.get_mut(*len..end)?.copy_from_slice(bytes);
        *len = end;
        Some(())
    };
    while let Some(b) = c.bump() {
        if b != b'\\' {
            push(&[b], &mut len)?;
            continue;
        }
        let simple = match c.bump()? {
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let start = c.pos;
                let ch = match surrogate_pair(&mut c) {
                    Some(ch) => ch,
                    None => {
                        c.pos = start;
                        char::from_u32(u32::from(c.hex4().ok()?))?
                    }
                };
                let mut utf8 = [0u8; 4];
                push(ch.encode_utf8(&mut utf8).as_bytes(), &mut len)?;
                continue;
            }
            other => other,
        };
        push(&[simple], &mut len)?;
    }
    core::str::from_utf8(out.get(..len)?).ok()
}

/// A member value of an object, as [`Members`] yields it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    /// A string: its raw contents between the quotes (see [`unescape`]).
    String(&'a [u8]),
    /// A number: its text.
    Number(&'a [u8]),
    /// An object: its text from `{` to `}`, which [`Members::new`] reads in turn.
    Object(&'a [u8]),
    /// An array: its text from `[` to `]`, which [`Elements::new`] reads in turn.
    Array(&'a [u8]),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// The members of a top-level object that passed [`check`]: raw key (between its quotes) and
/// value, in document order.
pub(crate) struct Members<'a> {
    c: Cursor<'a>,
    done: bool,
}

/// Moves past the object or array that starts at the cursor.
fn skip_container(c: &mut Cursor<'_>) -> Option<()> {
    let mut depth = 0usize;
    let mut pairs = false;
    loop {
        match c.peek()? {
            b'"' => {
                c.string(&mut pairs).ok()?;
            }
            b'{' | b'[' => {
                depth += 1;
                c.pos += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                c.pos += 1;
                if depth == 0 {
                    return Some(());
                }
            }
            _ => c.pos += 1,
        }
    }
}

/// The value that starts at the cursor, which is moved past it and past a following comma.
fn value<'a>(c: &mut Cursor<'a>) -> Option<Value<'a>> {
    let mut pairs = false;
    let value = match c.peek()? {
        b'"' => Value::String(c.string(&mut pairs).ok()?),
        b'-' | b'0'..=b'9' => Value::Number(c.number().ok()?),
        open @ (b'{' | b'[') => {
            let start = c.pos;
            skip_container(c)?;
            let text = c.bytes.get(start..c.pos)?;
            if open == b'{' { Value::Object(text) } else { Value::Array(text) }
        }
        b't' => {
            c.literal(b"true").ok()?;
            Value::Bool(true)
        }
        b'f' => {
            c.literal(b"false").ok()?;
            Value::Bool(false)
        }
        _ => {
            c.literal(b"null").ok()?;
            Value::Null
        }
    };
    c.skip_ws();
    if c.peek() == Some(b',') {
        c.pos += 1;
    }
    Some(value)
}

impl<'a> Members<'a> {
    /// Members of `doc`, which must have passed [`check`] as an object.
    pub(crate) fn new(doc: &'a [u8]) -> Self {
        let mut c = Cursor { bytes: doc, pos: 0 };
        c.skip_ws();
        let done = c.bump() != Some(b'{');
        Members { c, done }
    }

    fn member(&mut self) -> Option<(&'a [u8], Value<'a>)> {
        let mut pairs = false;
        self.c.skip_ws();
        if self.c.peek()? == b'}' {
            return None;
        }
        let key = self.c.string(&mut pairs).ok()?;
        self.c.skip_ws();
        self.c.eat(b':').ok()?;
        self.c.skip_ws();
        Some((key, value(&mut self.c)?))
    }
}

/// The elements of an array that passed [`check`] (as a whole document or as part of one), in
/// order.
pub(crate) struct Elements<'a> {
    c: Cursor<'a>,
    done: bool,
}

impl<'a> Elements<'a> {
    /// Elements of `array`, the text of an array from `[` to `]`.
    pub(crate) fn new(array: &'a [u8]) -> Self {
        let mut c = Cursor { bytes: array, pos: 0 };
        c.skip_ws();
        let done = c.bump() != Some(b'[');
        Elements { c, done }
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.c.skip_ws();
        let element = if self.c.peek() == Some(b']') { None } else { value(&mut self.c) };
        self.done = element.is_none();
        element
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a [u8], Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let member = self.member();
        self.done = member.is_none();
        member
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::check::{MAX_DEPTH, check};
    use std::prelude::rust_2024::*;
    use std::{format, vec};

    #[test]
    fn joins_surrogate_pairs_and_nothing_else() {
        let doc = r#"{"a\\ud83d":"\ud83d\ude00 caf\u00e9 \\\ud83d\ude00","b":"\"\ud83d\ude00"}"#;
        let checked = check(doc.as_bytes()).unwrap();
        assert!(checked.surrogate_pairs && checked.is_object);
        let mut buf = doc.as_bytes().to_vec();
        let len = join_surrogate_pairs(&mut buf);
        let joined = core::str::from_utf8(&buf[..len]).unwrap();
        assert_eq!(joined, "{\"a\\\\ud83d\":\"\u{1F600} caf\\u00e9 \\\\\u{1F600}\",\"b\":\"\\\"\u{1F600}\"}");
        assert_eq!(check(joined.as_bytes()).map(|c| c.surrogate_pairs), Ok(false));
        let parsed: serde_json::Value = serde_json::from_str(joined).unwrap();
        let original: serde_json::Value = serde_json::from_str(doc).unwrap();
        assert_eq!(parsed, original);
    }

    #[test]
    fn unescapes_strings() {
        let mut out = [0u8; 32];
        assert_eq!(unescape(br#"k\u0031\n\ud83d\ude00\"\\\/"#, &mut out), Some("k1\n\u{1F600}\"\\/"));
        assert_eq!(unescape(b"abc", &mut [0u8; 2]), None);
    }

    #[test]
    fn members_in_order() {
        let doc = br#" { "a" : "x" , "b":[1,{"c":"]"}], "n": -12 , "o": { "p" : {"q":"}"} }, "t":true } "#;
        check(doc).unwrap();
        let got: Vec<_> = Members::new(doc).collect();
        assert_eq!(
            got,
            vec![
                (&b"a"[..], Value::String(b"x")),
                (b"b", Value::Array(br#"[1,{"c":"]"}]"#)),
                (b"n", Value::Number(b"-12")),
                (b"o", Value::Object(br#"{ "p" : {"q":"}"} }"#)),
                (b"t", Value::Bool(true)),
            ]
        );
        let elements: Vec<_> = Elements::new(br#"[1,{"c":"]"}]"#).collect();
        assert_eq!(elements, vec![Value::Number(b"1"), Value::Object(br#"{"c":"]"}"#)]);
        let spaced: Vec<_> = Elements::new(br#"[ "1" , false , null , [ ] ]"#).collect();
        assert_eq!(spaced, vec![Value::String(b"1"), Value::Bool(false), Value::Null, Value::Array(b"[ ]")]);
        assert_eq!(Elements::new(b"[ ]").count(), 0);
        let inner: Vec<_> = Members::new(br#"{ "p" : {"q":"}"} }"#).collect();
        assert_eq!(inner, vec![(&b"p"[..], Value::Object(br#"{"q":"}"}"#))]);
        assert_eq!(Members::new(b"{}").count(), 0);
    }

    /// JSON as Python's `json.dumps` writes it by default: every non-ASCII character escaped,
    /// outside the BMP as a surrogate pair.
    fn python_dumps(value: &serde_json::Value) -> String {
        let ascii = |text: &str| {
            let mut out = String::from("\"");
            for ch in text.chars() {
                match ch {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    ' '..='~' => out.push(ch),
                    _ => {
                        let mut units = [0u16; 2];
                        for unit in ch.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                }
            }
            out.push('"');
            out
        };
        match value {
            serde_json::Value::String(s) => ascii(s),
            serde_json::Value::Array(items) => {
                format!("[{}]", items.iter().map(python_dumps).collect::<Vec<_>>().join(", "))
            }
            serde_json::Value::Object(map) => format!(
                "{{{}}}",
                map.iter()
                    .map(|(k, v)| format!("{}: {}", ascii(k), python_dumps(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => other.to_string(),
        }
    }

    fn any_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            ".{0,6}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(MAX_DEPTH as u32, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(".{0,4}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        // Any document, written as Python writes it: accepted, and after joining its surrogate
        // pairs it reads as the same value (checked with serde_json).
        #[test]
        fn python_style_escapes_join_to_the_same_value(value in any_json()) {
            let doc = python_dumps(&value);
            let checked = check(doc.as_bytes());
            proptest::prop_assert!(checked.is_ok(), "{}", doc);
            let mut buf = doc.clone().into_bytes();
            let len = join_surrogate_pairs(&mut buf);
            let joined: serde_json::Value = serde_json::from_slice(&buf[..len]).unwrap();
            proptest::prop_assert_eq!(joined, value);
        }
    }
}

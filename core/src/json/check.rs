//! Checking a whole document against RFC 8259 without recursion or allocation.

/// Deepest nesting of arrays and objects accepted. Real payloads and JWT parts are flat; the
/// bound caps what a serde parser later recurses through.
pub(crate) const MAX_DEPTH: usize = 8;

/// Why a document was refused (detail for tests; callers report their own format error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not JSON: grammar, a control character or invalid UTF-8 in a string, a lone surrogate.
    Syntax,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// What [`check`] learnt about a valid document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Checked {
    /// The top-level value is an object.
    pub(crate) is_object: bool,
    /// Some string holds a `\uD8xx\uDCxx` pair (see [`join_surrogate_pairs`](crate::json::join_surrogate_pairs)).
    pub(crate) surrogate_pairs: bool,
}

/// Bytes with a read position; every access is checked, so malformed input ends in `None`.
pub(crate) struct Cursor<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(crate) fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    pub(crate) fn eat(&mut self, expected: u8) -> Result<(), JsonError> {
        if self.bump() == Some(expected) { Ok(()) } else { Err(JsonError::Syntax) }
    }

    pub(crate) fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    pub(crate) fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    pub(crate) fn hex4(&mut self) -> Result<u16, JsonError> {
        let mut value = 0u16;
        for _ in 0..4 {
            let digit = self.bump().and_then(|b| char::from(b).to_digit(16)).ok_or(JsonError::Syntax)?;
            // Four hex digits fit 16 bits.
            value = (value << 4) | digit as u16;
        }
        Ok(value)
    }

    /// A string from its opening quote to its closing one; returns the raw contents. Sets
    /// `pairs` if it holds a surrogate-pair escape.
    pub(crate) fn string(&mut self, pairs: &mut bool) -> Result<&'a [u8], JsonError> {
        self.eat(b'"')?;
        let start = self.pos;
        loop {
            match self.bump().ok_or(JsonError::Syntax)? {
                b'"' => return self.bytes.get(start..self.pos - 1).ok_or(JsonError::Syntax),
                b'\\' => match self.bump().ok_or(JsonError::Syntax)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => match self.hex4()? {
                        0xD800..=0xDBFF => {
                            self.eat(b'\\')?;
                            self.eat(b'u')?;
                            if !(0xDC00..=0xDFFF).contains(&self.hex4()?) {
                                return Err(JsonError::Syntax);
                            }
                            *pairs = true;
                        }
                        0xDC00..=0xDFFF => return Err(JsonError::Syntax),
                        _ => {}
                    },
                    _ => return Err(JsonError::Syntax),
                },
                0x00..=0x1F => return Err(JsonError::Syntax),
                _ => {}
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; returns the number's text.
    pub(crate) fn number(&mut self) -> Result<&'a [u8], JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(JsonError::Syntax),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(JsonError::Syntax);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(JsonError::Syntax);
            }
        }
        self.bytes.get(start..self.pos).ok_or(JsonError::Syntax)
    }

    pub(crate) fn literal(&mut self, word: &[u8]) -> Result<(), JsonError> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end) != Some(word) {
            return Err(JsonError::Syntax);
        }
        self.pos = end;
        Ok(())
    }

    /// A scalar value (string, number, literal); containers are the caller's.
    pub(crate) fn scalar(&mut self, pairs: &mut bool) -> Result<(), JsonError> {
        match self.peek().ok_or(JsonError::Syntax)? {
            b'"' => self.string(pairs).map(|_| ()),
            b'-' | b'0'..=b'9' => self.number().map(|_| ()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => Err(JsonError::Syntax),
        }
    }
}

/// Checks that `doc` is exactly one JSON value (surrounding whitespace allowed), valid UTF-8,
/// nested at most [`MAX_DEPTH`] deep. Runs in constant stack: open containers are bits of a
/// counter, not frames.
pub(crate) fn check(doc: &[u8]) -> Result<Checked, JsonError> {
    core::str::from_utf8(doc).map_err(|_| JsonError::Syntax)?;
    let mut c = Cursor { bytes: doc, pos: 0 };
    let mut pairs = false;
    // Bit i set: the container at depth i + 1 is an object.
    let mut objects = 0u16;
    let mut depth = 0usize;
    c.skip_ws();
    let is_object = c.peek() == Some(b'{');
    'value: loop {
        // At the start of a value.
        c.skip_ws();
        match c.peek() {
            Some(open @ (b'{' | b'[')) => {
                c.pos += 1;
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(JsonError::TooDeep);
                }
                let is_obj = open == b'{';
                objects = (objects & !(1 << (depth - 1))) | (u16::from(is_obj) << (depth - 1));
                c.skip_ws();
                let close = if is_obj { b'}' } else { b']' };
                if c.peek() == Some(close) {
                    c.pos += 1;
                    depth -= 1;
                } else {
                    if is_obj {
                        c.string(&mut pairs)?;
                        c.skip_ws();
                        c.eat(b':')?;
                    }
                    continue 'value;
                }
            }
            _ => c.scalar(&mut pairs)?,
        }
        // After a value: close containers, or move to the next element.
        loop {
            c.skip_ws();
            if depth == 0 {
                return if c.pos == doc.len() {
                    Ok(Checked { is_object, surrogate_pairs: pairs })
                } else {
                    Err(JsonError::Syntax)
                };
            }
            let in_object = objects & (1 << (depth - 1)) != 0;
            match (c.bump(), in_object) {
                (Some(b','), true) => {
                    c.skip_ws();
                    c.string(&mut pairs)?;
                    c.skip_ws();
                    c.eat(b':')?;
                    continue 'value;
                }
                (Some(b','), false) => continue 'value,
                (Some(b'}'), true) | (Some(b']'), false) => depth -= 1,
                _ => return Err(JsonError::Syntax),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::prelude::rust_2024::*;

    fn ok(doc: &str) -> bool {
        check(doc.as_bytes()).is_ok()
    }

    #[test]
    fn accepts_json() {
        for doc in [
            "{}",
            " [ ] ",
            "0",
            "-0.5e+10",
            r#""\u00e9\n\/""#,
            r#"{"a":[1,{"b":null}],"c":true,"d":false,"e":"x\"y"}"#,
            "{\"\u{1F600}\":\"caf\u{e9}\"}",
            r#"["\ud83d\ude00"]"#,
        ] {
            assert!(ok(doc), "{doc}");
        }
    }

    #[test]
    fn refuses_what_serde_json_core_lets_through() {
        for doc in [
            r#"{"a":1","b":2}"#,
            r#"{"a":not json " at all}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":1e}"#,
            r#"{"a":+1}"#,
            r#"{"a":tru}"#,
            r#"{"a":1,}"#,
            r#"[1,]"#,
            r#"{"a" 1}"#,
            r#"{"a":1}}"#,
            r#"{"a":1} x"#,
            r#"["\ud83d"]"#,
            r#"["\ude00"]"#,
            r#"["\ud83d\u0041"]"#,
            r#"["\x"]"#,
            r#"{1:2}"#,
            "",
            "[",
            "\u{c}{}",
        ] {
            assert_eq!(check(doc.as_bytes()), Err(JsonError::Syntax), "{doc:?}");
        }
        assert_eq!(check(b"[\"\xff\"]"), Err(JsonError::Syntax));
    }

    #[test]
    fn depth_is_counted_whatever_comes_before() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(ok(&nested(MAX_DEPTH)));
        assert_eq!(check(nested(MAX_DEPTH + 1).as_bytes()), Err(JsonError::TooDeep));
        // The review's bypass: a stray quote after an unknown value.
        let doc = format!(r#"{{"x":1","y":{}}}"#, nested(220));
        assert!(check(doc.as_bytes()).is_err());
        let doc = format!(r#"{{"x":"]]]]","y":{}}}"#, nested(MAX_DEPTH));
        assert_eq!(check(doc.as_bytes()), Err(JsonError::TooDeep));
    }

    proptest::proptest! {
        // Whatever serde_json (a strict parser) accepts within the depth bound, `check` accepts,
        // and the other way round.
        #[test]
        fn agrees_with_serde_json(doc in r#"[\[\]{}",:0-9a-z\\. -]{0,24}"#) {
            let strict = serde_json::from_str::<serde_json::Value>(&doc).is_ok();
            match check(doc.as_bytes()) {
                Err(JsonError::TooDeep) => {}
                ours => proptest::prop_assert_eq!(ours.is_ok(), strict, "{:?}", doc),
            }
        }
    }
}

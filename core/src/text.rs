//! ASCII output without allocation: lower-case hex and decimal integers.

use core::fmt;

const fn hex_digit(nibble: u8) -> u8 {
    if nibble < 10 { b'0' + nibble } else { b'a' + (nibble - 10) }
}

/// Writes lower-case hex digits of `bytes` into `out`, two per byte.
///
/// Callers pass an `out` of `2 * bytes.len()`; a shorter one is filled as far as it goes
/// rather than panicking.
pub(crate) fn encode_lower(bytes: &[u8], out: &mut [u8]) {
    for (byte, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair.copy_from_slice(&[hex_digit(byte >> 4), hex_digit(byte & 0x0f)]);
    }
}

/// Writes `bytes` as lower-case hex to a formatter.
pub(crate) fn write_lower(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for byte in bytes {
        write!(f, "{byte:02x}")?;
    }
    Ok(())
}

/// Length of `n` bytes in unpadded base64.
pub(crate) const fn b64_len(n: usize) -> usize {
    (n * 4).div_ceil(3)
}

/// Room for any `i64` or `u64` in decimal, sign included.
pub(crate) const DECIMAL_LEN: usize = 20;

/// Decimal digits of `v`, preceded by `-` if `negative`, written at the end of `buf`.
fn format_decimal(mut v: u64, negative: bool, buf: &mut [u8; DECIMAL_LEN]) -> &[u8] {
    let mut used = 0;
    // u64::MAX has 20 digits and i64::MIN 19 digits and a sign: both fill `buf` at most.
    for slot in buf.iter_mut().rev() {
        used += 1;
        if v == 0 && used > 1 {
            *slot = b'-';
            break;
        }
        // `v % 10 < 10`, so the cast cannot truncate.
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 && !negative {
            break;
        }
    }
    let start = buf.len().saturating_sub(used);
    buf.get(start..).unwrap_or_default()
}

/// Decimal digits of an unsigned integer.
pub(crate) fn format_u64(v: u64, buf: &mut [u8; DECIMAL_LEN]) -> &[u8] {
    format_decimal(v, false, buf)
}

/// Decimal digits of a signed integer.
pub(crate) fn format_i64(v: i64, buf: &mut [u8; DECIMAL_LEN]) -> &[u8] {
    format_decimal(v.unsigned_abs(), v < 0, buf)
}

/// Room for any `u128` in decimal.
pub(crate) const DECIMAL_U128_LEN: usize = 39;

/// Decimal digits of a `u128` (order sizes and nonces), written at the end of `buf`.
pub(crate) fn format_u128(mut v: u128, buf: &mut [u8; DECIMAL_U128_LEN]) -> &[u8] {
    let mut start = buf.len();
    for slot in buf.iter_mut().rev() {
        // `v % 10 < 10`, so the cast cannot truncate.
        *slot = b'0' + (v % 10) as u8;
        start -= 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.get(start..).unwrap_or_default()
}

/// A non-negative JSON integer that fits `u128`: `0`, or digits without a leading zero (no
/// sign, fraction or exponent).
pub(crate) fn parse_u128(text: &[u8]) -> Option<u128> {
    match text {
        [b'0'] => return Some(0),
        [b'1'..=b'9', ..] => {}
        _ => return None,
    }
    let mut value: u128 = 0;
    for &d in text {
        let digit = d.checked_sub(b'0').filter(|d| *d <= 9)?;
        value = value.checked_mul(10)?.checked_add(u128::from(digit))?;
    }
    Some(value)
}

/// Writes into a caller's buffer and refuses, rather than truncates, what does not fit.
pub(crate) struct SliceWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> SliceWriter<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        SliceWriter { buf, len: 0 }
    }

    /// Appends `bytes`; `None` (and nothing written) if they do not fit.
    pub(crate) fn put(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.len.checked_add(bytes.len())?;
        self.buf.get_mut(self.len..end)?.copy_from_slice(bytes);
        self.len = end;
        Some(())
    }

    /// What was written.
    pub(crate) fn finish(self) -> &'b mut [u8] {
        let SliceWriter { buf, len } = self;
        buf.get_mut(..len).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_integers() {
        let mut d = [0u8; DECIMAL_LEN];
        assert_eq!(format_i64(0, &mut d), b"0");
        assert_eq!(format_i64(-7, &mut d), b"-7");
        assert_eq!(format_i64(i64::MAX, &mut d), b"9223372036854775807");
        assert_eq!(format_i64(i64::MIN, &mut d), b"-9223372036854775808");
        assert_eq!(format_u64(0, &mut d), b"0");
        assert_eq!(format_u64(1000, &mut d), b"1000");
        assert_eq!(format_u64(u64::MAX, &mut d), b"18446744073709551615");
        let mut d = [0u8; DECIMAL_U128_LEN];
        assert_eq!(format_u128(0, &mut d), b"0");
        assert_eq!(format_u128(1_180_591_620_717_411_315_769, &mut d), b"1180591620717411315769");
        assert_eq!(format_u128(u128::MAX, &mut d), b"340282366920938463463374607431768211455");
    }

    #[test]
    fn parses_json_integers_strictly() {
        assert_eq!(parse_u128(b"0"), Some(0));
        assert_eq!(parse_u128(b"340282366920938463463374607431768211455"), Some(u128::MAX));
        for bad in
            [&b""[..], b"00", b"01", b"-1", b"1.0", b"1e3", b"340282366920938463463374607431768211456", b"1a"]
        {
            assert_eq!(parse_u128(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn slice_writer_refuses_what_does_not_fit() {
        let mut buf = [0u8; 4];
        let mut w = SliceWriter::new(&mut buf);
        assert_eq!(w.put(b"abc"), Some(()));
        assert_eq!(w.put(b"de"), None);
        assert_eq!(w.put(b"d"), Some(()));
        assert_eq!(w.finish(), b"abcd");
    }
}

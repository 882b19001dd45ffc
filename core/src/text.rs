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
    }
}

//! Lower-case hex output without allocation or fallible length checks.

use core::fmt;

const fn digit(nibble: u8) -> u8 {
    if nibble < 10 { b'0' + nibble } else { b'a' + (nibble - 10) }
}

/// Writes lower-case hex digits of `bytes` into `out`, two per byte.
///
/// Callers pass an `out` of `2 * bytes.len()`; a shorter one is filled as far as it goes
/// rather than panicking.
pub(crate) fn encode_lower(bytes: &[u8], out: &mut [u8]) {
    for (byte, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair.copy_from_slice(&[digit(byte >> 4), digit(byte & 0x0f)]);
    }
}

/// Writes `bytes` as lower-case hex to a formatter.
pub(crate) fn write_lower(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for byte in bytes {
        write!(f, "{byte:02x}")?;
    }
    Ok(())
}

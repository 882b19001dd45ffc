//! `uint256` values as EIP-712 messages carry them (amounts, nonces, deadlines, index sets):
//! 32 big-endian bytes, read from and written as decimal text without allocation.

use core::fmt;

use serde::{Deserialize, Serialize};

/// Most decimal digits of a `uint256` (2^256 − 1 has 78).
pub const U256_DECIMAL_LEN: usize = 78;

/// An unsigned 256-bit integer, stored as its 32-byte big-endian ABI word.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct U256([u8; 32]);

impl U256 {
    /// Zero.
    pub const ZERO: U256 = U256([0; 32]);

    /// 2^256 − 1: "unlimited" as an allowance, "never" as a deadline.
    pub const MAX: U256 = U256([0xff; 32]);

    /// The value of a 32-byte big-endian word.
    #[must_use]
    pub const fn from_be_bytes(bytes: [u8; 32]) -> Self {
        U256(bytes)
    }

    /// Its 32-byte big-endian word (its ABI encoding).
    #[must_use]
    pub const fn to_be_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// A value that fits 128 bits.
    #[must_use]
    pub fn from_u128(value: u128) -> Self {
        let mut bytes = [0u8; 32];
        bytes.split_at_mut(16).1.copy_from_slice(&value.to_be_bytes());
        U256(bytes)
    }

    /// The value if it fits 64 bits.
    #[must_use]
    pub fn to_u64(&self) -> Option<u64> {
        let (high, low) = self.0.split_at(24);
        if high.iter().any(|&b| b != 0) {
            return None;
        }
        low.try_into().ok().map(u64::from_be_bytes)
    }

    /// The value if it fits 128 bits.
    #[must_use]
    pub fn to_u128(&self) -> Option<u128> {
        let (high, low) = self.0.split_at(16);
        if high.iter().any(|&b| b != 0) {
            return None;
        }
        low.try_into().ok().map(u128::from_be_bytes)
    }

    /// One more, or `None` at 2^256 − 1 (a nonce there is the last).
    #[must_use]
    pub fn checked_add_one(&self) -> Option<Self> {
        let mut bytes = self.0;
        for byte in bytes.iter_mut().rev() {
            let (next, carry) = byte.overflowing_add(1);
            *byte = next;
            if !carry {
                return Some(U256(bytes));
            }
        }
        None
    }

    /// Reads decimal digits: no sign, no leading zero (but `0` itself), at most 2^256 − 1.
    #[must_use]
    pub fn parse_decimal(text: &[u8]) -> Option<Self> {
        if text.is_empty() || text.len() > U256_DECIMAL_LEN || (text.len() > 1 && text.first() == Some(&b'0'))
        {
            return None;
        }
        let mut limbs = [0u64; 4]; // little-endian limbs
        for &c in text {
            let digit = c.checked_sub(b'0').filter(|d| *d < 10)?;
            let mut carry = u128::from(digit);
            for limb in &mut limbs {
                let wide = u128::from(*limb) * 10 + carry;
                *limb = wide as u64; // the low 64 bits; the rest carries
                carry = wide >> 64;
            }
            if carry != 0 {
                return None;
            }
        }
        let mut bytes = [0u8; 32];
        for (chunk, limb) in bytes.chunks_exact_mut(8).zip(limbs.iter().rev()) {
            chunk.copy_from_slice(&limb.to_be_bytes());
        }
        Some(U256(bytes))
    }

    /// Its decimal digits, written into `out`; the written part.
    pub fn write_decimal<'o>(&self, out: &'o mut [u8; U256_DECIMAL_LEN]) -> &'o str {
        let mut limbs = [0u64; 4]; // big-endian limbs
        for (limb, chunk) in limbs.iter_mut().zip(self.0.chunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            *limb = u64::from_be_bytes(word);
        }
        let mut at = out.len();
        loop {
            // Divide the whole number by 10, keeping the remainder: one digit.
            let mut remainder = 0u128;
            for limb in &mut limbs {
                let wide = (remainder << 64) | u128::from(*limb);
                *limb = (wide / 10) as u64; // below 2^64: remainder < 10
                remainder = wide % 10;
            }
            at -= 1;
            if let Some(slot) = out.get_mut(at) {
                *slot = b'0' + remainder as u8;
            }
            if limbs.iter().all(|&l| l == 0) || at == 0 {
                break;
            }
        }
        core::str::from_utf8(out.get(at..).unwrap_or_default()).unwrap_or_default()
    }
}

impl fmt::Display for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut digits = [0u8; U256_DECIMAL_LEN];
        f.write_str(self.write_decimal(&mut digits))
    }
}

impl fmt::Debug for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U256({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    const MAX_TEXT: &str = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

    #[test]
    fn decimal_text_round_trips_at_the_edges() {
        for text in
            ["0", "1", "10", "18446744073709551616", "340282366920938463463374607431768211456", MAX_TEXT]
        {
            let value = U256::parse_decimal(text.as_bytes()).unwrap();
            assert_eq!(value.to_string(), text);
        }
        assert_eq!(U256::parse_decimal(MAX_TEXT.as_bytes()), Some(U256::MAX));
        assert_eq!(U256::from_u128(u128::MAX).to_u128(), Some(u128::MAX));
        assert_eq!(U256::from_u128(7).to_u64(), Some(7));
        assert_eq!(U256::MAX.to_u64(), None);
        assert_eq!(U256::from_u128(255).checked_add_one(), Some(U256::from_u128(256)));
        assert_eq!(U256::MAX.checked_add_one(), None);
        let over = "115792089237316195423570985008687907853269984665640564039457584007913129639936";
        for bad in [
            "",
            "-1",
            "01",
            "1.0",
            "1e3",
            " 1",
            over,
            "99999999999999999999999999999999999999999999999999999999999999999999999999999999",
        ] {
            assert_eq!(U256::parse_decimal(bad.as_bytes()), None, "{bad}");
        }
    }
}

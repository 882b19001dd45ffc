//! Market ids: up to 32 bytes of hex, left-padded into the order's `bytes32`.

use core::fmt;

use crate::turbine::order::error::OrderError;

/// Longest market id text: `0x` and 64 hex digits.
pub const MARKET_ID_TEXT_LEN: usize = 66;

/// A market id: the `bytes32` the order's hash covers, and how many hex digits it was given
/// with.
///
/// The SDK posts the market id exactly as its caller typed it (`0x1f` stays `0x1f`) and
/// left-pads it with zeros for the hash; keeping the digit count lets signet write the same
/// body back. Equality covers both, so `0x1f` and `0x001f` are different texts for the same
/// bytes ([`MarketId::as_bytes`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MarketId {
    bytes: [u8; 32],
    digits: u8,
}

impl MarketId {
    /// A full 32-byte id (64 digits).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        MarketId { bytes, digits: 64 }
    }

    /// Parses 1 to 64 hex digits, either case, with or without `0x`, as the SDK takes them.
    ///
    /// # Errors
    /// [`OrderError::MarketId`] for an empty, over-long or non-hex id.
    pub fn parse(text: &[u8]) -> Result<Self, OrderError> {
        let digits = text.strip_prefix(b"0x").unwrap_or(text);
        if digits.is_empty() || digits.len() > 64 {
            return Err(OrderError::MarketId);
        }
        let mut bytes = [0u8; 32];
        // Right-aligned: digit i (from the end) is nibble i of the big-endian value.
        for (i, &c) in digits.iter().rev().enumerate() {
            let nibble = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(OrderError::MarketId),
            };
            let byte = bytes.get_mut(31 - i / 2).ok_or(OrderError::MarketId)?;
            *byte |= if i % 2 == 0 { nibble } else { nibble << 4 };
        }
        // 1..=64 digits: the length fits a u8.
        Ok(MarketId { bytes, digits: digits.len() as u8 })
    }

    /// The `bytes32` value the order hash covers.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// `0x` and the id's own digits, lower-case (the SDK's body form for an id typed that way).
    #[must_use]
    pub fn to_text(&self) -> heapless::String<MARKET_ID_TEXT_LEN> {
        let mut hex = [0u8; 64];
        crate::text::encode_lower(&self.bytes, &mut hex);
        let start = 64 - usize::from(self.digits.min(64));
        let mut text = heapless::String::new();
        // At most 66 ASCII bytes: always fits.
        let _ = text.push_str("0x");
        let _ = text.push_str(core::str::from_utf8(hex.get(start..).unwrap_or_default()).unwrap_or_default());
        text
    }
}

impl fmt::Display for MarketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl fmt::Debug for MarketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MarketId({self})")
    }
}

/// On the device link: the digit count and the 32 bytes; decoding checks they agree.
impl serde::Serialize for MarketId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.to_text())
        } else {
            serde::Serialize::serialize(&(self.digits, self.bytes), serializer)
        }
    }
}

impl<'de> serde::Deserialize<'de> for MarketId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        if deserializer.is_human_readable() {
            let text = heapless::String::<MARKET_ID_TEXT_LEN>::deserialize(deserializer)?;
            return MarketId::parse(text.as_bytes()).map_err(D::Error::custom);
        }
        let (digits, bytes) = <(u8, [u8; 32])>::deserialize(deserializer)?;
        // Digits beyond the count must be zero padding, or the text and the hash would differ.
        let padding = 64usize.checked_sub(usize::from(digits)).filter(|_| digits > 0);
        let clean = padding.is_some_and(|pad| {
            bytes.iter().enumerate().all(|(i, b)| match (2 * i + 2).cmp(&pad) {
                core::cmp::Ordering::Less | core::cmp::Ordering::Equal => *b == 0,
                core::cmp::Ordering::Greater => 2 * i >= pad || b >> 4 == 0,
            })
        });
        if clean { Ok(MarketId { bytes, digits }) } else { Err(D::Error::custom(OrderError::MarketId)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn parses_as_the_sdk_pads() {
        let short = MarketId::parse(b"0x1f").unwrap();
        assert_eq!(short.as_bytes()[31], 0x1f);
        assert!(short.as_bytes()[..31].iter().all(|b| *b == 0));
        assert_eq!(short.to_string(), "0x1f");
        let odd = MarketId::parse(b"ABC").unwrap();
        assert_eq!(odd.as_bytes()[30..], [0x0a, 0xbc]);
        assert_eq!(odd.to_string(), "0xabc");
        let full = "0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928";
        assert_eq!(MarketId::parse(full.as_bytes()).unwrap().to_string(), full);
        assert_eq!(
            MarketId::parse(full.as_bytes()).unwrap(),
            MarketId::from_bytes(*MarketId::parse(full.as_bytes()).unwrap().as_bytes())
        );
        for bad in [&b""[..], b"0x", b"0xg1", b"0x 1", &[b'a'; 65][..], b"0X1f"] {
            assert_eq!(MarketId::parse(bad), Err(OrderError::MarketId), "{bad:?}");
        }
    }

    #[test]
    fn link_form_round_trips_and_refuses_digits_that_disagree() {
        let mut buf = [0u8; 64];
        for text in
            ["0x1f", "0xabc", "0x0", "0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928"]
        {
            let id = MarketId::parse(text.as_bytes()).unwrap();
            let bytes = postcard::to_slice(&id, &mut buf).unwrap();
            assert_eq!(postcard::from_bytes::<MarketId>(bytes).unwrap(), id);
        }
        let mut bytes = [0u8; 32];
        bytes[30] = 0x01;
        for (digits, ok) in [(2u8, false), (3, true), (4, true), (0, false), (65, false)] {
            let encoded = postcard::to_slice(&(digits, bytes), &mut buf).unwrap();
            assert_eq!(postcard::from_bytes::<MarketId>(encoded).is_ok(), ok, "{digits}");
        }
        let json = serde_json::to_string(&MarketId::parse(b"0x1F").unwrap()).unwrap();
        assert_eq!(json, "\"0x1f\"");
    }
}

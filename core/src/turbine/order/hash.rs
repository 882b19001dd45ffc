//! An order's id.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::turbine::order::error::OrderError;

/// An order's id: `keccak256(hashStruct(order))`, written `0x` and 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderHash(pub [u8; 32]);

impl OrderHash {
    /// Parses `0x` and 64 hex digits.
    ///
    /// # Errors
    /// [`OrderError::InvalidField`] (`orderHash`) for any other text.
    pub fn parse(text: &[u8]) -> Result<Self, OrderError> {
        let mut bytes = [0u8; 32];
        let digits = text.strip_prefix(b"0x").ok_or(OrderError::InvalidField("orderHash"))?;
        hex::decode_to_slice(digits, &mut bytes).map_err(|_| OrderError::InvalidField("orderHash"))?;
        Ok(OrderHash(bytes))
    }
}

impl fmt::Display for OrderHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        crate::text::write_lower(f, &self.0)
    }
}

impl fmt::Debug for OrderHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrderHash({self})")
    }
}

/// `0x…` text in human-readable formats (JSON), the 32 bytes in binary ones.
impl Serialize for OrderHash {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            let mut text = [0u8; 66];
            let (prefix, digits) = text.split_at_mut(2);
            prefix.copy_from_slice(b"0x");
            crate::text::encode_lower(&self.0, digits);
            serializer.serialize_str(core::str::from_utf8(&text).unwrap_or_default())
        } else {
            self.0.serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for OrderHash {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let text = heapless::String::<66>::deserialize(deserializer)?;
            OrderHash::parse(text.as_bytes()).map_err(serde::de::Error::custom)
        } else {
            <[u8; 32]>::deserialize(deserializer).map(OrderHash)
        }
    }
}

//! 20-byte Ethereum addresses with EIP-55 checksums.

use core::fmt;
use core::str::FromStr;

use k256::ecdsa::VerifyingKey;

use crate::eth::error::EthError;
use crate::eth::keccak::keccak256;

/// Length of an address in text: `0x` and 40 hex digits.
pub const ADDRESS_TEXT_LEN: usize = 42;

/// An Ethereum address: the last 20 bytes of Keccak-256 of the uncompressed public key.
///
/// Parsing accepts all-lower and all-upper hex as is and requires a valid EIP-55 checksum
/// when the case is mixed; `Display` writes the EIP-55 form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address([u8; 20]);

impl Address {
    /// An address from its 20 bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 20]) -> Self {
        Address(bytes)
    }

    /// The 20 bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The address of a secp256k1 public key.
    #[must_use]
    pub fn from_verifying_key(key: &VerifyingKey) -> Self {
        let point = key.to_sec1_point(false);
        // Uncompressed SEC1: 0x04 || X || Y; the address hashes X || Y.
        let xy = point.as_bytes().get(1..).unwrap_or_default();
        let hash = keccak256(&[xy]);
        let mut bytes = [0u8; 20];
        bytes.copy_from_slice(hash.get(12..).unwrap_or(&[0; 20]));
        Address(bytes)
    }

    /// Parses `0x` and 40 hex digits (see the type's doc for the case rules).
    ///
    /// # Errors
    /// [`EthError::InvalidAddress`] for any other text or a wrong checksum.
    pub fn parse(text: &[u8]) -> Result<Self, EthError> {
        let digits = text.strip_prefix(b"0x").ok_or(EthError::InvalidAddress)?;
        if digits.len() != 40 {
            return Err(EthError::InvalidAddress);
        }
        let mut bytes = [0u8; 20];
        hex::decode_to_slice(digits, &mut bytes).map_err(|_| EthError::InvalidAddress)?;
        let address = Address(bytes);
        let has_lower = digits.iter().any(u8::is_ascii_lowercase);
        let has_upper = digits.iter().any(u8::is_ascii_uppercase);
        if has_lower && has_upper && digits != address.checksummed_digits() {
            return Err(EthError::InvalidAddress);
        }
        Ok(address)
    }

    /// The 40 hex digits in EIP-55 case: a letter is upper-case where the matching nibble of
    /// Keccak-256 of the lower-case digits is 8 or more.
    fn checksummed_digits(&self) -> [u8; 40] {
        let mut digits = [0u8; 40];
        crate::text::encode_lower(&self.0, &mut digits);
        let hash = keccak256(&[&digits]);
        for (i, digit) in digits.iter_mut().enumerate() {
            let byte = hash.get(i / 2).copied().unwrap_or(0);
            let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
            if nibble >= 8 {
                digit.make_ascii_uppercase();
            }
        }
        digits
    }

    /// The EIP-55 text, `0x` included.
    #[must_use]
    pub fn to_checksummed(&self) -> heapless::String<ADDRESS_TEXT_LEN> {
        let mut text = heapless::String::new();
        let digits = self.checksummed_digits();
        // 42 ASCII bytes always fit; the digits are ASCII hex.
        let _ = text.push_str("0x");
        let _ = text.push_str(core::str::from_utf8(&digits).unwrap_or_default());
        text
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_checksummed())
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

impl FromStr for Address {
    type Err = EthError;
    fn from_str(s: &str) -> Result<Self, EthError> {
        Address::parse(s.as_bytes())
    }
}

/// The EIP-55 text in human-readable formats (JSON), the 20 bytes in binary ones (the device
/// link's postcard).
impl serde::Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.to_checksummed())
        } else {
            self.0.serialize(serializer)
        }
    }
}

impl<'de> serde::Deserialize<'de> for Address {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let text = heapless::String::<ADDRESS_TEXT_LEN>::deserialize(deserializer)?;
            Address::parse(text.as_bytes()).map_err(serde::de::Error::custom)
        } else {
            <[u8; 20]>::deserialize(deserializer).map(Address)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    // The EIP-55 specification's examples.
    const EIP55: [&str; 4] = [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ];

    #[test]
    fn eip55_examples_round_trip() {
        for text in EIP55 {
            let address: Address = text.parse().unwrap();
            assert_eq!(address.to_string(), text);
            assert_eq!(text.to_lowercase().parse::<Address>(), Ok(address));
            assert_eq!(std::format!("0x{}", &text[2..].to_uppercase()).parse::<Address>(), Ok(address));
        }
    }

    #[test]
    fn serializes_as_text_in_json_and_as_bytes_on_the_link() {
        let address: Address = EIP55[0].parse().unwrap();
        let json = serde_json::to_string(&address).unwrap();
        assert_eq!(json, std::format!("\"{}\"", EIP55[0]));
        assert_eq!(serde_json::from_str::<Address>(&json).unwrap(), address);
        assert!(serde_json::from_str::<Address>("\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\"").is_err());
        let mut buf = [0u8; 32];
        let bytes = postcard::to_slice(&address, &mut buf).unwrap();
        assert_eq!(&bytes[..], address.as_bytes());
        assert_eq!(postcard::from_bytes::<Address>(bytes).unwrap(), address);
    }

    #[test]
    fn refuses_bad_checksums_and_shapes() {
        let bad = [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", // one letter's case flipped
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",  // 39 digits
            "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00", // no prefix
            "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
            "",
        ];
        for text in bad {
            assert_eq!(text.parse::<Address>(), Err(EthError::InvalidAddress), "{text}");
        }
    }
}

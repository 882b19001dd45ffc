//! EIP-712 typed data: the domain separator and the digest a wallet signs, streamed through
//! Keccak-256 without buffers.

use sha3::{Digest, Keccak256};

use crate::eth::address::Address;
use crate::eth::keccak::keccak256;

/// `keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")`.
pub const DOMAIN_TYPE_HASH: [u8; 32] =
    hex_literal("8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f");

/// An EIP-712 domain with a name, a version, a chain and a verifying contract. Its separator is
/// computed once ([`Eip712Domain::separator`]) and reused for every message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Eip712Domain<'a> {
    /// `name`.
    pub name: &'a str,
    /// `version`.
    pub version: &'a str,
    /// `chainId`.
    pub chain_id: u64,
    /// `verifyingContract`.
    pub verifying_contract: Address,
}

impl Eip712Domain<'_> {
    /// `hashStruct(EIP712Domain)`.
    #[must_use]
    pub fn separator(&self) -> [u8; 32] {
        let mut hasher = StructHasher::new(&DOMAIN_TYPE_HASH);
        hasher.word(&keccak256(&[self.name.as_bytes()]));
        hasher.word(&keccak256(&[self.version.as_bytes()]));
        hasher.uint(u128::from(self.chain_id));
        hasher.address(&self.verifying_contract);
        hasher.finish()
    }
}

/// `hashStruct` computed field by field: the type hash, then each member's 32-byte encoding,
/// straight into Keccak-256 (no encoded-struct buffer on a device's stack).
#[derive(Clone, Debug)]
pub struct StructHasher(Keccak256);

impl StructHasher {
    /// Starts a struct of the type whose `typeHash` is given.
    #[must_use]
    pub fn new(type_hash: &[u8; 32]) -> Self {
        let mut hasher = Keccak256::new();
        hasher.update(type_hash);
        StructHasher(hasher)
    }

    /// A member already 32 bytes long (`bytes32`, or the hash of a `string` or nested struct).
    pub fn word(&mut self, word: &[u8; 32]) {
        self.0.update(word);
    }

    /// A `uint` member whose value fits 128 bits.
    pub fn uint(&mut self, value: u128) {
        self.0.update([0u8; 16]);
        self.0.update(value.to_be_bytes());
    }

    /// A `uint256` member.
    pub fn u256(&mut self, value: &crate::eth::U256) {
        self.0.update(value.to_be_bytes());
    }

    /// A `bool` member.
    pub fn boolean(&mut self, value: bool) {
        self.uint(u128::from(value));
    }

    /// An `address` member.
    pub fn address(&mut self, address: &Address) {
        self.0.update([0u8; 12]);
        self.0.update(address.as_bytes());
    }

    /// `hashStruct`.
    #[must_use]
    pub fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

/// The digest a wallet signs: `keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message))`.
#[must_use]
pub fn typed_data_digest(domain_separator: &[u8; 32], struct_hash: &[u8; 32]) -> [u8; 32] {
    keccak256(&[&[0x19, 0x01], domain_separator, struct_hash])
}

/// `N` bytes from `2 * N` hex digits (either case) at compile time, for type hashes and
/// contract addresses. A wrong length or digit stops the build.
pub(crate) const fn hex_literal<const N: usize>(digits: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => u8::MAX,
        }
    }
    let digits = digits.as_bytes();
    assert!(digits.len() == 2 * N, "wrong number of hex digits");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        #[allow(clippy::indexing_slicing)] // In range by the length check; evaluated at compile time.
        {
            let (high, low) = (nibble(digits[2 * i]), nibble(digits[2 * i + 1]));
            assert!(high < 16 && low < 16, "not a hex digit");
            out[i] = (high << 4) | low;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_type_hash_is_the_keccak_of_its_type() {
        let ty = b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
        assert_eq!(keccak256(&[ty]), DOMAIN_TYPE_HASH);
        assert_eq!(hex_literal::<2>("0aFf"), [0x0a, 0xff]);
    }

    #[test]
    fn struct_hasher_encodes_words_as_abi_does() {
        let address = Address::from_bytes([0xab; 20]);
        let mut hasher = StructHasher::new(&[1; 32]);
        hasher.uint(0x0102);
        hasher.address(&address);
        let mut expected = [0u8; 96];
        expected[..32].copy_from_slice(&[1; 32]);
        expected[62..64].copy_from_slice(&[1, 2]);
        expected[76..].copy_from_slice(address.as_bytes());
        assert_eq!(hasher.finish(), keccak256(&[&expected]));
    }
}

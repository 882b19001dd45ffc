//! Keccak-256 over parts, streamed.

/// Keccak-256 of the concatenation of `parts`, without a buffer for the whole input.
pub(crate) fn keccak256(parts: &[&[u8]]) -> [u8; 32] {
    use sha3::{Digest, Keccak256};
    let mut hasher = Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

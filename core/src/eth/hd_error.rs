//! Why a mnemonic, a passphrase or a derivation path was refused.

use core::fmt;

/// Why a BIP-39 mnemonic, passphrase or BIP-32 path was refused, or a derivation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HdError {
    /// Not 12, 15, 18, 21 or 24 words.
    WordCount,
    /// Word number `position` (from 1) is not in the English list.
    UnknownWord {
        /// Its place in the mnemonic, from 1.
        position: u8,
    },
    /// A word holds upper-case letters (the list is lower case; none is folded).
    NotLowerCase {
        /// Its place in the mnemonic, from 1.
        position: u8,
    },
    /// Words not separated by exactly one ASCII space, or space before or after.
    Spacing,
    /// The last word's checksum bits do not match the entropy.
    Checksum,
    /// Entropy not 16 to 32 bytes in steps of 4.
    EntropyLength,
    /// The passphrase is not in Unicode NFKD: normalise it first (BIP-39 salts with NFKD).
    PassphraseNotNormalized,
    /// The passphrase is longer than [`MAX_PASSPHRASE_LEN`](crate::eth::MAX_PASSPHRASE_LEN).
    PassphraseTooLong,
    /// Not `m` followed by `/index` levels, each decimal below 2^31 with an optional `'`.
    InvalidPath,
    /// More levels than [`MAX_PATH_DEPTH`](crate::eth::MAX_PATH_DEPTH).
    PathTooDeep,
    /// An index of 2^31 or more where a plain (non-hardened) index is needed.
    IndexOutOfRange,
    /// The derivation produced an invalid key (probability about 2^-127: use the next index).
    InvalidDerivedKey,
    /// The output buffer is too small.
    BufferTooSmall,
}

impl fmt::Display for HdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HdError::WordCount => f.write_str("a mnemonic has 12, 15, 18, 21 or 24 words"),
            HdError::UnknownWord { position } => {
                write!(f, "word {position} is not in the BIP-39 English word list")
            }
            HdError::NotLowerCase { position } => write!(f, "word {position} is not lower case"),
            HdError::Spacing => f.write_str("mnemonic words must be separated by single spaces"),
            HdError::Checksum => f.write_str("mnemonic checksum does not match"),
            HdError::EntropyLength => f.write_str("entropy must be 16 to 32 bytes, a multiple of 4"),
            HdError::PassphraseNotNormalized => {
                f.write_str("passphrase is not in Unicode NFKD (normalise it before deriving)")
            }
            HdError::PassphraseTooLong => f.write_str("passphrase is too long"),
            HdError::InvalidPath => f.write_str("invalid derivation path"),
            HdError::PathTooDeep => f.write_str("derivation path is deeper than 10 levels"),
            HdError::IndexOutOfRange => f.write_str("index must be below 2^31"),
            HdError::InvalidDerivedKey => f.write_str("derived key is invalid; use another index"),
            HdError::BufferTooSmall => f.write_str("output buffer too small"),
        }
    }
}

impl core::error::Error for HdError {}

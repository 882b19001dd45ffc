//! BIP-39: entropy as 12 to 24 English words with a checksum, and the 64-byte seed the words
//! and a passphrase stretch into (PBKDF2-HMAC-SHA512, 2,048 rounds).

use core::fmt;

use hmac::Hmac;
use rand_core::CryptoRng;
use sha2::{Digest, Sha256, Sha512};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::eth::hd_error::HdError;
use crate::eth::nfkd::is_nfkd;
use crate::eth::wordlist::{MAX_WORD_LEN, english_index, english_word};

/// Most words in a mnemonic.
pub const MAX_WORDS: usize = 24;

/// Longest mnemonic phrase: 24 words of at most 8 letters and 23 spaces.
pub const MAX_PHRASE_LEN: usize = MAX_WORDS * MAX_WORD_LEN + MAX_WORDS - 1;

/// Longest passphrase accepted, in bytes (NFKD).
pub const MAX_PASSPHRASE_LEN: usize = 256;

/// PBKDF2 rounds of the BIP-39 seed.
pub const SEED_ROUNDS: u32 = 2048;

/// How many words a new mnemonic has: 12 (128 bits of entropy) to 24 (256 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WordCount {
    /// 128 bits.
    Twelve,
    /// 160 bits.
    Fifteen,
    /// 192 bits.
    Eighteen,
    /// 224 bits.
    TwentyOne,
    /// 256 bits.
    TwentyFour,
}

impl WordCount {
    /// Bytes of entropy.
    #[must_use]
    pub const fn entropy_len(self) -> usize {
        match self {
            WordCount::Twelve => 16,
            WordCount::Fifteen => 20,
            WordCount::Eighteen => 24,
            WordCount::TwentyOne => 28,
            WordCount::TwentyFour => 32,
        }
    }
}

/// A BIP-39 mnemonic: its entropy, from which the words and their checksum follow. Zeroized on
/// drop; `Debug` shows only the word count.
#[derive(Clone, PartialEq, Eq)]
pub struct Mnemonic {
    entropy: [u8; 32],
    len: u8,
}

impl Zeroize for Mnemonic {
    fn zeroize(&mut self) {
        self.entropy.zeroize();
    }
}

impl Drop for Mnemonic {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for Mnemonic {}

impl fmt::Debug for Mnemonic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mnemonic({} words, <redacted>)", self.word_count())
    }
}

impl Mnemonic {
    /// The mnemonic of `entropy` (16, 20, 24, 28 or 32 bytes).
    ///
    /// # Errors
    /// [`HdError::EntropyLength`] for any other length.
    pub fn from_entropy(entropy: &[u8]) -> Result<Self, HdError> {
        if !(16..=32).contains(&entropy.len()) || !entropy.len().is_multiple_of(4) {
            return Err(HdError::EntropyLength);
        }
        let mut bytes = [0u8; 32];
        bytes.get_mut(..entropy.len()).ok_or(HdError::EntropyLength)?.copy_from_slice(entropy);
        Ok(Mnemonic { entropy: bytes, len: entropy.len() as u8 })
    }

    /// A new mnemonic of `words` words from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R, words: WordCount) -> Self {
        let mut entropy = Zeroizing::new([0u8; 32]);
        let part = entropy.get_mut(..words.entropy_len()).unwrap_or_default();
        rng.fill_bytes(part);
        Mnemonic { entropy: *entropy, len: words.entropy_len() as u8 }
    }

    /// Reads a phrase exactly as BIP-39 writes it: lower-case words of the English list,
    /// separated by single spaces, nothing before or after, with a valid checksum.
    ///
    /// # Errors
    /// [`HdError::WordCount`], [`HdError::Spacing`], [`HdError::UnknownWord`],
    /// [`HdError::NotLowerCase`] or [`HdError::Checksum`], the first that applies in that order
    /// (counting words first).
    pub fn parse(phrase: &str) -> Result<Self, HdError> {
        if phrase.is_empty() {
            return Err(HdError::WordCount);
        }
        let bytes = phrase.as_bytes();
        let spaced = bytes.first() == Some(&b' ')
            || bytes.last() == Some(&b' ')
            || bytes.windows(2).any(|w| w == b"  ")
            || bytes.iter().any(|&b| b.is_ascii_whitespace() && b != b' ');
        if spaced {
            return Err(HdError::Spacing);
        }
        let count = phrase.split(' ').count();
        if ![12, 15, 18, 21, 24].contains(&count) {
            return Err(HdError::WordCount);
        }
        // 24 words of 11 bits: 33 bytes, the checksum byte last.
        let mut bits = Zeroizing::new([0u8; 33]);
        for (i, text) in phrase.split(' ').enumerate() {
            let position = (i + 1) as u8;
            let index = match english_index(text) {
                Some(index) => index,
                None if text.bytes().any(|b| b.is_ascii_uppercase()) => {
                    let mut lower = Zeroizing::new([0u8; MAX_WORD_LEN]);
                    let folded =
                        lower.get_mut(..text.len()).ok_or(HdError::UnknownWord { position }).map(|out| {
                            out.copy_from_slice(text.as_bytes());
                            out.make_ascii_lowercase();
                            core::str::from_utf8(out).ok().and_then(english_index)
                        })?;
                    return Err(match folded {
                        Some(_) => HdError::NotLowerCase { position },
                        None => HdError::UnknownWord { position },
                    });
                }
                None => return Err(HdError::UnknownWord { position }),
            };
            put_bits(&mut bits, i * 11, index);
        }
        let len = count * 4 / 3;
        let mnemonic = Mnemonic::from_entropy(bits.get(..len).ok_or(HdError::WordCount)?)?;
        if checksum_bits(&mnemonic) != get_checksum(&bits, len) {
            return Err(HdError::Checksum);
        }
        Ok(mnemonic)
    }

    /// The mnemonic of word indexes (0..2048) in the English list, checksum checked: the compact
    /// form a host sends to a device.
    ///
    /// # Errors
    /// [`HdError::WordCount`], [`HdError::UnknownWord`] for an index past the list, or
    /// [`HdError::Checksum`].
    pub fn from_indices(indices: &[u16]) -> Result<Self, HdError> {
        if ![12, 15, 18, 21, 24].contains(&indices.len()) {
            return Err(HdError::WordCount);
        }
        let mut bits = Zeroizing::new([0u8; 33]);
        for (i, &index) in indices.iter().enumerate() {
            if usize::from(index) >= crate::eth::wordlist::WORD_COUNT {
                return Err(HdError::UnknownWord { position: (i + 1) as u8 });
            }
            put_bits(&mut bits, i * 11, index);
        }
        let len = indices.len() * 4 / 3;
        let mnemonic = Mnemonic::from_entropy(bits.get(..len).ok_or(HdError::WordCount)?)?;
        if checksum_bits(&mnemonic) != get_checksum(&bits, len) {
            return Err(HdError::Checksum);
        }
        Ok(mnemonic)
    }

    /// The index in the English list of word `i` (from 0).
    #[must_use]
    pub fn index(&self, i: usize) -> Option<u16> {
        if i >= self.word_count() {
            return None;
        }
        let mut bits = Zeroizing::new([0u8; 33]);
        let len = usize::from(self.len);
        bits.get_mut(..len)?.copy_from_slice(self.entropy());
        *bits.get_mut(len)? = checksum_bits(self);
        Some(get_bits(&bits, i * 11))
    }

    /// The entropy.
    #[must_use]
    pub fn entropy(&self) -> &[u8] {
        self.entropy.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// How many words.
    #[must_use]
    pub fn word_count(&self) -> usize {
        usize::from(self.len) * 3 / 4
    }

    /// Word `i` (from 0).
    #[must_use]
    pub fn word(&self, i: usize) -> Option<&'static str> {
        english_word(self.index(i)?)
    }

    /// The words in order.
    pub fn words(&self) -> impl Iterator<Item = &'static str> + '_ {
        (0..self.word_count()).filter_map(|i| self.word(i))
    }

    /// Writes the phrase (words and single spaces) into `out`.
    ///
    /// # Errors
    /// [`HdError::BufferTooSmall`]; [`MAX_PHRASE_LEN`] bytes always fit.
    pub fn write_phrase<'b>(&self, out: &'b mut [u8]) -> Result<&'b str, HdError> {
        let mut len = 0usize;
        for (i, w) in self.words().enumerate() {
            let sep: &[u8] = if i == 0 { b"" } else { b" " };
            for part in [sep, w.as_bytes()] {
                let end = len + part.len();
                out.get_mut(len..end).ok_or(HdError::BufferTooSmall)?.copy_from_slice(part);
                len = end;
            }
        }
        let text = out.get(..len).ok_or(HdError::BufferTooSmall)?;
        core::str::from_utf8(text).map_err(|_| HdError::BufferTooSmall)
    }

    /// The BIP-39 seed: PBKDF2-HMAC-SHA512 of the phrase, salted with `"mnemonic"` and the
    /// passphrase, 2,048 rounds (4,096 SHA-512 blocks).
    #[must_use]
    pub fn to_seed(&self, passphrase: &Passphrase<'_>) -> Seed {
        let mut phrase = Zeroizing::new([0u8; MAX_PHRASE_LEN]);
        let mut salt = Zeroizing::new([0u8; 8 + MAX_PASSPHRASE_LEN]);
        let mut seed = Seed([0; 64]);
        let phrase_len = self.write_phrase(phrase.as_mut()).map_or(0, str::len);
        let extra = passphrase.as_str().as_bytes();
        let salt_len = 8 + extra.len();
        if let Some(head) = salt.get_mut(..8) {
            head.copy_from_slice(b"mnemonic");
        }
        if let Some(tail) = salt.get_mut(8..salt_len) {
            tail.copy_from_slice(extra);
        }
        // Lengths are bounded (the phrase by MAX_PHRASE_LEN, the passphrase by its type), so the
        // slices exist and HMAC takes any key length: this cannot fail.
        let _ = pbkdf2::pbkdf2::<Hmac<Sha512>>(
            phrase.get(..phrase_len).unwrap_or_default(),
            salt.get(..salt_len).unwrap_or_default(),
            SEED_ROUNDS,
            &mut seed.0,
        );
        seed
    }
}

/// The checksum bits of `mnemonic`'s entropy: the first `ENT / 32` bits of its SHA-256, in the
/// high bits of a byte.
fn checksum_bits(mnemonic: &Mnemonic) -> u8 {
    let hash = Sha256::digest(mnemonic.entropy());
    let bits = usize::from(mnemonic.len) / 4;
    hash.first().copied().unwrap_or(0) & (0xffu8 << (8 - bits))
}

/// The checksum bits parsed from the words: the byte after the entropy, masked to its bits.
fn get_checksum(bits: &[u8; 33], entropy_len: usize) -> u8 {
    let checksum = entropy_len / 4;
    bits.get(entropy_len).copied().unwrap_or(0) & (0xffu8 << (8 - checksum))
}

/// Writes `value`'s 11 bits at bit `offset` (big-endian bit order).
fn put_bits(bits: &mut [u8; 33], offset: usize, value: u16) {
    for k in 0..11 {
        if value & (1 << (10 - k)) != 0 {
            let bit = offset + k;
            if let Some(byte) = bits.get_mut(bit / 8) {
                *byte |= 0x80 >> (bit % 8);
            }
        }
    }
}

/// Reads 11 bits at bit `offset`.
fn get_bits(bits: &[u8; 33], offset: usize) -> u16 {
    (0..11).fold(0u16, |value, k| {
        let bit = offset + k;
        let set = bits.get(bit / 8).is_some_and(|b| b & (0x80 >> (bit % 8)) != 0);
        (value << 1) | u16::from(set)
    })
}

/// A BIP-39 passphrase, in Unicode NFKD as the seed's salt needs it.
///
/// The core cannot normalise (that needs allocation), so it checks instead: [`Passphrase::new`]
/// refuses text that is not already NFKD, rather than deriving another wallet from it. std
/// callers normalise first (`signet_std::wallet::normalize_passphrase`); ASCII is always NFKD.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Passphrase<'a>(&'a str);

impl<'a> Passphrase<'a> {
    /// No passphrase.
    pub const EMPTY: Passphrase<'static> = Passphrase("");

    /// `text`, if it is in NFKD and at most [`MAX_PASSPHRASE_LEN`] bytes.
    ///
    /// # Errors
    /// [`HdError::PassphraseNotNormalized`] or [`HdError::PassphraseTooLong`].
    pub fn new(text: &'a str) -> Result<Self, HdError> {
        if text.len() > MAX_PASSPHRASE_LEN {
            return Err(HdError::PassphraseTooLong);
        }
        if !is_nfkd(text) {
            return Err(HdError::PassphraseNotNormalized);
        }
        Ok(Passphrase(text))
    }

    /// The text.
    #[must_use]
    pub const fn as_str(&self) -> &'a str {
        self.0
    }
}

impl fmt::Debug for Passphrase<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// A BIP-39 seed (64 bytes). Zeroized on drop; `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Seed([u8; 64]);

impl Seed {
    /// A seed from its bytes (one made elsewhere).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 64]) -> Self {
        Seed(bytes)
    }

    /// The 64 bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }
}

impl Drop for Seed {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for Seed {}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seed(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    const ABOUT: &str =
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    #[test]
    fn entropy_words_and_seed_round_trip() {
        let m = Mnemonic::from_entropy(&[0; 16]).unwrap();
        let mut buf = [0u8; MAX_PHRASE_LEN];
        assert_eq!(m.write_phrase(&mut buf).unwrap(), ABOUT);
        assert_eq!(Mnemonic::parse(ABOUT).unwrap(), m);
        // The published vector (TREZOR passphrase).
        let seed = m.to_seed(&Passphrase::new("TREZOR").unwrap());
        assert_eq!(
            hex::encode(seed.as_bytes()),
            "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"
        );
        let all = Mnemonic::from_entropy(&[0xff; 32]).unwrap();
        assert_eq!(all.words().last(), Some("vote"));
        assert_eq!(Mnemonic::parse(&std::vec::Vec::from_iter(all.words()).join(" ")).unwrap(), all);
    }

    #[test]
    fn refusals_are_typed() {
        let twelve = |last: &str| {
            std::format!(
                "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon {last}"
            )
        };
        assert_eq!(Mnemonic::parse(&twelve("abandon")), Err(HdError::Checksum));
        assert_eq!(Mnemonic::parse(&twelve("About")), Err(HdError::NotLowerCase { position: 12 }));
        assert_eq!(Mnemonic::parse(&twelve("bitcoinz")), Err(HdError::UnknownWord { position: 12 }));
        assert_eq!(Mnemonic::parse(&twelve("about ")), Err(HdError::Spacing));
        assert_eq!(Mnemonic::parse(&twelve("about").replace(' ', "  ")), Err(HdError::Spacing));
        assert_eq!(Mnemonic::parse(&twelve("about abandon")), Err(HdError::WordCount));
        assert_eq!(Mnemonic::parse(&std::format!(" {}", &twelve("about")[8..])), Err(HdError::Spacing));
        assert_eq!(Mnemonic::parse(&twelve("about\n")), Err(HdError::Spacing));
        assert_eq!(Mnemonic::parse(""), Err(HdError::WordCount));
        assert_eq!(Mnemonic::from_entropy(&[0; 15]), Err(HdError::EntropyLength));
        assert_eq!(Passphrase::new("\u{e9}").map(|p| p.as_str()), Err(HdError::PassphraseNotNormalized));
        assert_eq!(Passphrase::new(&"x".repeat(257)).map(|p| p.as_str()), Err(HdError::PassphraseTooLong));
        let m = Mnemonic::from_entropy(&[7; 16]).unwrap();
        let indices: std::vec::Vec<u16> = (0..12).map(|i| m.index(i).unwrap()).collect();
        assert_eq!(Mnemonic::from_indices(&indices).unwrap(), m);
        let mut wrong = indices.clone();
        wrong[11] ^= 1;
        assert_eq!(Mnemonic::from_indices(&wrong), Err(HdError::Checksum));
        wrong[11] = 2048;
        assert_eq!(Mnemonic::from_indices(&wrong), Err(HdError::UnknownWord { position: 12 }));
        assert_eq!(Mnemonic::from_indices(&indices[..11]), Err(HdError::WordCount));
        assert_eq!(
            std::format!("{m:?} {:?}", m.to_seed(&Passphrase::EMPTY)),
            "Mnemonic(12 words, <redacted>) Seed(<redacted>)"
        );
        assert_eq!(HdError::Checksum.to_string(), "mnemonic checksum does not match");
    }
}

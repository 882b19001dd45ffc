//! The BIP-39 English word list (the official file, SHA-256
//! `2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda`), packed as one string
//! and an offset table built at compile time: about 17 KiB of flash.

/// The 2048 words, one per line, in their official (alphabetical) order.
const WORDS: &str = include_str!("wordlist/english.txt");

/// Number of words.
pub(crate) const WORD_COUNT: usize = 2048;

/// Longest word, in bytes.
pub(crate) const MAX_WORD_LEN: usize = 8;

/// Byte offset of each word's start in [`WORDS`], and one past the end.
const OFFSETS: [u16; WORD_COUNT + 1] = offsets();

// Runs at compile time: an index out of range or a list of the wrong length fails the build.
#[allow(clippy::indexing_slicing)]
const fn offsets() -> [u16; WORD_COUNT + 1] {
    let bytes = WORDS.as_bytes();
    let mut out = [0u16; WORD_COUNT + 1];
    let (mut i, mut word) = (0usize, 1usize);
    while i < bytes.len() && word <= WORD_COUNT {
        if bytes[i] == b'\n' {
            out[word] = (i + 1) as u16;
            word += 1;
        }
        i += 1;
    }
    assert!(word == WORD_COUNT + 1, "the word list must have 2048 lines");
    out
}

/// The word at `index` (0..2048) of the BIP-39 English list.
#[must_use]
pub fn english_word(index: u16) -> Option<&'static str> {
    let i = usize::from(index);
    let start = usize::from(*OFFSETS.get(i)?);
    let end = usize::from(*OFFSETS.get(i + 1)?);
    // Each word is followed by its newline.
    WORDS.get(start..end.checked_sub(1)?)
}

/// The index of `text` in the BIP-39 English list (it is sorted, so a binary search).
#[must_use]
pub fn english_index(text: &str) -> Option<u16> {
    let (mut low, mut high) = (0u16, WORD_COUNT as u16);
    while low < high {
        let mid = low + (high - low) / 2;
        match english_word(mid)?.cmp(text) {
            core::cmp::Ordering::Less => low = mid + 1,
            core::cmp::Ordering::Greater => high = mid,
            core::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_list() {
        use sha2::{Digest, Sha256};
        assert_eq!(
            hex::encode(Sha256::digest(WORDS.as_bytes())),
            "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
        );
        assert_eq!(
            (english_word(0), english_word(2047), english_word(2048)),
            (Some("abandon"), Some("zoo"), None)
        );
        for i in 0..WORD_COUNT as u16 {
            let w = english_word(i).unwrap();
            assert!(w.len() <= MAX_WORD_LEN && w.bytes().all(|b| b.is_ascii_lowercase()));
            assert_eq!(english_index(w), Some(i));
        }
        assert_eq!(
            (english_index("bitcoinz"), english_index("Abandon"), english_index("")),
            (None, None, None)
        );
    }
}

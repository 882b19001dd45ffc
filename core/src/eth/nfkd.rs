//! Whether text is in Unicode NFKD, checked without allocating: every character must be one
//! NFKD leaves alone, and combining marks must stand in canonical order. That is the definition
//! (NFKD_Quick_Check has no "maybe"), so the answer is exact for the Unicode version of the
//! tables; normalising needs a library that allocates, which std callers have.

mod tables;

use tables::{CHANGED, COMBINING};

/// The Unicode version the check follows.
pub const NFKD_UNICODE_VERSION: &str = tables::UNICODE_VERSION;

fn changed_by_nfkd(c: char) -> bool {
    let cp = u32::from(c);
    // Hangul syllables decompose algorithmically and are outside the tables' ranges only if
    // the generator left them out; they are in, so one search covers everything.
    CHANGED.binary_search_by(|&(start, end)| range_order(cp, start, end)).is_ok()
}

fn combining_class(c: char) -> u8 {
    let cp = u32::from(c);
    match COMBINING.binary_search_by(|&(start, end, _)| range_order(cp, start, end)) {
        Ok(i) => COMBINING.get(i).map_or(0, |&(_, _, class)| class),
        Err(_) => 0,
    }
}

fn range_order(cp: u32, start: u32, end: u32) -> core::cmp::Ordering {
    if end < cp {
        core::cmp::Ordering::Less
    } else if start > cp {
        core::cmp::Ordering::Greater
    } else {
        core::cmp::Ordering::Equal
    }
}

/// Whether `text` is in NFKD.
#[must_use]
pub fn is_nfkd(text: &str) -> bool {
    if text.is_ascii() {
        return true;
    }
    let mut last_class = 0u8;
    for c in text.chars() {
        if changed_by_nfkd(c) {
            return false;
        }
        let class = combining_class(c);
        // Marks between two starters are in order of their classes.
        if class != 0 && class < last_class {
            return false;
        }
        last_class = class;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfkd_text_passes_and_other_text_does_not() {
        assert!(is_nfkd("") && is_nfkd("correct horse battery staple"));
        // "Ünïcödé" precomposed (NFC) is not NFKD; its decomposition is.
        assert!(!is_nfkd("\u{dc}n\u{ef}c\u{f6}d\u{e9}"));
        assert!(is_nfkd("U\u{308}ni\u{308}co\u{308}de\u{301}"));
        // Compatibility characters: a ligature, a full-width letter, a superscript.
        assert!(!is_nfkd("\u{fb01}") && !is_nfkd("\u{ff21}") && !is_nfkd("x\u{b2}"));
        // A Hangul syllable decomposes into jamo.
        assert!(!is_nfkd("\u{ac00}") && is_nfkd("\u{1100}\u{1161}"));
        // Combining marks out of canonical order (dot below, 220, after acute, 230).
        assert!(!is_nfkd("a\u{301}\u{323}") && is_nfkd("a\u{323}\u{301}"));
    }
}

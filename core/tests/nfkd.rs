//! The allocation-free NFKD check against `unicode-normalization` (which normalises, and so
//! allocates): the same answer for every Unicode scalar value alone, after a starter, and for
//! random runs of combining marks and compatibility characters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use signet_core::eth::{NFKD_UNICODE_VERSION, is_nfkd};
use unicode_normalization::UnicodeNormalization as _;

fn reference(text: &str) -> bool {
    text.nfkd().eq(text.chars())
}

#[test]
fn the_tables_follow_the_reference_unicode_version() {
    let (major, minor, patch) = unicode_normalization::UNICODE_VERSION;
    assert_eq!(NFKD_UNICODE_VERSION, format!("{major}.{minor}.{patch}"));
}

#[test]
fn every_scalar_value_agrees_alone_and_after_a_starter() {
    let mut disagreements = Vec::new();
    let mut buf = String::new();
    for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
        for prefix in ["", "a"] {
            buf.clear();
            buf.push_str(prefix);
            buf.push(c);
            if is_nfkd(&buf) != reference(&buf) {
                disagreements.push(buf.clone());
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first {:?}",
        disagreements.len(),
        disagreements.first()
    );
}

/// Characters where NFKD has work to do: combining marks of several classes, Hangul,
/// compatibility forms, and plain letters between them.
fn tricky() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select(vec!['a', 'e', 'A', ' ', '\u{1100}', '\u{1161}', '\u{11a8}']),
        (0x300u32..0x370).prop_map(|c| char::from_u32(c).unwrap()), // combining diacritics
        prop::sample::select(vec!['\u{323}', '\u{5b0}', '\u{5c1}', '\u{93c}', '\u{f71}', '\u{1dce}']),
        (0xac00u32..0xac40).prop_map(|c| char::from_u32(c).unwrap()), // Hangul syllables
        prop::sample::select(vec![
            '\u{fb01}', '\u{ff21}', '\u{b2}', '\u{2460}', '\u{e9}', '\u{1e0b}', '\u{212b}'
        ]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_mixtures_agree(chars in prop::collection::vec(tricky(), 0..12)) {
        let text: String = chars.into_iter().collect();
        prop_assert_eq!(is_nfkd(&text), reference(&text), "{:?}", text);
        let normalized: String = text.nfkd().collect();
        prop_assert!(is_nfkd(&normalized), "{:?}", normalized);
    }
}

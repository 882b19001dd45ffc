//! The wrong-PIN counter in flash words that are only ever cleared bit by bit, so no power cut
//! can take a try back and none needs an erase in the middle of an attempt.
//!
//! Each word of the counter's area is a record: its low 16 bits count tries (one bit cleared per
//! try, lowest first), its high 16 bits are the record's "closed" mark. The live record is the
//! first word whose mark is still erased (`0xffff`). A try clears the next count bit *before*
//! the PIN is checked; a correct PIN closes the record (clears its mark), so the next word, still
//! erased, counts from zero. When every word is closed the adapter erases the area, which only
//! happens right after a correct PIN: a cut during that erase can only grant what the correct
//! PIN had already earned.
//!
//! Counting the cleared bits rather than trusting a pattern keeps the count monotonic even if a
//! cut lands in the middle of programming a word: a bit is either cleared or not, and nothing
//! can set one again.

const COUNT_BITS: u32 = 0x0000_ffff;
const MARK_BITS: u32 = 0xffff_0000;

/// The 16th wrong PIN wipes the device.
pub const MAX_FAILURES: u32 = 16;

/// The counter as read from its area of flash words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TryCounter {
    /// Index of the live record; the area's length when every record is closed.
    index: usize,
    /// The live record's word (erased when every record is closed: the next area starts empty).
    word: u32,
}

impl TryCounter {
    /// Reads the counter from its words.
    #[must_use]
    pub fn read(words: &[u32]) -> Self {
        match words.iter().position(|w| w & MARK_BITS == MARK_BITS) {
            Some(index) => TryCounter { index, word: words.get(index).copied().unwrap_or(u32::MAX) },
            None => TryCounter { index: words.len(), word: u32::MAX },
        }
    }

    /// Tries counted since the last correct PIN (each try counts until it is found correct).
    #[must_use]
    pub fn failures(&self) -> u32 {
        (!self.word & COUNT_BITS).count_ones()
    }

    /// Whether the device must wipe: 16 tries without a correct PIN.
    #[must_use]
    pub fn exhausted(&self) -> bool {
        self.failures() >= MAX_FAILURES
    }

    /// Tries left before the wipe.
    #[must_use]
    pub fn tries_left(&self) -> u32 {
        MAX_FAILURES.saturating_sub(self.failures())
    }

    /// Seconds the device waits before checking the next PIN: 2ⁿ − 1 after `n` wrong ones
    /// (0, 1, 3, 7, … 32,767 s after 15).
    #[must_use]
    pub fn delay_secs(&self) -> u32 {
        (1u32 << self.failures().min(MAX_FAILURES)) - 1
    }

    /// Whether every record of the area is closed: the adapter erases the area before the next
    /// try is counted.
    #[must_use]
    pub fn needs_erase(&self, area_words: usize) -> bool {
        self.index >= area_words
    }

    /// The write that counts one more try: the word's index and the value to program (one more
    /// count bit cleared). `None` once 16 are counted or when the area must be erased first.
    #[must_use]
    pub fn count_try(&self, area_words: usize) -> Option<(usize, u32)> {
        if self.exhausted() || self.needs_erase(area_words) {
            return None;
        }
        // The lowest count bit still set.
        let next = self.word & COUNT_BITS & self.word.wrapping_neg();
        Some((self.index, self.word & !next))
    }

    /// The write that closes the live record after a correct PIN (its count bits kept). `None`
    /// when the area must be erased first.
    #[must_use]
    pub fn close(&self, area_words: usize) -> Option<(usize, u32)> {
        (!self.needs_erase(area_words)).then_some((self.index, self.word & COUNT_BITS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Programs `value` over `word` as NOR flash does: bits can only be cleared.
    fn program(words: &mut [u32], (index, value): (usize, u32)) {
        words[index] &= value;
    }

    /// Counts a try (`true`) or closes the record (`false`) in `words`.
    fn step(words: &mut [u32], try_: bool) {
        let counter = TryCounter::read(words);
        program(
            words,
            if try_ { counter.count_try(words.len()) } else { counter.close(words.len()) }.unwrap(),
        );
    }

    #[test]
    fn tries_clear_one_bit_each_and_the_sixteenth_exhausts() {
        let mut words = [u32::MAX; 4];
        let delays: std::vec::Vec<u32> = (0..16)
            .map(|_| {
                let counter = TryCounter::read(&words);
                let delay = counter.delay_secs();
                program(&mut words, counter.count_try(4).unwrap());
                delay
            })
            .collect();
        assert_eq!(delays[..5], [0, 1, 3, 7, 15]);
        assert_eq!(delays[15], 32_767);
        let counter = TryCounter::read(&words);
        assert!(counter.exhausted());
        assert_eq!((counter.failures(), counter.tries_left(), counter.count_try(4)), (16, 0, None));
        assert_eq!(words, [0xffff_0000, u32::MAX, u32::MAX, u32::MAX]);
    }

    #[test]
    fn a_correct_pin_closes_the_record_and_the_next_word_counts_from_zero() {
        let mut words = [u32::MAX; 2];
        for _ in 0..3 {
            step(&mut words, true);
        }
        assert_eq!(TryCounter::read(&words).failures(), 3);
        step(&mut words, false);
        assert_eq!(TryCounter::read(&words).failures(), 0);
        step(&mut words, true);
        step(&mut words, false);
        let full = TryCounter::read(&words);
        assert!(full.needs_erase(2));
        assert_eq!((full.count_try(2), full.close(2), full.failures()), (None, None, 0));
    }

    #[test]
    fn a_half_programmed_word_never_counts_fewer_tries() {
        // A cut while clearing bit 3 of a word with 3 tries: either 3 or 4 counted.
        let before = 0xffff_fff8;
        for partial in [before, before & !0b1000] {
            assert!((3..=4).contains(&TryCounter::read(&[partial]).failures()));
        }
        // A cut while closing: any mark bit cleared closes it; none cleared leaves the tries
        // (the correct one among them) counted, never fewer.
        assert_eq!(TryCounter::read(&[0xfffe_fff8, u32::MAX]).failures(), 0);
        assert_eq!(TryCounter::read(&[0xffff_fff8, u32::MAX]).failures(), 3);
    }

    proptest::proptest! {
        #[test]
        fn no_sequence_of_writes_lowers_the_count_of_the_live_record(
            ops in proptest::collection::vec(proptest::bool::ANY, 0..60),
        ) {
            let mut words = [u32::MAX; 3];
            for try_ in ops {
                let counter = TryCounter::read(&words);
                let write = if try_ { counter.count_try(3) } else { counter.close(3) };
                match write {
                    Some(write) => program(&mut words, write),
                    None if counter.needs_erase(3) => words = [u32::MAX; 3],
                    None => {}
                }
                let after = TryCounter::read(&words);
                if try_ && !counter.exhausted() && !counter.needs_erase(3) {
                    proptest::prop_assert_eq!(after.failures(), counter.failures() + 1);
                }
                proptest::prop_assert!(after.failures() <= MAX_FAILURES);
            }
        }
    }
}

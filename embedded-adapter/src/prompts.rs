//! What the device shows before each press, written into a line: the backup words a group at a
//! time, the backup check, and the confirmations of a restore, a wipe and a re-registration.

use core::fmt::{self, Write as _};

use signet_core::UnixTime;
use signet_core::eth::Address;

/// Longest prompt line (a group of backup words, a re-registration with its address and time).
pub const MAX_PROMPT_LEN: usize = 128;

/// Words shown on one screen of the backup.
pub const WORDS_PER_SCREEN: usize = 4;

/// A prompt line.
pub type PromptLine = heapless::String<MAX_PROMPT_LEN>;

/// Starts the backup screen of words `first` (from 1) on, of `count`.
pub(crate) fn backup_head(line: &mut PromptLine, first: usize, last: usize, count: usize) -> fmt::Result {
    line.clear();
    write!(line, "Backup words {first}-{last} of {count}:")
}

/// Adds word `position` (from 1) to a backup screen.
pub(crate) fn backup_word(line: &mut PromptLine, position: usize, word: &str) -> fmt::Result {
    write!(line, " {position}.{word}")
}

/// The backup check: asks whether word `position` (from 1) is `word`.
pub(crate) fn backup_check(line: &mut PromptLine, position: usize, word: &str) -> fmt::Result {
    line.clear();
    write!(line, "Backup check: is word {position} \"{word}\"? Press if so")
}

/// The line a failed backup check leaves.
pub const BACKUP_CHECK_FAILED: &str = "Backup check failed: run init again to see the words";

/// The confirmation of a restore.
pub(crate) fn restore(line: &mut PromptLine, address: &Address) -> fmt::Result {
    line.clear();
    write!(line, "Restore wallet {address} from the host's words? Press to accept")
}

/// The first and second confirmations of a wipe.
pub const WIPE_FIRST: &str = "Wipe the wallet and the API key? Press twice to erase everything";
/// The second confirmation of a wipe.
pub const WIPE_SECOND: &str = "Press again to wipe";

/// The confirmation of a timestamped re-registration.
pub(crate) fn reregistration(line: &mut PromptLine, address: &Address, time: UnixTime) -> fmt::Result {
    line.clear();
    write!(line, "Register a new API key for {address} at {}? Press to sign", time.utc())
}

/// The PIN grid: a title row, then the digits at keypad positions 7 8 9, 4 5 6 and 1 2 3, a
/// row each (16 characters a row: the Pico's screen shows it as a 3×3 block).
pub(crate) fn pin_matrix(line: &mut PromptLine, title: &str, rows: [[u8; 3]; 3]) -> fmt::Result {
    line.clear();
    write!(line, "{title:<16}")?;
    for [a, b, c] in rows {
        write!(line, "     {} {} {}      ", char::from(a), char::from(b), char::from(c))?;
    }
    Ok(())
}

/// Reads a PIN grid: its title and the digit at each keypad position (`digits[p - 1]`), `None`
/// for any other line.
#[must_use]
pub fn parse_pin_matrix(line: &str) -> Option<(&str, [u8; 9])> {
    let (title, grid) = (line.get(..16)?, line.get(16..)?);
    let shown: heapless::Vec<u8, 9> = grid.bytes().filter(u8::is_ascii_digit).take(9).collect();
    let [r1, r2, r3] = [shown.get(..3)?, shown.get(3..6)?, shown.get(6..9)?];
    let mut digits = [0u8; 9];
    // Top row is positions 7 8 9, then 4 5 6, then 1 2 3.
    for (row, first) in [(r1, 6), (r2, 3), (r3, 0)] {
        digits.get_mut(first..first + 3)?.copy_from_slice(row);
    }
    Some((title.trim_end(), digits))
}

/// Shown while the device waits before it checks a PIN.
pub(crate) fn pin_wait(line: &mut PromptLine, secs: u32) -> fmt::Result {
    line.clear();
    write!(line, "Wrong PINs before: waiting {secs} s")
}

/// Shown while the PIN is checked.
pub const PIN_CHECKING: &str = "Checking PIN";
/// The confirmation of a new PIN.
pub const PIN_SET: &str = "Set the new PIN? Press to confirm";
/// The confirmation of a device without a PIN: the display states what it means.
pub const PIN_NONE: &str = "No PIN: anyone holding this device can use it. Press to confirm";
/// The confirmation of a wipe code.
pub const WIPE_CODE_SET: &str =
    "Set the wipe code? Entered as the PIN, it erases everything. Press to confirm";
/// The confirmation of removing the wipe code.
pub const WIPE_CODE_NONE: &str = "Remove the wipe code? Press to confirm";
/// The line a wipe by the PIN counter or the wipe code leaves.
pub const PIN_WIPED: &str = "Device wiped: restore the wallet from its words";

/// Reads a backup screen: `(position, word)` pairs, `None` for any other line.
pub fn parse_backup(line: &str) -> Option<impl Iterator<Item = (usize, &str)>> {
    let words = line.strip_prefix("Backup words ")?.split_once(": ")?.1;
    Some(words.split(' ').filter_map(|item| {
        let (position, word) = item.split_once('.')?;
        Some((position.parse().ok()?, word))
    }))
}

/// Reads a backup check: `(position, word)`, `None` for any other line.
#[must_use]
pub fn parse_check(line: &str) -> Option<(usize, &str)> {
    let rest = line.strip_prefix("Backup check: is word ")?;
    let (position, rest) = rest.split_once(" \"")?;
    let (word, _) = rest.split_once('"')?;
    Some((position.parse().ok()?, word))
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    #[test]
    fn pin_grids_read_back() {
        let mut line = PromptLine::new();
        pin_matrix(&mut line, "Enter your PIN", [*b"371", *b"925", *b"486"]).unwrap();
        assert_eq!(line.len(), 64);
        let (title, digits) = parse_pin_matrix(&line).unwrap();
        assert_eq!((title, &digits), ("Enter your PIN", b"486925371"));
        assert!(parse_pin_matrix("Backup words 1-4 of 12:").is_none());
    }

    #[test]
    fn lines_read_back() {
        let mut line = PromptLine::new();
        backup_head(&mut line, 21, 24, 24).unwrap();
        for (i, w) in ["sugar", "abandon", "zoo", "absurd"].iter().enumerate() {
            backup_word(&mut line, 21 + i, w).unwrap();
        }
        assert_eq!(line.as_str(), "Backup words 21-24 of 24: 21.sugar 22.abandon 23.zoo 24.absurd");
        let words: Vec<_> = parse_backup(&line).unwrap().collect();
        assert_eq!(words, [(21, "sugar"), (22, "abandon"), (23, "zoo"), (24, "absurd")]);
        backup_check(&mut line, 7, "kiwi").unwrap();
        assert_eq!(parse_check(&line), Some((7, "kiwi")));
        assert!(parse_check(BACKUP_CHECK_FAILED).is_none() && parse_backup(WIPE_FIRST).is_none());
    }
}

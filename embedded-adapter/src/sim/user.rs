//! A user for emulators and tests: the device's display and button at once. It writes down the
//! backup words the device shows and answers the backup check from them (or gets it wrong, if
//! told to), and presses for every other prompt it is set to approve.

use core::cell::RefCell;
use core::convert::Infallible;

use crate::prompts::{MAX_PROMPT_LEN, parse_backup, parse_check};
use crate::{TextDisplay, UserPresence};

/// What the simulated user has seen and will do.
#[derive(Debug)]
struct Seen {
    current: heapless::String<MAX_PROMPT_LEN>,
    last: heapless::String<MAX_PROMPT_LEN>,
    words: [heapless::String<8>; 24],
    approve: bool,
    check_right: bool,
    presses: u32,
    paused_ms: u64,
    pin: heapless::Vec<u8, 9>,
}

/// Share it as `&SimulatedUser` for both the device's display and its button.
#[derive(Debug)]
pub struct SimulatedUser(RefCell<Seen>);

impl Default for SimulatedUser {
    fn default() -> Self {
        Self::new()
    }
}

impl SimulatedUser {
    /// A user who approves every prompt and answers the backup check correctly.
    #[must_use]
    pub fn new() -> Self {
        SimulatedUser(RefCell::new(Seen {
            current: heapless::String::new(),
            last: heapless::String::new(),
            words: Default::default(),
            approve: true,
            check_right: true,
            presses: 0,
            paused_ms: 0,
            pin: heapless::Vec::new(),
        }))
    }

    /// From now on, presses for prompts (`true`) or lets them time out.
    pub fn set_approve(&self, approve: bool) {
        self.0.borrow_mut().approve = approve;
    }

    /// From now on, answers the backup check correctly (`true`) or picks a wrong word.
    pub fn set_check_right(&self, right: bool) {
        self.0.borrow_mut().check_right = right;
    }

    /// The backup words written down so far (position from 1), as shown.
    pub fn word(&self, position: usize) -> Option<heapless::String<8>> {
        let seen = self.0.borrow();
        seen.words.get(position.checked_sub(1)?).filter(|w| !w.is_empty()).cloned()
    }

    /// The line on the display now.
    pub fn current(&self) -> heapless::String<MAX_PROMPT_LEN> {
        self.0.borrow().current.clone()
    }

    /// The last line shown (kept after it was cleared).
    pub fn last(&self) -> heapless::String<MAX_PROMPT_LEN> {
        self.0.borrow().last.clone()
    }

    /// How many times the user pressed.
    pub fn presses(&self) -> u32 {
        self.0.borrow().presses
    }

    /// Milliseconds the device paused (its PIN delays), in simulated time: nothing waits.
    pub fn paused_ms(&self) -> u64 {
        self.0.borrow().paused_ms
    }

    /// The PIN (ASCII digits) the user types on the next grids, as positions.
    pub fn remember_pin(&self, pin: &[u8]) {
        self.0.borrow_mut().pin =
            heapless::Vec::from_slice(pin.get(..pin.len().min(9)).unwrap_or_default()).unwrap_or_default();
    }

    /// The positions of the remembered PIN on the grid shown now (empty when no grid is shown,
    /// or for an empty PIN): what the user types on the host.
    pub fn pin_positions(&self) -> heapless::Vec<u8, 9> {
        let seen = self.0.borrow();
        let Some((_, digits)) = crate::prompts::parse_pin_matrix(&seen.current) else {
            return heapless::Vec::new();
        };
        seen.pin.iter().filter_map(|d| digits.iter().position(|x| x == d).map(|i| i as u8 + 1)).collect()
    }
}

impl TextDisplay for &SimulatedUser {
    type Error = Infallible;

    fn show(&mut self, line: &str) -> Result<(), Infallible> {
        let mut seen = self.0.borrow_mut();
        // A line longer than the simulated screen is cut (the words come first).
        let fitting = line.char_indices().take_while(|(i, c)| i + c.len_utf8() <= MAX_PROMPT_LEN).last();
        let end = fitting.map_or(0, |(i, c)| i + c.len_utf8());
        seen.current = heapless::String::try_from(line.get(..end).unwrap_or_default()).unwrap_or_default();
        seen.last = seen.current.clone();
        if let Some(words) = parse_backup(line) {
            for (position, word) in words {
                if let Some(slot) = position.checked_sub(1).and_then(|i| seen.words.get_mut(i)) {
                    *slot = heapless::String::try_from(word).unwrap_or_default();
                }
            }
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<(), Infallible> {
        self.0.borrow_mut().current.clear();
        Ok(())
    }
}

impl UserPresence for &SimulatedUser {
    type Error = Infallible;

    fn confirm(&mut self) -> Result<bool, Infallible> {
        let mut seen = self.0.borrow_mut();
        let press = match parse_check(&seen.current) {
            Some((position, word)) => {
                let written =
                    position.checked_sub(1).and_then(|i| seen.words.get(i)).is_some_and(|w| w == word);
                written == seen.check_right
            }
            None => seen.approve,
        };
        if press {
            seen.presses = seen.presses.saturating_add(1);
        }
        Ok(press)
    }

    fn confirm_within(&mut self, _timeout_ms: u32) -> Result<bool, Infallible> {
        self.confirm()
    }

    fn pause_ms(&mut self, ms: u32) -> Result<(), Infallible> {
        let mut seen = self.0.borrow_mut();
        seen.paused_ms = seen.paused_ms.saturating_add(u64::from(ms));
        Ok(())
    }
}

//! A display that remembers what it showed.

use signet_core::turbine::order::MAX_ORDER_SUMMARY_LEN;

use crate::TextDisplay;

/// A display that keeps the line on it and the last line it was given, so a test or an
/// emulator can print or check what the user saw.
#[derive(Clone, Debug, Default)]
pub struct SimulatedDisplay {
    /// The line on the display now (empty once cleared).
    pub current: heapless::String<MAX_ORDER_SUMMARY_LEN>,
    /// The last line shown, kept after the display is cleared.
    pub last: heapless::String<MAX_ORDER_SUMMARY_LEN>,
    /// The line shown before the last (a message's summary, when a warning followed it).
    pub previous: heapless::String<MAX_ORDER_SUMMARY_LEN>,
    /// How many lines were shown.
    pub shown: u32,
}

/// A line longer than the simulated display holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineTooLong;

impl TextDisplay for SimulatedDisplay {
    type Error = LineTooLong;

    fn show(&mut self, line: &str) -> Result<(), LineTooLong> {
        self.current = heapless::String::try_from(line).map_err(|_| LineTooLong)?;
        self.previous = core::mem::replace(&mut self.last, self.current.clone());
        self.shown = self.shown.saturating_add(1);
        Ok(())
    }

    fn clear(&mut self) -> Result<(), LineTooLong> {
        self.current.clear();
        Ok(())
    }
}

//! A button, its indicator, and a delay that returns at once.

use core::convert::Infallible;

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{ErrorType as PinErrorType, InputPin, OutputPin};

/// An active-low button that reads released for a number of samples, then pressed: held down
/// for good, or released and pressed again in a cycle (a user who answers every prompt).
#[derive(Clone, Debug)]
pub struct SimulatedButton {
    released_samples: u32,
    /// Samples per half cycle; 0 holds the button down once pressed.
    cycle: u32,
    sample: u32,
}

impl SimulatedButton {
    /// A button the user presses after `released_samples` samples and then holds down
    /// (`u32::MAX`: never presses). It approves one prompt: the next needs a release first.
    #[must_use]
    pub const fn pressed_after(released_samples: u32) -> Self {
        SimulatedButton { released_samples, cycle: 0, sample: 0 }
    }

    /// A button released for `samples` samples, then pressed for as many, again and again: it
    /// approves every prompt.
    #[must_use]
    pub const fn presses_every(samples: u32) -> Self {
        SimulatedButton { released_samples: 0, cycle: if samples == 0 { 1 } else { samples }, sample: 0 }
    }
}

impl PinErrorType for SimulatedButton {
    type Error = Infallible;
}

impl InputPin for SimulatedButton {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        // Active low: high while released.
        if let Some(half_cycles) = self.sample.checked_div(self.cycle) {
            self.sample = self.sample.wrapping_add(1);
            return Ok(half_cycles % 2 == 0);
        }
        let released = self.released_samples > 0;
        self.released_samples = self.released_samples.saturating_sub(1);
        Ok(released)
    }

    fn is_low(&mut self) -> Result<bool, Infallible> {
        self.is_high().map(|high| !high)
    }
}

/// An indicator light that remembers whether it is on and how often it was lit.
#[derive(Clone, Debug, Default)]
pub struct SimulatedLed {
    /// Whether it is lit.
    pub on: bool,
    /// How many times it was switched on.
    pub lit: u32,
}

impl PinErrorType for SimulatedLed {
    type Error = Infallible;
}

impl OutputPin for SimulatedLed {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.on = false;
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        self.on = true;
        self.lit = self.lit.saturating_add(1);
        Ok(())
    }
}

/// A delay that returns at once (simulated time needs no waiting).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoDelay;

impl DelayNs for NoDelay {
    fn delay_ns(&mut self, _ns: u32) {}
}

#[cfg(test)]
mod tests {
    use signet_core::UnixTime;

    use super::*;
    use crate::sim::rtc::SimulatedRtc;
    use crate::{Button, ButtonConfig, RtcClock, TimeSource, UserPresence};
    use embedded_hal::i2c::{ErrorKind, I2c, NoAcknowledgeSource};

    #[test]
    fn the_simulated_rtc_keeps_what_the_driver_sets() {
        let mut clock = RtcClock::new(SimulatedRtc::default());
        assert_eq!(clock.now(), Err(crate::Error::ClockStopped), "it starts as at power-up");
        clock.set(UnixTime(1_795_474_800)).unwrap();
        assert_eq!(clock.now(), Ok(UnixTime(1_795_474_800)));
        let mut bus = clock.release();
        assert_eq!(bus.write(0x57, &[0]), Err(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)));
    }

    #[test]
    fn the_simulated_button_is_pressed_after_its_delay() {
        let config = ButtonConfig { timeout_ms: 1_000, ..ButtonConfig::default() };
        let mut button =
            Button::new(SimulatedButton::pressed_after(5), SimulatedLed::default(), NoDelay, config);
        assert_eq!(button.confirm(), Ok(true));
        let (_, led, _) = button.release();
        assert!(!led.on && led.lit == 1);
        let mut never =
            Button::new(SimulatedButton::pressed_after(u32::MAX), SimulatedLed::default(), NoDelay, config);
        assert_eq!(never.confirm(), Ok(false));
        // Held down after one press: the next prompt is not approved.
        let mut held =
            Button::new(SimulatedButton::pressed_after(5), SimulatedLed::default(), NoDelay, config);
        assert_eq!((held.confirm(), held.confirm()), (Ok(true), Ok(false)));
        let mut every =
            Button::new(SimulatedButton::presses_every(4), SimulatedLed::default(), NoDelay, config);
        assert_eq!((every.confirm(), every.confirm(), every.confirm()), (Ok(true), Ok(true), Ok(true)));
    }
}

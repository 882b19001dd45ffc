//! User presence: a physical button the user presses to approve, with an indicator light.

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin};

use crate::Error;

/// Asks the user to approve an operation.
pub trait UserPresence {
    /// The error of the hardware behind it.
    type Error;

    /// Waits for approval: `Ok(true)` once the user approved, `Ok(false)` when they did not in
    /// time.
    ///
    /// # Errors
    /// When the hardware fails; the operation must then be refused as well.
    fn confirm(&mut self) -> Result<bool, Self::Error>;

    /// Waits at most `timeout_ms` for approval (a choice among options shown in turn, where
    /// not pressing means "not this one"). The default waits as [`UserPresence::confirm`]
    /// does, for presences that cannot shorten their wait.
    ///
    /// # Errors
    /// As [`UserPresence::confirm`].
    fn confirm_within(&mut self, timeout_ms: u32) -> Result<bool, Self::Error> {
        let _ = timeout_ms;
        self.confirm()
    }

    /// Waits `ms` on the device's own timer, asking nothing: the delay before a PIN is checked.
    /// Required (no default), so no presence skips it by accident.
    ///
    /// # Errors
    /// When the hardware fails; the PIN is then not checked.
    fn pause_ms(&mut self, ms: u32) -> Result<(), Self::Error>;
}

impl<T: UserPresence + ?Sized> UserPresence for &mut T {
    type Error = T::Error;

    fn confirm(&mut self) -> Result<bool, Self::Error> {
        (**self).confirm()
    }

    fn confirm_within(&mut self, timeout_ms: u32) -> Result<bool, Self::Error> {
        (**self).confirm_within(timeout_ms)
    }

    fn pause_ms(&mut self, ms: u32) -> Result<(), Self::Error> {
        (**self).pause_ms(ms)
    }
}

/// How a [`Button`] is sampled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ButtonConfig {
    /// The pin reads low while the button is pressed (a switch to ground with a pull-up).
    pub active_low: bool,
    /// Time between samples.
    pub poll_ms: u32,
    /// Consecutive equal samples that count as a settled level (debouncing).
    pub debounce_samples: u32,
    /// How long the user has to approve.
    pub timeout_ms: u32,
}

impl Default for ButtonConfig {
    /// Active low, sampled every 10 ms, settled after 3 equal samples, 30 s to approve.
    fn default() -> Self {
        ButtonConfig { active_low: true, poll_ms: 10, debounce_samples: 3, timeout_ms: 30_000 }
    }
}

/// A push button with an indicator that is lit while the device waits for it.
///
/// A press counts only if it starts after the request: the button must first be seen
/// released (settled), then pressed (settled), so a stuck or held-down button never approves.
#[derive(Debug)]
pub struct Button<P, L, D> {
    pin: P,
    led: L,
    delay: D,
    config: ButtonConfig,
}

impl<P, L, D, E> Button<P, L, D>
where
    P: InputPin<Error = E>,
    L: OutputPin<Error = E>,
    D: DelayNs,
{
    /// A button on `pin` with indicator `led`, sampled with `delay`.
    pub fn new(pin: P, led: L, delay: D, config: ButtonConfig) -> Self {
        Button { pin, led, delay, config }
    }

    /// Gives the pins and delay back.
    pub fn release(self) -> (P, L, D) {
        (self.pin, self.led, self.delay)
    }

    fn wait_for_press(&mut self, timeout_ms: u32) -> Result<bool, Error<E>> {
        let ButtonConfig { active_low, poll_ms, debounce_samples, timeout_ms: _ } = self.config;
        let settled = debounce_samples.max(1);
        let mut seen_released = false;
        let mut run = 0u32;
        let mut waited = 0u32;
        loop {
            let pressed = self.pin.is_high().map_err(Error::Bus)? != active_low;
            // Count consecutive samples of the level we are waiting for.
            run = if pressed == seen_released { run.saturating_add(1) } else { 0 };
            if run >= settled {
                if seen_released {
                    return Ok(true);
                }
                seen_released = true;
                run = 0;
            }
            if waited >= timeout_ms {
                return Ok(false);
            }
            self.delay.delay_ms(poll_ms);
            waited = waited.saturating_add(poll_ms.max(1));
        }
    }
}

impl<P, L, D, E> UserPresence for Button<P, L, D>
where
    P: InputPin<Error = E>,
    L: OutputPin<Error = E>,
    D: DelayNs,
{
    type Error = Error<E>;

    fn confirm(&mut self) -> Result<bool, Error<E>> {
        self.confirm_within(self.config.timeout_ms)
    }

    fn confirm_within(&mut self, timeout_ms: u32) -> Result<bool, Error<E>> {
        self.led.set_high().map_err(Error::Bus)?;
        let outcome = self.wait_for_press(timeout_ms);
        // The light goes off whatever happened; a pin error while waiting is reported first.
        let off = self.led.set_low().map_err(Error::Bus);
        let approved = outcome?;
        off?;
        Ok(approved)
    }

    fn pause_ms(&mut self, ms: u32) -> Result<(), Error<E>> {
        // In poll-sized steps: a delay that services the link between steps keeps doing so.
        let step = self.config.poll_ms.max(1);
        let mut left = ms;
        while left > 0 {
            let now = left.min(step);
            self.delay.delay_ms(now);
            left -= now;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use embedded_hal_mock::eh1::MockError;
    use embedded_hal_mock::eh1::delay::{CheckedDelay, Transaction as DelayTx};
    use embedded_hal_mock::eh1::digital::{Mock as Pin, State, Transaction as PinTx};

    use super::*;

    const CONFIG: ButtonConfig =
        ButtonConfig { active_low: true, poll_ms: 10, debounce_samples: 3, timeout_ms: 100 };

    /// Runs `confirm` against a button whose pin reads `samples` (`true` = pressed, active low),
    /// expecting exactly those reads, a delay between consecutive ones, and the light on then off.
    fn confirm_with(config: ButtonConfig, samples: &[bool]) -> Result<bool, Error<MockError>> {
        let level = |pressed: bool| if pressed != config.active_low { State::High } else { State::Low };
        let reads: Vec<_> = samples.iter().map(|&p| PinTx::get(level(p))).collect();
        let delays: Vec<_> = samples.iter().skip(1).map(|_| DelayTx::delay_ms(config.poll_ms)).collect();
        let mut pin = Pin::new(&reads);
        let mut led = Pin::new(&[PinTx::set(State::High), PinTx::set(State::Low)]);
        let mut delay = CheckedDelay::new(&delays);
        let mut button = Button::new(pin.clone(), led.clone(), delay.clone(), config);
        let outcome = button.confirm();
        pin.done();
        led.done();
        delay.done();
        outcome
    }

    #[test]
    fn a_press_after_the_prompt_approves() {
        assert_eq!(confirm_with(CONFIG, &[false, false, false, true, true, true]), Ok(true));
        // A bouncing contact settles before it counts.
        let bouncy = [false, false, false, true, false, true, true, false, true, true, true];
        assert_eq!(confirm_with(CONFIG, &bouncy), Ok(true));
        let active_high = ButtonConfig { active_low: false, ..CONFIG };
        assert_eq!(confirm_with(active_high, &[false, false, false, true, true, true]), Ok(true));
    }

    #[test]
    fn no_press_or_a_held_button_times_out() {
        // 100 ms at 10 ms per sample: 11 samples, then refusal.
        assert_eq!(confirm_with(CONFIG, &[false; 11]), Ok(false));
        // Held down since before the prompt (or stuck): never seen released, never approves.
        assert_eq!(confirm_with(CONFIG, &[true; 11]), Ok(false));
        // Too short a press to settle.
        let blips = [false, false, false, true, true, false, true, true, false, true, false];
        assert_eq!(confirm_with(CONFIG, &blips), Ok(false));
    }

    #[test]
    fn a_pin_error_refuses_and_still_turns_the_light_off() {
        let error = MockError::Io(std::io::ErrorKind::Other);
        let pin = Pin::new(&[PinTx::get(State::High), PinTx::get(State::High).with_error(error.clone())]);
        let led = Pin::new(&[PinTx::set(State::High), PinTx::set(State::Low)]);
        let delay = CheckedDelay::new(&[DelayTx::delay_ms(10)]);
        let mut button = Button::new(pin.clone(), led.clone(), delay.clone(), CONFIG);
        assert_eq!(button.confirm(), Err(Error::Bus(error)));
        let (mut pin, mut led, mut delay) = button.release();
        pin.done();
        led.done();
        delay.done();
    }
}

//! Simulated hardware for demos, emulators and tests (feature `sim`): a DS3231 on an I2C bus,
//! a button the user presses after a while, an indicator, a delay that returns at once, a
//! display that remembers what it showed, a NOR flash that can lose power before any write or
//! erase, and a user who writes down the backup words and answers the device's check.
//! With these the real adapter code runs where there is no such hardware (QEMU's boards,
//! the no_std canary).

mod button;
mod display;
mod flash;
mod rtc;
mod user;

pub use button::{NoDelay, SimulatedButton, SimulatedLed};
pub use display::{LineTooLong, SimulatedDisplay};
pub use flash::{FlashFault, SimulatedFlash};
pub use rtc::SimulatedRtc;
pub use user::SimulatedUser;

//! # signet-embedded
//!
//! The parts of a signing device's firmware that touch hardware, over embedded-hal 1.0 and
//! embedded-io: wall-clock time from a DS3231 real-time clock on I2C ([`RtcClock`]), user
//! approval from a debounced push button with a timeout and an indicator light ([`Button`]),
//! and the [`Device`] that answers a host's [`signet_core::link`] requests over a serial link.
//!
//! The device holds the Turbine API key and the wallet key; neither leaves it. It mints tokens
//! with its own clock and randomness, and signs a registration or installs an API key only after
//! the user presses the button; it signs a Turbine order only for its own wallet, after showing
//! the order's summary on its [`TextDisplay`] and the press (a device without a display signs no
//! orders); moving its clock by more than 300 s in total since the last
//! press needs a press too, so a host cannot have it mint tokens for later.
//!
//! ```
//! use embedded_hal_mock::eh1::delay::NoopDelay;
//! use embedded_hal_mock::eh1::digital::{Mock as Pin, State, Transaction as PinTx};
//! use embedded_hal_mock::eh1::i2c::{Mock as I2c, Transaction as I2cTx};
//! use signet_core::eth::WalletKey;
//! use signet_core::link::{DeviceError, Request, Response};
//! use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, RtcClock, TimeSource};
//!
//! // A DS3231 whose oscillator ran (status 0x0F) reading 2025-01-02 00:50:17 (BCD registers
//! // from 0x00).
//! let mut i2c = I2c::new(&[
//!     I2cTx::write_read(0x68, vec![0x0F], vec![0x08]),
//!     I2cTx::write_read(0x68, vec![0], vec![0x17, 0x50, 0x00, 5, 0x02, 0x01, 0x25]),
//! ]);
//! let mut clock = RtcClock::new(i2c.clone());
//! assert_eq!(clock.now()?.0, 1_735_779_017);
//!
//! // The user never presses the (active-low) button: the registration is refused.
//! let config = ButtonConfig { timeout_ms: 20, ..ButtonConfig::default() };
//! let mut samples = vec![PinTx::get(State::High); 3];
//! let mut pin = Pin::new(&samples);
//! let mut led = Pin::new(&[PinTx::set(State::High), PinTx::set(State::Low)]);
//! let button = Button::new(pin.clone(), led.clone(), NoopDelay::new(), config);
//! let keys = DeviceKeys::new(WalletKey::from_bytes(&[0x22; 32])?);
//! let address = keys.address().to_checksummed();
//! let rng = rand_core::UnwrapErr(getrandom::SysRng);
//! let mut device = Device::new(keys, clock, button, rng);
//! let request = Request::SignRegistration { address };
//! assert_eq!(device.handle(&request), Response::Error(DeviceError::NotConfirmed));
//! # i2c.done(); pin.done(); led.done();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![no_std]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::panic, clippy::unwrap_used, clippy::expect_used)
)]

mod device;
mod display;
mod error;
mod presence;
mod rtc;
#[cfg(feature = "sim")]
pub mod sim;

pub use device::{Device, DeviceKeys, MAX_UNCONFIRMED_CLOCK_SHIFT_SECS};
pub use display::{NoDisplay, NoScreen, TextDisplay};
pub use error::Error;
pub use presence::{Button, ButtonConfig, UserPresence};
pub use rtc::{RtcClock, TimeSource};

#![doc = include_str!("../README.md")]
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

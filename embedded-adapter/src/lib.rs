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
pub mod prompts;
mod record;
mod rtc;
#[cfg(feature = "sim")]
pub mod sim;
mod state;
mod storage;

pub use device::{
    BACKUP_CHECK_CANDIDATES, BACKUP_CHECK_WAIT_MS, BACKUP_CHECK_WORDS, DEFAULT_AUTO_LOCK_SECS, Device,
    DeviceKeys, MAX_UNCONFIRMED_CLOCK_SHIFT_SECS,
};
pub use display::{NoDisplay, NoScreen, TextDisplay};
pub use error::Error;
pub use presence::{Button, ButtonConfig, UserPresence};
pub use record::RECORD_LEN;
pub use rtc::{RtcClock, TimeSource};
pub use storage::{FlashStorage, FlashStorageError, LoadedState, NoStorage, Storage, StoredState, TRY_WORDS};

//! The device: its keys and state, and the loop that answers the host's requests over the link.

mod clock;
mod keys;
mod machine;
mod messages;
mod pin;
mod session;
mod signing;
mod wallet;

pub use clock::MAX_UNCONFIRMED_CLOCK_SHIFT_SECS;
pub use keys::DeviceKeys;
pub use machine::Device;
pub use pin::DEFAULT_AUTO_LOCK_SECS;
pub use wallet::{BACKUP_CHECK_CANDIDATES, BACKUP_CHECK_WAIT_MS, BACKUP_CHECK_WORDS};

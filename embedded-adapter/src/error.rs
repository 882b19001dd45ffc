//! The adapter's error type, generic over the error of the bus or pin it came from.

use core::fmt;

use signet_core::link::LinkError;

/// Why an operation on the device's hardware or link failed. `E` is the error type of the bus,
/// pin or link that failed; nothing here panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error<E> {
    /// The I2C bus, a pin or the serial link reported an error.
    Bus(E),
    /// The real-time clock holds no valid date, or the time cannot be represented by it
    /// (a DS3231 counts from 2000 to 2099).
    InvalidTime,
    /// The real-time clock's oscillator stopped (first power-up, or the backup cell ran out)
    /// since its time was last set, so the time it holds is not to be trusted.
    ClockStopped,
    /// The link carried a frame that could not be encoded or decoded.
    Link(LinkError),
    /// The link reached its end (the host went away).
    LinkClosed,
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bus(e) => write!(f, "bus error: {e:?}"),
            Error::InvalidTime => f.write_str("real-time clock has no valid time"),
            Error::ClockStopped => f.write_str("real-time clock stopped since its time was set"),
            Error::Link(e) => fmt::Display::fmt(e, f),
            Error::LinkClosed => f.write_str("link closed"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}

impl<E> From<LinkError> for Error<E> {
    fn from(e: LinkError) -> Self {
        Error::Link(e)
    }
}

//! Time as the core sees it: seconds since the Unix epoch, passed in by the caller.

use core::fmt;

/// Seconds since 1970-01-01T00:00:00Z, as carried in a token's `ts` field (int64).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// The time `secs` seconds after this one, saturating at the ends of `i64`.
    #[must_use]
    pub const fn saturating_add_secs(self, secs: i64) -> Self {
        UnixTime(self.0.saturating_add(secs))
    }

    /// Seconds from `earlier` to `self` (negative if `earlier` is later), saturating.
    #[must_use]
    pub const fn saturating_secs_since(self, earlier: UnixTime) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A source of wall-clock time.
///
/// The core never reads a clock itself; adapters implement this over the OS clock or an RTC.
/// The time need not be monotonic: verification only compares it with token timestamps.
pub trait Clock {
    /// The current time.
    fn now(&self) -> UnixTime;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> UnixTime {
        (**self).now()
    }
}

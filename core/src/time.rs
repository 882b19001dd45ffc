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

impl UnixTime {
    /// The time as a UTC date for people: `2026-11-23 19:00:00Z` (what a device shows).
    #[must_use]
    pub const fn utc(self) -> Utc {
        Utc(self)
    }
}

/// A [`UnixTime`] written as a UTC date and time (see [`UnixTime::utc`]); times before 1970
/// are written as their seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utc(UnixTime);

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match u64::try_from(self.0.0) {
            Ok(secs) => {
                let (year, month, day) = civil_from_days(secs / 86_400);
                let secs = secs % 86_400;
                write!(
                    f,
                    "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z",
                    secs / 3600,
                    secs % 3600 / 60,
                    secs % 60
                )
            }
            Err(_) => write!(f, "{} s", self.0.0),
        }
    }
}

/// `YYYY-MM-DD HH:MMZ`, or `HH:MM:SSZ` when the seconds are not zero.
pub(crate) fn write_utc(f: &mut fmt::Formatter<'_>, unix_secs: u64) -> fmt::Result {
    let (days, secs) = (unix_secs / 86_400, unix_secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (secs / 3600, secs % 3600 / 60, secs % 60);
    write!(f, "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}")?;
    if second != 0 {
        write!(f, ":{second:02}")?;
    }
    f.write_str("Z")
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`,
/// in unsigned arithmetic since an expiration is never before 1970).
pub(crate) fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01 so leap days fall at the end of each year.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
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

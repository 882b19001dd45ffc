//! The platform parts the core takes through traits: wall-clock time and OS randomness.

use std::time::{SystemTime, UNIX_EPOCH};

use getrandom::SysRng;
use rand_core::UnwrapErr;
use signet_core::{Clock, UnixTime};

/// The operating system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl SystemClock {
    /// Milliseconds since the Unix epoch (Bitzoom's request timestamps).
    #[must_use]
    pub fn now_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        // A clock before 1970 reads as 0 and one past i64 seconds saturates: both are refused
        // by any verifier rather than wrapping.
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        UnixTime(i64::try_from(secs).unwrap_or(i64::MAX))
    }
}

/// The operating system's CSPRNG as a `rand_core` 0.10 `CryptoRng`.
///
/// Panics only if the OS cannot provide randomness at all, where no key or nonce may be made.
pub type OsRng = UnwrapErr<SysRng>;

/// A handle to the OS CSPRNG.
#[must_use]
pub fn os_rng() -> OsRng {
    UnwrapErr(SysRng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::Rng;

    #[test]
    fn clock_and_rng_work() {
        let now = SystemClock.now();
        assert!(now.0 > 1_700_000_000, "{now}");
        assert!(SystemClock.now_ms() / 1000 >= now.0 as u64);
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        os_rng().fill_bytes(&mut a);
        os_rng().fill_bytes(&mut b);
        assert_ne!(a, b);
    }
}

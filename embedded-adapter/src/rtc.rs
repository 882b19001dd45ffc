//! Wall-clock time from a DS3231 real-time clock on I2C, through the `ds323x` driver.

use ds323x::interface::I2cInterface;
use ds323x::{DateTimeAccess, Ds323x, NaiveDateTime, ic::DS3231};
use embedded_hal::i2c::I2c;
use signet_core::UnixTime;

use crate::Error;

/// A source of Unix time that can fail and can be set: what the device loop needs of a clock.
///
/// Unlike [`signet_core::Clock`], reading it is a bus transaction, so it takes `&mut self`
/// and returns the bus error.
pub trait TimeSource {
    /// The error of a read or a write.
    type Error;

    /// The current time.
    ///
    /// # Errors
    /// When the clock cannot be read or holds no valid time.
    fn now(&mut self) -> Result<UnixTime, Self::Error>;

    /// Sets the clock.
    ///
    /// # Errors
    /// When the clock cannot be written or cannot represent `time`.
    fn set(&mut self, time: UnixTime) -> Result<(), Self::Error>;
}

/// A DS3231 (or DS3232) on I2C, keeping UTC.
///
/// Reading costs two bus transactions: the status register (a stopped oscillator makes the
/// time untrustworthy: [`Error::ClockStopped`]) and the seven calendar registers. Setting the
/// time clears the oscillator-stop flag.
pub struct RtcClock<I2C> {
    rtc: Ds323x<I2cInterface<I2C>, DS3231>,
}

impl<I2C> core::fmt::Debug for RtcClock<I2C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RtcClock(DS3231)")
    }
}

impl<I2C: I2c> RtcClock<I2C> {
    /// The RTC at its fixed I2C address (`0x68`).
    pub fn new(i2c: I2C) -> Self {
        RtcClock { rtc: Ds323x::new_ds3231(i2c) }
    }

    /// Gives the bus back.
    pub fn release(self) -> I2C {
        self.rtc.destroy_ds3231()
    }
}

fn from_driver<E>(e: ds323x::Error<E>) -> Error<E> {
    match e {
        ds323x::Error::Comm(e) => Error::Bus(e),
        _ => Error::InvalidTime,
    }
}

impl<I2C: I2c> TimeSource for RtcClock<I2C> {
    type Error = Error<I2C::Error>;

    fn now(&mut self) -> Result<UnixTime, Self::Error> {
        // The chip sets its oscillator-stop flag on first power-up and whenever the backup
        // cell could not keep it running; its calendar then holds a plausible but wrong time,
        // and tokens minted with it would be refused as stale or future. Trust it again only
        // once it has been set.
        if self.rtc.has_been_stopped().map_err(from_driver)? {
            return Err(Error::ClockStopped);
        }
        let calendar = self.rtc.datetime().map_err(from_driver)?;
        Ok(UnixTime(calendar.and_utc().timestamp()))
    }

    fn set(&mut self, time: UnixTime) -> Result<(), Self::Error> {
        let calendar = calendar_from_unix(time).ok_or(Error::InvalidTime)?;
        self.rtc.set_datetime(&calendar).map_err(from_driver)?;
        self.rtc.clear_has_been_stopped_flag().map_err(from_driver)
    }
}

/// UTC calendar time of a Unix time, if chrono can represent it.
fn calendar_from_unix(time: UnixTime) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp(time.0, 0).map(|t| t.naive_utc())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec;

    use embedded_hal::i2c::ErrorKind;
    use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
    use proptest::prelude::*;

    use super::*;

    const ADDRESS: u8 = 0x68;

    /// Status register with the oscillator running (32 kHz output enabled, as at power-up).
    const RUNNING: u8 = 0x08;
    /// What the driver writes to clear the oscillator-stop flag (alarm flags written as 1 so
    /// they are kept).
    const CLEAR_STOPPED: [u8; 2] = [0x0F, 0x0B];

    fn status(value: u8) -> Transaction {
        Transaction::write_read(ADDRESS, vec![0x0F], vec![value])
    }

    fn calendar(registers: [u8; 7]) -> Transaction {
        Transaction::write_read(ADDRESS, vec![0x00], registers.to_vec())
    }

    fn reading(registers: [u8; 7]) -> [Transaction; 2] {
        [status(RUNNING), calendar(registers)]
    }

    #[test]
    fn reads_calendar_registers_as_unix_seconds() {
        // (seconds, minutes, hours, weekday, day, month|century, year) in BCD; expected
        // values from `date -u -d ... +%s`.
        let cases = [
            ([0x00, 0x00, 0x00, 7, 0x01, 0x01, 0x00], 946_684_800),
            ([0x17, 0x50, 0x00, 5, 0x02, 0x01, 0x25], 1_735_779_017),
            ([0x59, 0x59, 0x23, 5, 0x29, 0x02, 0x24], 1_709_251_199),
            ([0x59, 0x59, 0x23, 5, 0x31, 0x12, 0x99], 4_102_444_799),
            // 12-hour mode, 11 PM.
            ([0x00, 0x00, 0x40 | 0x20 | 0x11, 1, 0x23, 0x11, 0x26], 1_795_474_800),
        ];
        for (registers, unix) in cases {
            let mut i2c = Mock::new(&reading(registers));
            let mut clock = RtcClock::new(i2c.clone());
            assert_eq!(clock.now(), Ok(UnixTime(unix)), "{registers:02x?}");
            i2c.done();
        }
    }

    #[test]
    fn sets_the_calendar_registers() {
        let mut i2c = Mock::new(&[
            Transaction::write(ADDRESS, vec![0x00, 0x17, 0x50, 0x00, 5, 0x02, 0x01, 0x25]),
            Transaction::write(ADDRESS, CLEAR_STOPPED.to_vec()),
            Transaction::write(ADDRESS, vec![0x00, 0x59, 0x59, 0x23, 5, 0x31, 0x12, 0x99]),
            Transaction::write(ADDRESS, CLEAR_STOPPED.to_vec()),
        ]);
        let mut clock = RtcClock::new(i2c.clone());
        assert_eq!(clock.set(UnixTime(1_735_779_017)), Ok(()));
        assert_eq!(clock.set(UnixTime(4_102_444_799)), Ok(()));
        // Outside the chip's 2000..=2099 (and chrono's range): refused without touching the bus.
        assert_eq!(clock.set(UnixTime(946_684_799)), Err(Error::InvalidTime));
        assert_eq!(clock.set(UnixTime(i64::MAX)), Err(Error::InvalidTime));
        i2c.done();
    }

    #[test]
    fn bus_errors_and_invalid_registers_are_typed() {
        let i2c = Mock::new(&[
            status(RUNNING).with_error(ErrorKind::Other),
            status(RUNNING),
            calendar([0; 7]).with_error(ErrorKind::Other),
            // Month 13.
            status(RUNNING),
            calendar([0x00, 0x00, 0x00, 1, 0x01, 0x13, 0x25]),
            Transaction::write(ADDRESS, vec![0x00, 0x17, 0x50, 0x00, 5, 0x02, 0x01, 0x25])
                .with_error(ErrorKind::NoAcknowledge(embedded_hal::i2c::NoAcknowledgeSource::Address)),
        ]);
        let mut clock = RtcClock::new(i2c.clone());
        assert_eq!(clock.now(), Err(Error::Bus(ErrorKind::Other)));
        assert_eq!(clock.now(), Err(Error::Bus(ErrorKind::Other)));
        assert_eq!(clock.now(), Err(Error::InvalidTime));
        assert!(matches!(clock.set(UnixTime(1_735_779_017)), Err(Error::Bus(ErrorKind::NoAcknowledge(_)))));
        clock.release().done();
    }

    #[test]
    fn a_stopped_oscillator_is_refused_until_the_time_is_set() {
        let mut i2c = Mock::new(&[
            // Power-up: stopped flag set, calendar not even read.
            status(0x88),
            Transaction::write(ADDRESS, vec![0x00, 0x17, 0x50, 0x00, 5, 0x02, 0x01, 0x25]),
            Transaction::write(ADDRESS, CLEAR_STOPPED.to_vec()),
            status(0x0B),
            calendar([0x17, 0x50, 0x00, 5, 0x02, 0x01, 0x25]),
            // The backup cell ran out later: refused again.
            status(0x8B),
        ]);
        let mut clock = RtcClock::new(i2c.clone());
        assert_eq!(clock.now(), Err(Error::ClockStopped));
        assert_eq!(clock.set(UnixTime(1_735_779_017)), Ok(()));
        assert_eq!(clock.now(), Ok(UnixTime(1_735_779_017)));
        assert_eq!(clock.now(), Err(Error::ClockStopped));
        i2c.done();
    }

    proptest! {
        // A faulty or uninitialised chip can hold any bytes: the answer is a time or a typed
        // error, and a time it gives is one it could be set to again.
        #[test]
        fn any_register_contents_give_a_time_or_an_error(registers in any::<[u8; 7]>()) {
            let mut i2c = Mock::new(&reading(registers));
            let mut clock = RtcClock::new(i2c.clone());
            match clock.now() {
                Ok(time) => prop_assert!((946_684_800..9_340_876_800).contains(&time.0)),
                Err(e) => prop_assert_eq!(e, Error::InvalidTime),
            }
            i2c.done();
        }
    }
}

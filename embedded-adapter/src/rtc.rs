//! Wall-clock time from a DS3231 real-time clock on I2C.
//!
//! The chip's seven calendar registers are read and written here rather than through a driver
//! crate: the `ds323x` driver read 12 AM (hours register `0x52`) as noon and 12 PM (`0x72`) as
//! an invalid time, and took registers that are not valid BCD (seconds `0x0A`, year `0xA5`)
//! as times. A clock that signs with its time must decode exactly and refuse what it cannot.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
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

/// The DS3231's fixed bus address.
const ADDRESS: u8 = 0x68;
/// First calendar register (seconds); minutes, hours, weekday, date, month, year follow.
const CALENDAR: u8 = 0x00;
/// Status register; bit 7 is the oscillator-stop flag.
const STATUS: u8 = 0x0F;
const OSCILLATOR_STOPPED: u8 = 0x80;

/// A DS3231 (or DS3232) on I2C, keeping UTC.
///
/// Reading costs two bus transactions: the status register (a stopped oscillator makes the
/// time untrustworthy: [`Error::ClockStopped`]) and the seven calendar registers, each
/// checked as BCD within its range (12- and 24-hour modes both read). Setting writes 24-hour
/// mode and then clears the oscillator-stop flag, keeping the other status bits.
pub struct RtcClock<I2C> {
    i2c: I2C,
}

impl<I2C> core::fmt::Debug for RtcClock<I2C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RtcClock(DS3231)")
    }
}

impl<I2C: I2c> RtcClock<I2C> {
    /// The RTC at its fixed I2C address (`0x68`).
    pub fn new(i2c: I2C) -> Self {
        RtcClock { i2c }
    }

    /// Gives the bus back.
    pub fn release(self) -> I2C {
        self.i2c
    }

    fn read(&mut self, register: u8, out: &mut [u8]) -> Result<(), Error<I2C::Error>> {
        self.i2c.write_read(ADDRESS, &[register], out).map_err(Error::Bus)
    }
}

impl<I2C: I2c> TimeSource for RtcClock<I2C> {
    type Error = Error<I2C::Error>;

    fn now(&mut self) -> Result<UnixTime, Self::Error> {
        // The chip sets its oscillator-stop flag on first power-up and whenever the backup
        // cell could not keep it running; its calendar then holds a plausible but wrong time,
        // and tokens minted with it would be refused as stale or future. Trust it again only
        // once it has been set.
        let mut status = [0u8];
        self.read(STATUS, &mut status)?;
        let [status] = status;
        if status & OSCILLATOR_STOPPED != 0 {
            return Err(Error::ClockStopped);
        }
        let mut registers = [0u8; 7];
        self.read(CALENDAR, &mut registers)?;
        let calendar = decode_calendar(registers).ok_or(Error::InvalidTime)?;
        Ok(UnixTime(calendar.and_utc().timestamp()))
    }

    fn set(&mut self, time: UnixTime) -> Result<(), Self::Error> {
        let registers = encode_calendar(time).ok_or(Error::InvalidTime)?;
        let [s, m, h, wd, d, mo, y] = registers;
        self.i2c.write(ADDRESS, &[CALENDAR, s, m, h, wd, d, mo, y]).map_err(Error::Bus)?;
        let mut status = [0u8];
        self.read(STATUS, &mut status)?;
        let [status] = status;
        self.i2c.write(ADDRESS, &[STATUS, status & !OSCILLATOR_STOPPED]).map_err(Error::Bus)
    }
}

/// A BCD byte whose value lies in `min..=max`; `mask` selects the bits that hold the number,
/// and every other bit must be clear.
fn bcd(byte: u8, mask: u8, min: u32, max: u32) -> Option<u32> {
    if byte & !mask != 0 {
        return None;
    }
    let (tens, units) = (u32::from(byte >> 4), u32::from(byte & 0x0F));
    let value = (units <= 9).then_some(tens * 10 + units)?;
    (min..=max).contains(&value).then_some(value)
}

fn to_bcd(value: u32) -> u8 {
    // Callers pass 0..=99.
    (((value / 10) << 4) | (value % 10)) as u8
}

/// The calendar the seven registers hold, if they hold one: BCD digits within each field's
/// range, a real date, and the hour in either mode.
fn decode_calendar([seconds, minutes, hours, _weekday, date, month, year]: [u8; 7]) -> Option<NaiveDateTime> {
    let second = bcd(seconds, 0x7F, 0, 59)?;
    let minute = bcd(minutes, 0x7F, 0, 59)?;
    let hour = if hours & 0x40 == 0 {
        bcd(hours, 0x3F, 0, 23)?
    } else {
        // 12-hour mode: bit 5 is PM, the hour is 1..=12, and 12 AM is midnight.
        let twelve_hour = bcd(hours & !0x60, 0x1F, 1, 12)?;
        (twelve_hour % 12) + if hours & 0x20 != 0 { 12 } else { 0 }
    };
    let day = bcd(date, 0x3F, 1, 31)?;
    // Bit 7 of the month register is the century: years 2100..=2199.
    let month_of_year = bcd(month & 0x7F, 0x1F, 1, 12)?;
    let century = if month & 0x80 != 0 { 100 } else { 0 };
    let year = 2000 + century + bcd(year, 0xFF, 0, 99)?;
    // The weekday register is not needed for the time and is not checked.
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month_of_year, day)?.and_hms_opt(hour, minute, second)
}

/// The seven registers for `time` (24-hour mode, weekday 1 = Sunday as the ds323x driver
/// wrote it), if the chip can hold it: 2000..=2199.
fn encode_calendar(time: UnixTime) -> Option<[u8; 7]> {
    let t = chrono::DateTime::from_timestamp(time.0, 0)?.naive_utc();
    let year = u32::try_from(t.year()).ok().filter(|y| (2000..=2199).contains(y))?;
    let century = if year >= 2100 { 0x80 } else { 0 };
    Some([
        to_bcd(t.second()),
        to_bcd(t.minute()),
        to_bcd(t.hour()),
        // number_from_sunday is 1..=7.
        t.weekday().number_from_sunday() as u8,
        to_bcd(t.day()),
        to_bcd(t.month()) | century,
        to_bcd(year % 100),
    ])
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
    /// Setting the time ends by clearing the oscillator-stop flag: the status register is read
    /// and written back with only that bit cleared.
    fn clear_stopped(status_before: u8) -> [Transaction; 2] {
        [status(status_before), Transaction::write(ADDRESS, vec![0x0F, status_before & 0x7F])]
    }

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
        let mut expected =
            vec![Transaction::write(ADDRESS, vec![0x00, 0x17, 0x50, 0x00, 5, 0x02, 0x01, 0x25])];
        expected.extend(clear_stopped(0x8B));
        expected.push(Transaction::write(ADDRESS, vec![0x00, 0x59, 0x59, 0x23, 5, 0x31, 0x12, 0x99]));
        expected.extend(clear_stopped(RUNNING));
        // 2100 and later set the century bit.
        expected.push(Transaction::write(ADDRESS, vec![0x00, 0x00, 0x00, 0x00, 6, 0x01, 0x81, 0x00]));
        expected.extend(clear_stopped(RUNNING));
        let mut i2c = Mock::new(&expected);
        let mut clock = RtcClock::new(i2c.clone());
        assert_eq!(clock.set(UnixTime(1_735_779_017)), Ok(()));
        assert_eq!(clock.set(UnixTime(4_102_444_799)), Ok(()));
        assert_eq!(clock.set(UnixTime(4_102_444_800)), Ok(()));
        // Outside the chip's 2000..=2199 (and chrono's range): refused without touching the bus.
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
            status(0x88),
            Transaction::write(ADDRESS, vec![0x0F, 0x08]),
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

    #[test]
    fn twelve_hour_mode_reads_midnight_and_noon_exactly() {
        // (hours register, hour of day) on 2025-01-02; the ds323x driver read 0x52 as noon and
        // refused 0x72.
        let midnight = 1_735_776_000;
        for (hours, hour) in
            [(0x52, 0), (0x41, 1), (0x51, 11), (0x72, 12), (0x61, 13), (0x71, 23), (0x00, 0), (0x23, 23)]
        {
            let mut i2c = Mock::new(&reading([0x00, 0x00, hours, 5, 0x02, 0x01, 0x25]));
            let mut clock = RtcClock::new(i2c.clone());
            assert_eq!(clock.now(), Ok(UnixTime(midnight + 3600 * hour)), "hours register {hours:#04x}");
            i2c.done();
        }
    }

    #[test]
    fn registers_that_are_not_bcd_in_range_are_refused() {
        let good = [0x17, 0x50, 0x00, 5, 0x02, 0x01, 0x25];
        let bad = [
            (0, 0x0A),
            (0, 0x60),
            (0, 0x80),
            (1, 0x5A),
            (1, 0x60),
            (2, 0x24),
            (2, 0x1A),
            (2, 0x40),
            (2, 0x53),
            (2, 0x80),
            (4, 0x00),
            (4, 0x32),
            (4, 0x1A),
            (5, 0x00),
            (5, 0x13),
            (5, 0x0A),
            (5, 0x21),
            (6, 0xA5),
            (6, 0x9A),
        ];
        for (index, value) in bad {
            let mut registers = good;
            registers[index] = value;
            let mut i2c = Mock::new(&reading(registers));
            let mut clock = RtcClock::new(i2c.clone());
            assert_eq!(clock.now(), Err(Error::InvalidTime), "register {index} = {value:#04x}");
            i2c.done();
        }
        // 30 February is BCD in range but no date.
        let mut i2c = Mock::new(&reading([0, 0, 0, 1, 0x30, 0x02, 0x25]));
        assert_eq!(RtcClock::new(i2c.clone()).now(), Err(Error::InvalidTime));
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
                Ok(time) => {
                    prop_assert!((946_684_800..7_258_118_400).contains(&time.0));
                    prop_assert_eq!(decode_calendar(encode_calendar(time).unwrap()), decode_calendar(registers));
                }
                Err(e) => prop_assert_eq!(e, Error::InvalidTime),
            }
            i2c.done();
        }

        // Every time the chip can hold is written and read back exactly.
        #[test]
        fn set_then_read_round_trips(secs in 946_684_800i64..7_258_118_400) {
            let registers = encode_calendar(UnixTime(secs)).unwrap();
            prop_assert_eq!(decode_calendar(registers).map(|t| t.and_utc().timestamp()), Some(secs));
        }
    }
}

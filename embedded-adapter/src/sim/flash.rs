//! A NOR flash in RAM that can lose power before any operation: to test that the device's state
//! survives a cut anywhere.

use embedded_storage::nor_flash::{ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash};

/// Why the simulated flash refused an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashFault {
    /// The power was cut: nothing more happens until [`SimulatedFlash::power_on`].
    PowerOff,
    /// An offset or length not a multiple of the write or erase size.
    NotAligned,
    /// Beyond the flash's end.
    OutOfBounds,
}

impl core::fmt::Display for FlashFault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            FlashFault::PowerOff => "the flash has no power",
            FlashFault::NotAligned => "offset or length not aligned to the flash's write or erase size",
            FlashFault::OutOfBounds => "beyond the end of the flash",
        })
    }
}

impl core::error::Error for FlashFault {}

impl NorFlashError for FlashFault {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            FlashFault::NotAligned => NorFlashErrorKind::NotAligned,
            FlashFault::OutOfBounds => NorFlashErrorKind::OutOfBounds,
            FlashFault::PowerOff => NorFlashErrorKind::Other,
        }
    }
}

/// `SIZE` bytes of NOR flash: erased bytes read `0xff`, writes of 4-byte words can only clear
/// bits, erases work on 4 KiB sectors. Each word written and each sector erased is one
/// operation; [`SimulatedFlash::cut_power_before`] makes operation `n` the first that does not
/// happen (an erase cut then leaves its sector half erased, as a real one can), and every later
/// one fail, until [`SimulatedFlash::power_on`].
#[derive(Clone, Debug)]
pub struct SimulatedFlash<const SIZE: usize> {
    memory: [u8; SIZE],
    operations: u32,
    cut_before: Option<u32>,
    off: bool,
}

impl<const SIZE: usize> Default for SimulatedFlash<SIZE> {
    fn default() -> Self {
        SimulatedFlash { memory: [0xff; SIZE], operations: 0, cut_before: None, off: false }
    }
}

impl<const SIZE: usize> SimulatedFlash<SIZE> {
    /// The sector size.
    pub const SECTOR: usize = 4096;

    /// Word writes and sector erases done so far.
    #[must_use]
    pub fn operations(&self) -> u32 {
        self.operations
    }

    /// Cuts the power just before operation `n` (counted from this flash's creation).
    pub fn cut_power_before(&mut self, n: u32) {
        self.cut_before = Some(n);
    }

    /// Whether the power is off (an operation hit the cut).
    #[must_use]
    pub fn is_off(&self) -> bool {
        self.off
    }

    /// Powers the flash on again with what it holds (a restart of the device).
    pub fn power_on(&mut self) {
        self.off = false;
        self.cut_before = None;
    }

    /// The bytes, for inspecting what a dump of the flash would show.
    #[must_use]
    pub fn contents(&self) -> &[u8] {
        &self.memory
    }

    /// Counts one operation; `Err` if the power is (now) off.
    fn operate(&mut self) -> Result<(), FlashFault> {
        if self.off {
            return Err(FlashFault::PowerOff);
        }
        if self.cut_before == Some(self.operations) {
            self.off = true;
            return Err(FlashFault::PowerOff);
        }
        self.operations = self.operations.saturating_add(1);
        Ok(())
    }

    fn range(&self, offset: u32, len: usize) -> Result<core::ops::Range<usize>, FlashFault> {
        let start = usize::try_from(offset).map_err(|_| FlashFault::OutOfBounds)?;
        let end = start.checked_add(len).ok_or(FlashFault::OutOfBounds)?;
        if end > SIZE { Err(FlashFault::OutOfBounds) } else { Ok(start..end) }
    }
}

impl<const SIZE: usize> ErrorType for SimulatedFlash<SIZE> {
    type Error = FlashFault;
}

impl<const SIZE: usize> ReadNorFlash for SimulatedFlash<SIZE> {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashFault> {
        if self.off {
            return Err(FlashFault::PowerOff);
        }
        let range = self.range(offset, bytes.len())?;
        bytes.copy_from_slice(self.memory.get(range).ok_or(FlashFault::OutOfBounds)?);
        Ok(())
    }

    fn capacity(&self) -> usize {
        SIZE
    }
}

impl<const SIZE: usize> NorFlash for SimulatedFlash<SIZE> {
    const WRITE_SIZE: usize = 4;
    const ERASE_SIZE: usize = 4096;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashFault> {
        let sector = Self::ERASE_SIZE;
        let len = usize::try_from(to.checked_sub(from).ok_or(FlashFault::OutOfBounds)?)
            .map_err(|_| FlashFault::OutOfBounds)?;
        let range = self.range(from, len)?;
        if !range.start.is_multiple_of(sector) || !len.is_multiple_of(sector) {
            return Err(FlashFault::NotAligned);
        }
        for start in range.step_by(sector) {
            let was_off = self.off;
            let cut = self.operate();
            // An erase the cut interrupts clears only part of its sector: what is left is
            // neither the old contents nor erased.
            let erased = match (&cut, was_off) {
                (Ok(()), _) => sector,
                (Err(_), false) => sector / 2,
                (Err(_), true) => 0,
            };
            if let Some(bytes) = self.memory.get_mut(start..start + erased) {
                bytes.fill(0xff);
            }
            cut?;
        }
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashFault> {
        let range = self.range(offset, bytes.len())?;
        if !range.start.is_multiple_of(Self::WRITE_SIZE) || !bytes.len().is_multiple_of(Self::WRITE_SIZE) {
            return Err(FlashFault::NotAligned);
        }
        for (i, word) in bytes.chunks(Self::WRITE_SIZE).enumerate() {
            self.operate()?;
            let at = range.start + i * Self::WRITE_SIZE;
            if let Some(cells) = self.memory.get_mut(at..at + word.len()) {
                // NOR flash only clears bits.
                cells.iter_mut().zip(word).for_each(|(cell, &b)| *cell &= b);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_nor_and_cuts_where_told() {
        let mut flash = SimulatedFlash::<8192>::default();
        flash.write(0, &[0x0f, 0xf0, 0xaa, 0x55]).unwrap();
        flash.write(0, &[0xff, 0x0f, 0xff, 0xff]).unwrap();
        let mut out = [0u8; 4];
        flash.read(0, &mut out).unwrap();
        assert_eq!(out, [0x0f, 0x00, 0xaa, 0x55], "writes only clear bits");
        assert_eq!(flash.write(2, &[0; 4]), Err(FlashFault::NotAligned));
        assert_eq!(flash.erase(0, 100), Err(FlashFault::NotAligned));
        assert_eq!(flash.operations(), 2);
        // Cut before the 2nd word of the next write: the first lands, the rest does not.
        flash.cut_power_before(3);
        assert_eq!(flash.write(4, &[0; 8]), Err(FlashFault::PowerOff));
        assert!(flash.is_off());
        assert_eq!(flash.read(4, &mut out), Err(FlashFault::PowerOff));
        flash.power_on();
        let mut both = [0u8; 8];
        flash.read(4, &mut both).unwrap();
        assert_eq!(both, [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        // A cut erase leaves its sector half erased.
        flash.cut_power_before(flash.operations());
        assert_eq!(flash.erase(0, 4096), Err(FlashFault::PowerOff));
        flash.power_on();
        flash.read(0, &mut out).unwrap();
        assert_eq!(out, [0xff; 4]);
        assert_eq!(flash.contents()[4096 / 2 - 1], 0xff);
    }
}

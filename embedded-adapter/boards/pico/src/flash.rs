//! The device's state in the last 12 KiB of the Pico's flash, through the boot ROM's flash
//! routines.
//!
//! While the flash is erased or programmed it cannot be read, so nothing may run from it: the
//! routine that calls the ROM runs from RAM (`.data`), with the ROM's function pointers looked up
//! before, and interrupts off. Afterwards boot stage 2 (copied to RAM at start) is called again to
//! put the flash back into fast quad-SPI execute-in-place, as the Pico SDK does.

use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash, check_erase, check_read, check_write,
};
use rp2040_hal::rom_data;
use zeroize::Zeroize;

/// Where the state region starts, from the start of flash: the last three 4 KiB sectors of 2 MiB
/// (two state slots and the wrong-PIN counter; memory.x keeps the firmware out of them).
pub const STATE_OFFSET: u32 = 2 * 1024 * 1024 - STATE_LEN;
/// The state region's size: two slots of one sector and the counter's sector.
pub const STATE_LEN: u32 = 12 * 1024;
const XIP_BASE: u32 = 0x1000_0000;
const SECTOR: u32 = 4096;
const PAGE: u32 = 256;
/// The W25Q080's 4 KiB sector erase.
const SECTOR_ERASE_CMD: u8 = 0x20;

/// The ROM entry points a flash operation needs, looked up while the flash can still be read.
#[repr(C)]
struct Rom {
    connect_internal_flash: unsafe extern "C" fn(),
    flash_exit_xip: unsafe extern "C" fn(),
    flash_range_erase: unsafe extern "C" fn(u32, usize, u32, u8),
    flash_range_program: unsafe extern "C" fn(u32, *const u8, usize),
    flash_flush_cache: unsafe extern "C" fn(),
    /// Boot stage 2 in RAM (thumb address), which restores fast execute-in-place.
    boot2: unsafe extern "C" fn(),
}

/// One erase or program, run from RAM.
///
/// # Safety
/// Interrupts off, the other core not running from flash, `data` in RAM for `len` bytes.
#[inline(never)]
#[unsafe(link_section = ".data.ram_func")]
unsafe extern "C" fn flash_op(rom: &Rom, erase: bool, offset: u32, data: *const u8, len: usize) {
    // SAFETY: the caller's contract; every callee is in ROM or RAM.
    unsafe {
        (rom.connect_internal_flash)();
        (rom.flash_exit_xip)();
        if erase {
            (rom.flash_range_erase)(offset, len, SECTOR, SECTOR_ERASE_CMD);
        } else {
            (rom.flash_range_program)(offset, data, len);
        }
        (rom.flash_flush_cache)();
        (rom.boot2)();
    }
}

/// The state region of the on-board flash, as a `NorFlash` of [`STATE_LEN`] bytes.
pub struct StateFlash {
    /// Boot stage 2, copied from the first 256 bytes of flash while they can be read.
    boot2: [u32; 64],
}

/// A flash operation outside the region or not aligned to the flash's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlashError(NorFlashErrorKind);

impl NorFlashError for FlashError {
    fn kind(&self) -> NorFlashErrorKind {
        self.0
    }
}

impl StateFlash {
    /// Takes the flash. Only one may exist: it owns the state region.
    pub fn new(_ssi: rp2040_hal::pac::XIP_SSI) -> Self {
        let mut boot2 = [0u32; 64];
        for (i, word) in boot2.iter_mut().enumerate() {
            // SAFETY: the first 256 bytes of flash are mapped and readable at XIP_BASE.
            *word = unsafe { core::ptr::read_volatile((XIP_BASE as *const u32).add(i)) };
        }
        StateFlash { boot2 }
    }

    fn run(&mut self, erase: bool, offset: u32, data: *const u8, len: usize) {
        let boot2 = self.boot2.as_ptr() as usize | 1;
        // SAFETY: `boot2` is a copy of boot stage 2, position-independent code that returns to
        // its caller when called with a non-zero lr (as here).
        let boot2: unsafe extern "C" fn() = unsafe { core::mem::transmute(boot2) };
        let rom = Rom {
            connect_internal_flash: rom_data::connect_internal_flash::ptr(),
            flash_exit_xip: rom_data::flash_exit_xip::ptr(),
            flash_range_erase: rom_data::flash_range_erase::ptr(),
            flash_range_program: rom_data::flash_range_program::ptr(),
            flash_flush_cache: rom_data::flash_flush_cache::ptr(),
            boot2,
        };
        // SAFETY: interrupts off for the operation; core 1 never runs; `data` is a RAM buffer.
        cortex_m::interrupt::free(|_| unsafe { flash_op(&rom, erase, STATE_OFFSET + offset, data, len) });
    }
}

impl ErrorType for StateFlash {
    type Error = FlashError;
}

impl ReadNorFlash for StateFlash {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        check_read(self, offset, bytes.len()).map_err(FlashError)?;
        let base = (XIP_BASE + STATE_OFFSET + offset) as *const u8;
        for (i, byte) in bytes.iter_mut().enumerate() {
            // SAFETY: inside the state region (checked above), which XIP maps.
            *byte = unsafe { core::ptr::read_volatile(base.add(i)) };
        }
        Ok(())
    }

    fn capacity(&self) -> usize {
        STATE_LEN as usize
    }
}

impl NorFlash for StateFlash {
    const WRITE_SIZE: usize = PAGE as usize;
    const ERASE_SIZE: usize = SECTOR as usize;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        check_erase(self, from, to).map_err(FlashError)?;
        self.run(true, from, core::ptr::null(), (to - from) as usize);
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        check_write(self, offset, bytes.len()).map_err(FlashError)?;
        // The ROM reads the data while the flash is away: program from a RAM copy, a page at a
        // time (the caller's buffer may be a constant in flash).
        let mut page = [0u8; PAGE as usize];
        for (i, chunk) in bytes.chunks(PAGE as usize).enumerate() {
            page.copy_from_slice(chunk);
            self.run(false, offset + (i as u32) * PAGE, page.as_ptr(), page.len());
        }
        page.zeroize();
        Ok(())
    }
}

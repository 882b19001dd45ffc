//! Where the device's state lives: two alternating slots in the last sectors of a NOR flash,
//! each holding one checked record, so that a power cut at any point leaves either the old state
//! or the new one.
//!
//! A commit erases the slot not holding the newest record, writes the new record (with the next
//! counter) there, reads it back, and then erases the other slot. Reading takes the valid record
//! with the highest counter: a cut during the erase or the write leaves the new slot invalid
//! (its checksum fails) and the old record stands; a cut after the write leaves both valid and
//! the new one wins; a cut while the old slot is erased leaves it invalid. At the next start a
//! stale older record is erased, so a wipe interrupted after its new (empty) record leaves no
//! old secret behind for long.
//!
//! A third sector holds the wrong-PIN counter ([`TRY_WORDS`] words whose bits are only ever
//! cleared, see [`signet_core::pin::TryCounter`]): a try is one word program, never an erase, so
//! no power cut in the middle of a PIN check can take the try back.
//!
//! Two checked slots rather than a log-structured store (`sequential-storage`): the state is one
//! small record, the slots need no garbage collection or async flash driver, and every step of a
//! commit can be reasoned about (and is tested by cutting power before each flash operation).

use embedded_storage::nor_flash::{NorFlash, NorFlashError, NorFlashErrorKind};
use zeroize::Zeroizing;

use crate::record::{Loaded, RECORD_LEN, Record, Stored, counter_of, decode_any};

/// Words of the wrong-PIN counter's area: one closes at each right PIN, so the area is erased
/// once every 64 right PINs.
pub const TRY_WORDS: usize = 64;
/// Bytes of the counter's area.
const TRY_AREA: usize = TRY_WORDS * 4;

/// Where a device keeps its state.
pub trait Storage {
    /// The error of the medium.
    type Error: core::fmt::Debug;

    /// The newest state stored, `None` when nothing (valid) is.
    ///
    /// # Errors
    /// When the medium cannot be read.
    fn load(&mut self) -> Result<Option<LoadedState>, Self::Error>;

    /// Stores `state` as the new newest one, atomically.
    ///
    /// # Errors
    /// When the medium fails; the old state is then still the newest.
    fn commit(&mut self, state: &StoredState) -> Result<(), Self::Error>;

    /// The wrong-PIN counter's words.
    ///
    /// # Errors
    /// When the medium cannot be read.
    fn read_tries(&mut self, words: &mut [u32; TRY_WORDS]) -> Result<(), Self::Error>;

    /// Programs counter word `index` with `value`: bits can only be cleared.
    ///
    /// # Errors
    /// When the medium fails (the caller reads the words back to know what took).
    fn program_try(&mut self, index: usize, value: u32) -> Result<(), Self::Error>;

    /// Erases the counter's area: every word back to all ones.
    ///
    /// # Errors
    /// When the medium fails.
    fn erase_tries(&mut self) -> Result<(), Self::Error>;
}

/// A state as read from storage: opaque outside the crate.
#[derive(Debug)]
pub struct LoadedState(pub(crate) Loaded);

/// A state to store: opaque outside the crate.
#[derive(Clone, Debug)]
pub struct StoredState(pub(crate) Stored);

/// No storage: state lives in RAM and is lost at power-off (tests, demos). The wrong-PIN
/// counter is kept in RAM too, so a PIN set on such a device still counts tries until it
/// powers off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoStorage {
    tries: [u32; TRY_WORDS],
}

impl Default for NoStorage {
    fn default() -> Self {
        NoStorage { tries: [u32::MAX; TRY_WORDS] }
    }
}

impl Storage for NoStorage {
    type Error = core::convert::Infallible;

    fn load(&mut self) -> Result<Option<LoadedState>, Self::Error> {
        Ok(None)
    }

    fn commit(&mut self, _: &StoredState) -> Result<(), Self::Error> {
        Ok(())
    }

    fn read_tries(&mut self, words: &mut [u32; TRY_WORDS]) -> Result<(), Self::Error> {
        *words = self.tries;
        Ok(())
    }

    fn program_try(&mut self, index: usize, value: u32) -> Result<(), Self::Error> {
        if let Some(word) = self.tries.get_mut(index) {
            *word &= value;
        }
        Ok(())
    }

    fn erase_tries(&mut self) -> Result<(), Self::Error> {
        self.tries = [u32::MAX; TRY_WORDS];
        Ok(())
    }
}

/// Why flash storage failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashStorageError<E> {
    /// The flash driver's error.
    Flash(E),
    /// A record read back differs from what was written.
    Verify,
}

/// The device's state in two slots of a NOR flash, `offset` and `offset + slot_size`, each a
/// whole number of erase sectors holding at least one record, and the wrong-PIN counter in the
/// sector after them.
#[derive(Debug)]
pub struct FlashStorage<F> {
    flash: F,
    offset: u32,
    slot_size: u32,
}

impl<F: NorFlash> FlashStorage<F> {
    /// Storage in `flash` from `offset`: two slots of one erase sector each (or of
    /// [`RECORD_LEN`], whichever is larger, rounded up to whole sectors), then the counter's
    /// sectors (at least [`TRY_WORDS`] words).
    ///
    /// # Errors
    /// `None` if the three areas do not fit the flash, `offset` is not sector-aligned, or the
    /// flash writes in units that do not divide a record and the counter's area.
    pub fn new(flash: F, offset: u32) -> Option<Self> {
        let sector = u32::try_from(F::ERASE_SIZE).ok()?.max(1);
        let slot_size = u32::try_from(RECORD_LEN).ok()?.div_ceil(sector) * sector;
        let tries_size = u32::try_from(TRY_AREA).ok()?.div_ceil(sector) * sector;
        let end = offset.checked_add(slot_size.checked_mul(2)?)?.checked_add(tries_size)?;
        if !offset.is_multiple_of(sector) || usize::try_from(end).ok()? > flash.capacity() {
            return None;
        }
        // A record must be written in whole write units.
        if !RECORD_LEN.is_multiple_of(F::WRITE_SIZE.max(1)) || !TRY_AREA.is_multiple_of(F::WRITE_SIZE.max(1))
        {
            return None;
        }
        Some(FlashStorage { flash, offset, slot_size })
    }

    /// The flash.
    pub fn flash(&self) -> &F {
        &self.flash
    }

    /// Gives the flash back.
    pub fn release(self) -> F {
        self.flash
    }

    fn slot(&self, i: u32) -> u32 {
        self.offset + i * self.slot_size
    }

    fn read_slot(&mut self, i: u32) -> Result<Zeroizing<[u8; RECORD_LEN]>, F::Error> {
        let mut bytes = Zeroizing::new([0u8; RECORD_LEN]);
        self.flash.read(self.slot(i), bytes.as_mut())?;
        Ok(bytes)
    }

    /// The slots' counters (`None` for a slot without a valid record).
    fn counters(&mut self) -> Result<[Option<u32>; 2], F::Error> {
        Ok([counter_of(&*self.read_slot(0)?), counter_of(&*self.read_slot(1)?)])
    }

    fn erase_slot(&mut self, i: u32) -> Result<(), F::Error> {
        self.flash.erase(self.slot(i), self.slot(i) + self.slot_size)
    }

    /// Where the counter's area starts.
    fn tries(&self) -> u32 {
        self.slot(2)
    }
}

/// Which slot holds the newest record, given the slots' counters.
fn newest(counters: [Option<u32>; 2]) -> Option<u32> {
    match counters {
        [Some(a), Some(b)] => Some(if b > a { 1 } else { 0 }),
        [Some(_), None] => Some(0),
        [None, Some(_)] => Some(1),
        [None, None] => None,
    }
}

impl<F: NorFlash> Storage for FlashStorage<F> {
    type Error = FlashStorageError<F::Error>;

    fn load(&mut self) -> Result<Option<LoadedState>, Self::Error> {
        let counters = self.counters().map_err(FlashStorageError::Flash)?;
        let Some(current) = newest(counters) else { return Ok(None) };
        let other = 1 - current;
        let state = decode_any(&*self.read_slot(current).map_err(FlashStorageError::Flash)?);
        if counters.get(other as usize).copied().flatten().is_some() {
            // A stale older record (a commit cut after its write): erased now, so no old secret
            // outlives a wipe or a key change for longer than one start.
            let _ = self.erase_slot(other);
        }
        Ok(state.map(LoadedState))
    }

    fn commit(&mut self, state: &StoredState) -> Result<(), Self::Error> {
        let counters = self.counters().map_err(FlashStorageError::Flash)?;
        let current = newest(counters);
        let next = current
            .and_then(|i| counters.get(i as usize).copied().flatten())
            .map_or(1, |c| c.wrapping_add(1));
        let target = current.map_or(0, |i| 1 - i);
        let record: Record = state.0.encode(next);
        self.erase_slot(target).map_err(FlashStorageError::Flash)?;
        self.flash.write(self.slot(target), record.0.as_ref()).map_err(FlashStorageError::Flash)?;
        // Read back in small pieces: a second record-sized buffer would sit on the device's
        // stack under every commit.
        let mut back = Zeroizing::new([0u8; 32]);
        for (i, written) in record.0.chunks(back.len()).enumerate() {
            let piece = back.get_mut(..written.len()).ok_or(FlashStorageError::Verify)?;
            let at = self.slot(target) + (i * 32) as u32;
            self.flash.read(at, piece).map_err(FlashStorageError::Flash)?;
            if piece != written {
                return Err(FlashStorageError::Verify);
            }
        }
        if let Some(old) = current {
            // The new record is whole, so the commit stands; the old one (and its secrets) goes
            // now, or at the next start if this erase fails.
            let _ = self.erase_slot(old);
        }
        Ok(())
    }

    fn read_tries(&mut self, words: &mut [u32; TRY_WORDS]) -> Result<(), Self::Error> {
        let mut bytes = [0u8; TRY_AREA];
        self.flash.read(self.tries(), &mut bytes).map_err(FlashStorageError::Flash)?;
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
            *word = chunk.try_into().map_or(0, u32::from_le_bytes);
        }
        Ok(())
    }

    fn program_try(&mut self, index: usize, value: u32) -> Result<(), Self::Error> {
        // The flash writes whole units: program the unit holding the word, with every other
        // word of it as it is (programming a bit already cleared leaves it cleared).
        let unit = F::WRITE_SIZE.clamp(4, TRY_AREA);
        let at = (index * 4) / unit * unit;
        let mut bytes = [0xffu8; TRY_AREA];
        let chunk = bytes.get_mut(..unit).ok_or(FlashStorageError::Verify)?;
        let start = self.tries() + at as u32;
        self.flash.read(start, chunk).map_err(FlashStorageError::Flash)?;
        let offset = index * 4 - at;
        let word = chunk.get_mut(offset..offset + 4).ok_or(FlashStorageError::Verify)?;
        let old = u32::from_le_bytes(word.try_into().map_err(|_| FlashStorageError::Verify)?);
        word.copy_from_slice(&(old & value).to_le_bytes());
        self.flash.write(start, chunk).map_err(FlashStorageError::Flash)
    }

    fn erase_tries(&mut self) -> Result<(), Self::Error> {
        let sector = u32::try_from(F::ERASE_SIZE).unwrap_or(1).max(1);
        let size = u32::try_from(TRY_AREA).unwrap_or(0).div_ceil(sector) * sector;
        self.flash.erase(self.tries(), self.tries() + size).map_err(FlashStorageError::Flash)
    }
}

impl<E: core::fmt::Debug> core::fmt::Display for FlashStorageError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FlashStorageError::Flash(e) => write!(f, "flash error: {e:?}"),
            FlashStorageError::Verify => f.write_str("flash read back differs from what was written"),
        }
    }
}

impl<E: core::fmt::Debug> core::error::Error for FlashStorageError<E> {}

impl<E: NorFlashError> NorFlashError for FlashStorageError<E> {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            FlashStorageError::Flash(e) => e.kind(),
            FlashStorageError::Verify => NorFlashErrorKind::Other,
        }
    }
}

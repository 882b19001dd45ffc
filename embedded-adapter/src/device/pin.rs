//! The PIN on the device: a scrambled grid on the display, the host sending positions; unlock
//! with a try counted in flash before every check and a delay that doubles with each wrong PIN;
//! the wipe at the 16th or at the wipe code; setting, changing and removing the PIN and the wipe
//! code in two entries each; locking, by request and after an idle time.

use rand_core::CryptoRng;
use signet_core::link::{DeviceError, PinPositions, PinPurpose, PinStatus, Response};
use signet_core::pin::{Keys, Pin, PinMatrix, TryCounter, WipeCode};

use crate::device::machine::Device;
use crate::device::session::PinSession;
use crate::prompts::{self, PromptLine};
use crate::state::{PinConfig, State};
use crate::storage::{Storage, TRY_WORDS};
use crate::{TextDisplay, TimeSource, UserPresence};

/// Idle seconds before an unlocked device locks itself, set with the first PIN when none was
/// chosen (Trezor's default, ten minutes).
pub const DEFAULT_AUTO_LOCK_SECS: u32 = 600;

fn title(purpose: PinPurpose, again: bool) -> &'static str {
    match (purpose, again) {
        (PinPurpose::Current, _) => "Enter your PIN",
        (PinPurpose::NewPin, false) => "New PIN",
        (PinPurpose::NewPin, true) => "New PIN again",
        (PinPurpose::WipeCode, false) => "New wipe code",
        (PinPurpose::WipeCode, true) => "Wipe code again",
    }
}

impl<C: TimeSource, U: UserPresence, R: CryptoRng, D: TextDisplay, S: Storage> Device<C, U, R, D, S> {
    /// What a `PinStatus` request answers.
    #[inline(never)]
    pub(crate) fn pin_status(&mut self) -> Response {
        match self.read_counter() {
            Ok(counter) => Response::PinStatus(self.status_of(&counter)),
            Err(e) => Response::Error(e),
        }
    }

    fn status_of(&self, counter: &TryCounter) -> PinStatus {
        let pin = &self.state.pin;
        PinStatus {
            pin_set: pin.sealed.is_some(),
            locked: self.guard.locked,
            failures: counter.failures() as u8,
            tries_left: counter.tries_left() as u8,
            next_delay_secs: counter.delay_secs(),
            wipe_code_set: pin.wipe.is_some(),
            auto_lock_secs: pin.auto_lock_secs,
            no_pin_chosen: pin.no_pin_chosen,
        }
    }

    pub(crate) fn read_counter(&mut self) -> Result<TryCounter, DeviceError> {
        let mut words = [u32::MAX; TRY_WORDS];
        self.storage.read_tries(&mut words).map_err(|_| DeviceError::Storage)?;
        Ok(TryCounter::read(&words))
    }

    /// Shows a fresh grid for `purpose`.
    #[inline(never)]
    pub(crate) fn show_pin_matrix(&mut self, purpose: PinPurpose) -> Response {
        let matrix = PinMatrix::shuffled(&mut self.rng);
        let again = self.guard.session.first.as_ref().is_some_and(|(p, _)| *p == purpose);
        let mut line = PromptLine::new();
        let shown = prompts::pin_matrix(&mut line, title(purpose, again), matrix.rows()).is_ok()
            && self.display.show(&line).is_ok();
        if !shown {
            return Response::Error(DeviceError::NoDisplay);
        }
        self.guard.session.matrix = Some((matrix, purpose));
        Response::PinMatrixShown
    }

    /// The PIN typed as `positions` on the grid shown for `purpose` (which it uses up);
    /// `Ok(None)` for no positions.
    fn entered(&mut self, purpose: PinPurpose, positions: &PinPositions) -> Result<Option<Pin>, DeviceError> {
        let (matrix, shown) = self.guard.session.matrix.take().ok_or(DeviceError::NoPinMatrix)?;
        let _ = self.display.clear();
        if shown != purpose {
            return Err(DeviceError::NoPinMatrix);
        }
        if positions.is_empty() {
            return Ok(None);
        }
        matrix.pin_from_positions(positions).map(Some).map_err(|_| DeviceError::BadPin)
    }

    /// Checks the PIN: wipe code first, then the try is counted (and read back), then the
    /// delay earned so far, then the check; a right PIN opens the secrets and closes the count.
    #[inline(never)]
    pub(crate) fn unlock(&mut self, positions: &PinPositions) -> Response {
        match self.try_unlock(positions) {
            Ok(status) => Response::PinStatus(status),
            Err(e) => Response::Error(e),
        }
    }

    fn try_unlock(&mut self, positions: &PinPositions) -> Result<PinStatus, DeviceError> {
        let pin = self.entered(PinPurpose::Current, positions)?.ok_or(DeviceError::BadPin)?;
        let Some(sealed) = self.state.pin.sealed.clone() else {
            // No PIN: nothing to unlock.
            let counter = self.read_counter()?;
            return Ok(self.status_of(&counter));
        };
        if self.state.pin.wipe.is_some_and(|code| code.matches(&pin, &self.guard.device_id)) {
            return Err(self.wipe_now());
        }
        let mut before = self.read_counter()?;
        if before.exhausted() {
            return Err(self.wipe_now());
        }
        if before.needs_erase(TRY_WORDS) {
            // Every record closed: only a right PIN gets here, so the erase grants nothing.
            self.storage.erase_tries().map_err(|_| DeviceError::Storage)?;
            before = self.read_counter()?;
        }
        let (index, value) = before.count_try(TRY_WORDS).ok_or(DeviceError::Storage)?;
        let _ = self.storage.program_try(index, value);
        let after = self.read_counter()?;
        if after.failures() <= before.failures() {
            // The try did not take: no check without it.
            return Err(DeviceError::Storage);
        }
        let delay = before.delay_secs();
        if delay > 0 {
            let mut line = PromptLine::new();
            if prompts::pin_wait(&mut line, delay).is_ok() {
                let _ = self.display.show(&line);
            }
            self.presence.pause_ms(delay.saturating_mul(1000)).map_err(|_| DeviceError::NotConfirmed)?;
        }
        let _ = self.display.show(prompts::PIN_CHECKING);
        let opened = sealed.unlock(&pin, &self.guard.device_id);
        let _ = self.display.clear();
        let Ok(keys) = opened else {
            if after.exhausted() {
                return Err(self.wipe_now());
            }
            return Err(DeviceError::WrongPin {
                tries_left: after.tries_left() as u8,
                next_delay_secs: after.delay_secs(),
            });
        };
        if self.guard.locked {
            let state = self.guard.stored.as_ref().and_then(|s| s.open(&keys)).ok_or(DeviceError::Storage)?;
            self.state = state;
        }
        self.guard.keys = Some(keys);
        self.guard.locked = false;
        if let Some((index, value)) = after.close(TRY_WORDS) {
            let _ = self.storage.program_try(index, value);
        }
        let closed = self.read_counter()?;
        if closed.needs_erase(TRY_WORDS) {
            let _ = self.storage.erase_tries();
        }
        self.guard.session.verified = Some(pin);
        self.guard.session.last_active = self.clock.now().ok();
        let counter = self.read_counter()?;
        Ok(self.status_of(&counter))
    }

    /// One of the two entries of a new PIN (`PinPurpose::NewPin`) or wipe code.
    #[inline(never)]
    pub(crate) fn set_secret(&mut self, purpose: PinPurpose, positions: &PinPositions) -> Response {
        match self.try_set_secret(purpose, positions) {
            Ok(response) => response,
            Err(e) => {
                self.guard.session.first = None;
                Response::Error(e)
            }
        }
    }

    fn try_set_secret(
        &mut self,
        purpose: PinPurpose,
        positions: &PinPositions,
    ) -> Result<Response, DeviceError> {
        let entry = self.entered(purpose, positions)?;
        let has_pin = self.state.pin.sealed.is_some();
        if has_pin && self.guard.session.verified.is_none() {
            return Err(DeviceError::PinNeeded);
        }
        if purpose == PinPurpose::WipeCode && !has_pin {
            return Err(DeviceError::BadWipeCode);
        }
        let first = match self.guard.session.first.take() {
            Some((p, first)) if p == purpose => first,
            _ => {
                self.guard.session.first = Some((purpose, entry));
                return Ok(Response::PinAgain);
            }
        };
        if first != entry {
            return Err(DeviceError::PinMismatch);
        }
        let mut next = self.state.clone();
        let mut keys = self.guard.keys.clone().unwrap_or_else(|| Keys::generate(&mut self.rng));
        let prompt = match (purpose, &entry) {
            (PinPurpose::NewPin, Some(pin)) => {
                if next.pin.wipe.is_some_and(|code| code.matches(pin, &self.guard.device_id)) {
                    return Err(DeviceError::BadWipeCode);
                }
                next.pin.sealed =
                    Some(keys.seal_under(pin, &self.guard.device_id, self.guard.iterations, &mut self.rng));
                next.pin.no_pin_chosen = false;
                if next.pin.auto_lock_secs == 0 && !has_pin {
                    next.pin.auto_lock_secs = DEFAULT_AUTO_LOCK_SECS;
                }
                prompts::PIN_SET
            }
            (PinPurpose::NewPin, None) => {
                // New keys, stored in the clear from now on: the ones the PIN sealed stay sealed
                // in any older copy of the flash.
                keys = Keys::generate(&mut self.rng);
                next.pin = PinConfig { auto_lock_secs: 0, no_pin_chosen: true, ..PinConfig::default() };
                prompts::PIN_NONE
            }
            (_, Some(code)) => {
                let pin = self.guard.session.verified.as_ref().ok_or(DeviceError::PinNeeded)?;
                let code = WipeCode::new(code, pin, &self.guard.device_id, &mut self.rng)
                    .map_err(|_| DeviceError::BadWipeCode)?;
                next.pin.wipe = Some(code);
                prompts::WIPE_CODE_SET
            }
            (_, None) => {
                next.pin.wipe = None;
                prompts::WIPE_CODE_NONE
            }
        };
        let shown = self.display.show(prompt).is_ok();
        let confirmed = if shown { self.confirm() } else { Err(DeviceError::NoDisplay) };
        let _ = self.display.clear();
        confirmed?;
        self.commit_with(next, keys)?;
        self.guard.session.end_change();
        let counter = self.read_counter()?;
        Ok(Response::PinStatus(self.status_of(&counter)))
    }

    /// Locks the device: its secrets leave RAM until the PIN is entered. Without a PIN there
    /// is nothing to lock.
    #[inline(never)]
    pub(crate) fn lock(&mut self) {
        if self.state.pin.sealed.is_none() {
            return;
        }
        let pin = core::mem::take(&mut self.state.pin);
        let (shift, counter) = (self.state.unconfirmed_shift_secs, self.state.counter);
        self.state = State { unconfirmed_shift_secs: shift, counter, pin, ..State::default() };
        self.guard.keys = None;
        self.guard.locked = true;
        self.guard.session = PinSession::default();
    }

    /// Locks an unlocked device idle for longer than its setting, by its clock; notes the
    /// time of this request.
    #[inline(never)]
    pub(crate) fn lock_if_idle(&mut self) {
        let secs = self.state.pin.auto_lock_secs;
        if self.guard.locked || self.state.pin.sealed.is_none() || secs == 0 {
            return;
        }
        // A clock that cannot be read locks nothing: the device stays as usable as it was.
        let Ok(now) = self.clock.now() else { return };
        if let Some(last) = self.guard.session.last_active
            && now.0.saturating_sub(last.0) >= i64::from(secs)
        {
            self.lock();
        }
        self.guard.session.last_active = Some(now);
    }

    /// Sets the idle time before the device locks itself.
    #[inline(never)]
    pub(crate) fn set_auto_lock(&mut self, secs: u32) -> Response {
        let mut next = self.state.clone();
        next.pin.auto_lock_secs = secs;
        match self.commit(next) {
            Ok(()) => self.pin_status(),
            Err(e) => Response::Error(e),
        }
    }

    /// Erases everything (new keys, no PIN), then the try counter: a cut between the two
    /// leaves an exhausted counter over an empty state, which the next start wipes again.
    #[inline(never)]
    pub(crate) fn wipe_now(&mut self) -> DeviceError {
        let keys = Keys::generate(&mut self.rng);
        let wiped = self.commit_with(State::default(), keys);
        let _ = self.storage.erase_tries();
        self.guard.locked = false;
        self.guard.session = PinSession::default();
        let _ = self.display.show(prompts::PIN_WIPED);
        match wiped {
            Ok(()) => DeviceError::Wiped,
            Err(e) => e,
        }
    }
}

//! The device itself: its parts, its state, and the loop that answers requests.

use core::fmt;

use embedded_io::{Read, Write};
use rand_core::CryptoRng;
use signet_core::eth::Address;
use signet_core::link::{self, DeviceError, FrameReader, MAX_FRAME_LEN, PinPurpose, Request, Response};
use signet_core::pin::Keys;
use signet_core::turbine::KeyId;
use signet_core::turbine::permit::TypedMessage;

use crate::device::keys::DeviceKeys;
use crate::device::session::PinGuard;
use crate::record::{Loaded, Public, Stored};
use crate::state::{State, Wallet};
use crate::storage::{NoStorage, Storage, StoredState};
use crate::{Error, NoDisplay, TextDisplay, TimeSource, UserPresence};

/// A signing device: its state (wallet, API key, clock changes), a clock, a way to ask the user,
/// randomness for nonces and new wallets, a display to show what a press approves (none by
/// default: see [`Device::with_display`]), and where its state survives power cuts (nowhere by
/// default: see [`Device::boot`]).
///
/// [`Device::handle`] answers one request; [`Device::serve`] reads one request frame from a
/// link, answers it and writes the response frame.
pub struct Device<C, U, R, D = NoDisplay, S = NoStorage> {
    pub(crate) state: State,
    pub(crate) clock: C,
    pub(crate) presence: U,
    pub(crate) rng: R,
    pub(crate) display: D,
    pub(crate) storage: S,
    reader: FrameReader,
    pub(crate) guard: PinGuard,
}

impl<C, U, R, D, S> fmt::Debug for Device<C, U, R, D, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device").field("state", &self.state).finish_non_exhaustive()
    }
}

impl<C: TimeSource, U: UserPresence, R: CryptoRng> Device<C, U, R> {
    /// A device over its parts with keys it was given (no words, nothing stored), without a
    /// display (it signs no orders).
    pub fn new(keys: DeviceKeys, clock: C, presence: U, rng: R) -> Self {
        Self::from_state(keys.into_state(), clock, presence, rng, NoStorage::default())
    }
}

impl<C: TimeSource, U: UserPresence, R: CryptoRng, S: Storage> Device<C, U, R, NoDisplay, S> {
    /// Starts a device from what `storage` holds: a new device (no wallet until the host asks
    /// for one to be made or restored) when it holds nothing valid; locked when a PIN protects
    /// it. A wrong-PIN counter found exhausted (power cut during the wipe it called for) wipes
    /// now.
    ///
    /// # Errors
    /// When the storage cannot be read.
    pub fn boot(mut storage: S, clock: C, presence: U, rng: R) -> Result<Self, S::Error> {
        let loaded = storage.load()?;
        let mut device = Self::from_state(State::default(), clock, presence, rng, storage);
        match loaded.map(|loaded| loaded.0) {
            None => {}
            Some(Loaded::Legacy(state)) => device.state = state,
            Some(Loaded::Current(stored)) => device.take_stored(stored),
        }
        if device.read_counter().is_ok_and(|c| c.exhausted()) {
            let _ = device.wipe_now();
        }
        Ok(device)
    }

    /// Takes up a stored state: open when its keys are in the clear, locked otherwise.
    fn take_stored(&mut self, stored: Stored) {
        match &stored.clear_keys {
            Some(keys) => {
                // A record whose secrets do not open under its own keys is not this device's
                // state: the device starts new.
                if let Some(state) = stored.open(keys) {
                    self.state = state;
                    self.guard.keys = Some(keys.clone());
                }
            }
            None => {
                self.state = State {
                    unconfirmed_shift_secs: stored.unconfirmed_shift_secs,
                    counter: stored.counter,
                    pin: stored.pin.clone(),
                    ..State::default()
                };
                self.guard.locked = true;
            }
        }
        self.guard.stored = Some(stored);
    }
}

impl<C, U, R, S> Device<C, U, R, NoDisplay, S> {
    fn from_state(state: State, clock: C, presence: U, rng: R, storage: S) -> Self {
        Device {
            state,
            clock,
            presence,
            rng,
            display: NoDisplay,
            storage,
            reader: FrameReader::new(),
            guard: PinGuard::default(),
        }
    }
}

impl<C: TimeSource, U: UserPresence, R: CryptoRng, D: TextDisplay, S: Storage> Device<C, U, R, D, S> {
    /// The same device with `display` to show orders, backup words and confirmations on.
    pub fn with_display<E: TextDisplay>(self, display: E) -> Device<C, U, R, E, S> {
        let Device { state, clock, presence, rng, display: _, storage, reader, guard } = self;
        Device { state, clock, presence, rng, display, storage, reader, guard }
    }

    /// The same device with the board's unique id (at most 32 bytes are used), hashed into the
    /// PIN's salt so a flash image copied to another board does not open there.
    #[must_use]
    pub fn with_device_id(mut self, id: &[u8]) -> Self {
        self.guard.device_id = id.iter().copied().take(32).collect();
        self
    }

    /// The same device stretching new PINs with `iterations` of PBKDF2-HMAC-SHA256 (default
    /// [`signet_core::pin::PIN_ITERATIONS`]; at least 1,000): a board picks what takes it about a second. The
    /// count is stored with the sealed keys, so a PIN set before keeps its own.
    #[must_use]
    pub fn with_pin_iterations(mut self, iterations: u32) -> Self {
        self.guard.iterations = iterations;
        self
    }

    /// Whether the device is locked (a PIN protects it and has not been entered).
    #[must_use]
    pub fn is_locked(&self) -> bool {
        self.guard.locked
    }

    /// The display.
    pub fn display(&self) -> &D {
        &self.display
    }

    /// The storage (a test's simulated flash, say).
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// Gives the storage back (to start the device again over it).
    pub fn into_storage(self) -> S {
        self.storage
    }

    /// The wallet's address, once there is a wallet (locked or not).
    #[must_use]
    pub fn address(&self) -> Option<Address> {
        self.public().wallet.map(|w| w.address)
    }

    /// What the device may tell of itself, locked or not.
    pub(crate) fn public(&self) -> Public {
        match (&self.guard.stored, self.guard.locked) {
            (Some(stored), true) => stored.public.clone(),
            _ => Public::of(&self.state),
        }
    }

    /// The installed API key's id and public key.
    #[must_use]
    pub fn api_key(&self) -> Option<(&KeyId, [u8; 32])> {
        self.state.api_key.as_ref().map(|api| (&api.kid, api.key.verifying_key().to_bytes()))
    }

    /// Seconds the host moved the clock without a press since the last one (stored with the
    /// state; a press is asked for beyond [`MAX_UNCONFIRMED_CLOCK_SHIFT_SECS`]).
    ///
    /// [`MAX_UNCONFIRMED_CLOCK_SHIFT_SECS`]: crate::MAX_UNCONFIRMED_CLOCK_SHIFT_SECS
    #[must_use]
    pub fn unconfirmed_clock_shift_secs(&self) -> u64 {
        self.state.unconfirmed_shift_secs
    }

    /// The clock, for setting it up.
    pub fn clock_mut(&mut self) -> &mut C {
        &mut self.clock
    }

    /// Answers one request. Hardware failures become [`DeviceError`] answers: the host learns
    /// what went wrong and the device keeps serving.
    pub fn handle(&mut self, request: &Request) -> Response {
        let mut response = Response::TimeSet;
        self.answer(request, &mut response);
        response
    }

    /// [`Device::handle`] into the caller's answer. Each arm builds the answer in place (a
    /// token is minted straight into it): no `Result<Response, _>` layer or token copy, whose
    /// hundreds of bytes would count against the device's stack.
    pub fn answer(&mut self, request: &Request, response: &mut Response) {
        self.lock_if_idle();
        let pin_entry = matches!(
            request,
            Request::PinStatus
                | Request::ShowPinMatrix { .. }
                | Request::SetPin { .. }
                | Request::SetWipeCode { .. }
        );
        if !pin_entry {
            self.guard.session.end_change();
        }
        let while_locked = pin_entry
            || matches!(
                request,
                Request::DeviceInfo
                    | Request::WalletInfo
                    | Request::Unlock { .. }
                    | Request::Lock
                    | Request::Wipe
            );
        if self.guard.locked && !while_locked {
            *response = Response::Error(DeviceError::Locked);
            return;
        }
        match request {
            Request::DeviceInfo => self.device_info(response),
            Request::MintToken => self.mint(response),
            Request::SignRegistration { address } => *response = self.sign_registration(address),
            Request::SetTime { unix_secs } => *response = self.set_time(signet_core::UnixTime(*unix_secs)),
            Request::SignOrder { order, domain } => *response = self.sign_order(order, domain),
            Request::InstallApiKey { kid, secret } => *response = self.install_api_key(kid, &secret.0),
            Request::InitWallet { words } => *response = self.init_wallet(*words),
            Request::RestoreWallet(secret) => *response = self.restore_wallet(secret),
            Request::Wipe => *response = self.wipe(),
            Request::WalletInfo => *response = self.wallet_info(),
            Request::SignReregistration { address, timestamp } => {
                *response = self.sign_reregistration(address, signet_core::UnixTime(*timestamp));
            }
            Request::SignUsdcPermit { chain_id, permit } => {
                *response = self.sign_message(*chain_id, &TypedMessage::Permit(*permit));
            }
            Request::SignCtfApproval { chain_id, approval } => {
                *response = self.sign_message(*chain_id, &TypedMessage::Approval(*approval));
            }
            Request::SignRedemption { chain_id, redemption } => {
                *response = self.sign_message(*chain_id, &TypedMessage::Redemption(redemption.clone()));
            }
            Request::PinStatus => *response = self.pin_status(),
            Request::ShowPinMatrix { purpose } => *response = self.show_pin_matrix(*purpose),
            Request::Unlock { positions } => *response = self.unlock(positions),
            Request::SetPin { positions } => *response = self.set_secret(PinPurpose::NewPin, positions),
            Request::SetWipeCode { positions } => {
                *response = self.set_secret(PinPurpose::WipeCode, positions)
            }
            Request::Lock => {
                self.lock();
                *response = self.pin_status();
            }
            Request::SetAutoLock { secs } => *response = self.set_auto_lock(*secs),
        }
    }

    /// The wallet, if it may sign: made or restored, its backup confirmed.
    pub(crate) fn signing_wallet(&self) -> Result<&Wallet, DeviceError> {
        let wallet = self.state.wallet.as_ref().ok_or(DeviceError::NoWallet)?;
        if wallet.backup_confirmed { Ok(wallet) } else { Err(DeviceError::BackupNotConfirmed) }
    }

    /// Asks the user; a hardware failure refuses like a timeout does.
    pub(crate) fn confirm(&mut self) -> Result<(), DeviceError> {
        match self.presence.confirm() {
            Ok(true) => Ok(()),
            Ok(false) | Err(_) => Err(DeviceError::NotConfirmed),
        }
    }

    /// Stores `next` (its secrets sealed under the device's keys) and makes it the device's
    /// state; if it cannot be stored, nothing changes.
    pub(crate) fn commit(&mut self, next: State) -> Result<(), DeviceError> {
        let keys = match &self.guard.keys {
            Some(keys) => keys.clone(),
            None => Keys::generate(&mut self.rng),
        };
        self.commit_with(next, keys)
    }

    /// [`Device::commit`] under `keys` (new ones at a wipe or when the PIN is removed).
    #[inline(never)]
    pub(crate) fn commit_with(&mut self, next: State, keys: Keys) -> Result<(), DeviceError> {
        let stored = StoredState(Stored::seal(&next, &keys, &mut self.rng));
        self.storage.commit(&stored).map_err(|_| DeviceError::Storage)?;
        self.state = next;
        self.guard.keys = Some(keys);
        self.guard.stored = Some(stored.0);
        Ok(())
    }

    /// Reads bytes from `link` until a whole request frame has arrived, answers it and writes
    /// the response frame. Empty frames (a lone delimiter, which a host may send to
    /// resynchronise) are skipped; an undecodable frame is answered with
    /// [`DeviceError::BadRequest`].
    ///
    /// # Errors
    /// [`Error::Bus`] when the link fails, [`Error::LinkClosed`] at its end.
    pub fn serve<L: Read + Write>(&mut self, link: &mut L) -> Result<(), Error<L::Error>> {
        let request = loop {
            let mut byte = [0u8; 1];
            if link.read(&mut byte).map_err(Error::Bus)? == 0 {
                return Err(Error::LinkClosed);
            }
            let [byte] = byte;
            match self.reader.push(byte) {
                None => {}
                Some(Ok(frame)) if frame.len() <= 1 => {}
                Some(Ok(frame)) => break link::decode::<Request>(frame).ok(),
                Some(Err(_)) => break None,
            }
        };
        let response = match &request {
            Some(request) => self.handle(request),
            None => Response::Error(DeviceError::BadRequest),
        };
        let mut out = [0u8; MAX_FRAME_LEN];
        let frame = link::encode(&response, &mut out)?;
        link.write_all(frame).map_err(Error::Bus)?;
        link.flush().map_err(Error::Bus)
    }

    /// Serves requests until the link fails or closes.
    ///
    /// # Errors
    /// The link's failure, as [`Device::serve`] reports it.
    pub fn run<L: Read + Write>(&mut self, link: &mut L) -> Result<(), Error<L::Error>> {
        loop {
            self.serve(link)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;
    use signet_core::eth::WalletKey;
    use signet_core::turbine::PreparedSigningKey;
    use zeroize::ZeroizeOnDrop;

    use super::*;

    #[test]
    fn keys_zeroize_on_drop() {
        fn zeroizes<T: ZeroizeOnDrop>() {}
        zeroizes::<WalletKey>();
        zeroizes::<PreparedSigningKey>();
        zeroizes::<SigningKey>();
        zeroizes::<DeviceKeys>();
    }
}

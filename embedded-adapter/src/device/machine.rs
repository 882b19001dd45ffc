//! The device: its keys, and the loop that answers the host's requests over the link.

use core::fmt;

use ed25519_dalek::SigningKey;
use embedded_io::{Read, Write};
use rand_core::CryptoRng;
use signet_core::UnixTime;
use signet_core::eth::{Address, WalletKey};
use signet_core::link::{self, DeviceError, FrameReader, MAX_FRAME_LEN, Request, Response};
use signet_core::turbine::order::MAX_ORDER_SUMMARY_LEN;
use signet_core::turbine::order::{Order, OrderDomain};
use signet_core::turbine::{
    Claims, KeyId, MAX_TOKEN_LEN, Nonce, PreparedSigningKey, mint, registration_message,
};
use zeroize::ZeroizeOnDrop;

use crate::{Error, NoDisplay, TextDisplay, TimeSource, UserPresence};

/// The keys a device holds: the wallet key from manufacture or set-up, and the Turbine API key
/// once a registration has installed one. Every secret zeroizes itself on drop and none is
/// printed by `Debug`.
pub struct DeviceKeys {
    wallet: WalletKey,
    api_key: Option<(KeyId, PreparedSigningKey)>,
}

impl DeviceKeys {
    /// Keys with a wallet and no API key yet.
    #[must_use]
    pub fn new(wallet: WalletKey) -> Self {
        DeviceKeys { wallet, api_key: None }
    }

    /// Installs (or replaces) the API key.
    pub fn set_api_key(&mut self, kid: KeyId, key: &SigningKey) {
        self.api_key = Some((kid, PreparedSigningKey::new(key)));
    }

    /// The wallet's address.
    #[must_use]
    pub fn address(&self) -> Address {
        self.wallet.address()
    }

    /// The installed API key's id and public key.
    #[must_use]
    pub fn api_key(&self) -> Option<(&KeyId, [u8; 32])> {
        self.api_key.as_ref().map(|(kid, key)| (kid, key.verifying_key().to_bytes()))
    }
}

// Every field is a key type that zeroizes on drop (checked by `keys_zeroize_on_drop` below).
impl ZeroizeOnDrop for DeviceKeys {}

impl fmt::Debug for DeviceKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceKeys")
            .field("address", &self.address())
            .field("kid", &self.api_key.as_ref().map(|(kid, _)| kid))
            .finish_non_exhaustive()
    }
}

/// How far, in seconds, the host may move the device's clock without the user's press: in
/// total over every change since the last confirmed one (the token window, 300 s).
///
/// Minting needs no press, so a host that could set the clock freely could stock tokens for
/// any future time; with this bound, tokens minted while a host is in control are valid at
/// most 300 s (plus the window) beyond that. A clock that cannot be read (stopped, invalid)
/// gives no reference, so setting it always needs a press.
pub const MAX_UNCONFIRMED_CLOCK_SHIFT_SECS: u64 = signet_core::turbine::TOKEN_WINDOW_SECS as u64;

/// A signing device: keys, a clock, a way to ask the user, randomness for nonces, and a
/// display to show what a press approves (none by default: see [`Device::with_display`]).
///
/// [`Device::handle`] answers one request; [`Device::serve`] reads one request frame from a
/// link, answers it and writes the response frame.
pub struct Device<C, U, R, D = NoDisplay> {
    keys: DeviceKeys,
    clock: C,
    presence: U,
    rng: R,
    display: D,
    reader: FrameReader,
    /// Seconds the clock was moved by changes the user did not confirm.
    unconfirmed_shift_secs: u64,
}

impl<C, U, R, D> fmt::Debug for Device<C, U, R, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device").field("keys", &self.keys).finish_non_exhaustive()
    }
}

impl<C: TimeSource, U: UserPresence, R: CryptoRng> Device<C, U, R> {
    /// A device over its parts, without a display (it signs no orders).
    pub fn new(keys: DeviceKeys, clock: C, presence: U, rng: R) -> Self {
        Device {
            keys,
            clock,
            presence,
            rng,
            display: NoDisplay,
            reader: FrameReader::new(),
            unconfirmed_shift_secs: 0,
        }
    }
}

impl<C: TimeSource, U: UserPresence, R: CryptoRng, D: TextDisplay> Device<C, U, R, D> {
    /// The same device with `display` to show orders on before the user confirms them.
    pub fn with_display<E: TextDisplay>(self, display: E) -> Device<C, U, R, E> {
        let Device { keys, clock, presence, rng, display: _, reader, unconfirmed_shift_secs } = self;
        Device { keys, clock, presence, rng, display, reader, unconfirmed_shift_secs }
    }

    /// The display.
    pub fn display(&self) -> &D {
        &self.display
    }

    /// The device's keys.
    pub fn keys(&self) -> &DeviceKeys {
        &self.keys
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
        match request {
            Request::DeviceInfo => {
                *response = Response::DeviceInfo {
                    api_key: self.keys.api_key().and_then(|(kid, public_key)| {
                        heapless::String::try_from(kid.as_str()).ok().map(|kid| (kid, public_key))
                    }),
                    wallet: *self.keys.address().as_bytes(),
                };
            }
            Request::MintToken => self.mint(response),
            Request::SignRegistration { address } => *response = self.sign_registration(address),
            Request::SetTime { unix_secs } => *response = self.set_time(UnixTime(*unix_secs)),
            Request::SignOrder { order, domain } => *response = self.sign_order(order, domain),
            Request::InstallApiKey { kid, secret } => {
                // A malformed key id is refused before the user is asked.
                *response = match KeyId::new(kid) {
                    Err(_) => Response::Error(DeviceError::BadRequest),
                    Ok(kid) => match self.confirm() {
                        Err(e) => Response::Error(e),
                        Ok(()) => {
                            self.keys.set_api_key(kid, &SigningKey::from_bytes(&secret.0));
                            Response::ApiKeyInstalled
                        }
                    },
                };
            }
        }
    }

    // Kept out of line, like `sign_registration`: inlined, the arms' frames add up, and the
    // registration's (secp256k1 signing) would sit on the stack under every mint.
    #[inline(never)]
    fn mint(&mut self, response: &mut Response) {
        let Some((kid, key)) = self.keys.api_key.as_ref() else {
            *response = Response::Error(DeviceError::NoApiKey);
            return;
        };
        let Ok(ts) = self.clock.now() else {
            *response = Response::Error(DeviceError::Clock);
            return;
        };
        let claims = Claims { kid: kid.clone(), ts, nonce: Nonce::generate(&mut self.rng) };
        *response = Response::Token { token: heapless::Vec::new() };
        let Response::Token { token } = response else { return };
        let minted = token.resize(MAX_TOKEN_LEN, 0).ok().and_then(|()| mint(key, &claims, token).ok());
        match minted.map(str::len) {
            Some(len) => token.truncate(len),
            None => *response = Response::Error(DeviceError::Signing),
        }
    }

    #[inline(never)]
    fn sign_registration(&mut self, address: &str) -> Response {
        let Ok(claimed) = Address::parse(address.as_bytes()) else {
            return Response::Error(DeviceError::BadRequest);
        };
        if claimed != self.keys.address() {
            return Response::Error(DeviceError::WrongAddress);
        }
        // The message carries the address text exactly as the host will submit it.
        let Ok(message) = registration_message(address) else {
            return Response::Error(DeviceError::BadRequest);
        };
        if let Err(e) = self.confirm() {
            return Response::Error(e);
        }
        let signature = self.keys.wallet.personal_sign(message.as_bytes()).to_bytes();
        Response::Registration { signature: heapless::Vec::from_array(signature) }
    }

    /// Shows the order, waits for the press, signs. The trader must be this wallet (a host
    /// cannot have it sign for another), and what is shown comes from the same decoded
    /// [`Order`] that is hashed.
    #[inline(never)]
    fn sign_order(&mut self, order: &Order, domain: &OrderDomain) -> Response {
        if order.trader != self.keys.address() {
            return Response::Error(DeviceError::WrongAddress);
        }
        let confirmed = self.show(order, domain).and_then(|()| self.confirm());
        // Whatever the answer, the line goes: it must not linger as if still pending.
        let _ = self.display.clear();
        if let Err(e) = confirmed {
            return Response::Error(e);
        }
        match order.sign(domain, &self.keys.wallet) {
            Ok(signed) => {
                Response::OrderSignature { signature: heapless::Vec::from_array(signed.signature.to_bytes()) }
            }
            Err(_) => Response::Error(DeviceError::Signing),
        }
    }

    /// Out of line, so the summary's buffer is off the stack before the signature is made.
    #[inline(never)]
    fn show(&mut self, order: &Order, domain: &OrderDomain) -> Result<(), DeviceError> {
        use core::fmt::Write as _;
        let mut line = heapless::String::<MAX_ORDER_SUMMARY_LEN>::new();
        write!(line, "{}", order.summary(domain)).map_err(|_| DeviceError::BadRequest)?;
        self.display.show(&line).map_err(|_| DeviceError::NoDisplay)
    }

    /// Out of line like `mint`: the button loop's frame stays off the mint's stack.
    ///
    /// Sets the clock, asking the user first when the change would take the clock further than
    /// [`MAX_UNCONFIRMED_CLOCK_SHIFT_SECS`] from where the user last left it.
    #[inline(never)]
    fn set_time(&mut self, time: UnixTime) -> Response {
        let shift = match self.clock.now() {
            Ok(now) => now.0.abs_diff(time.0),
            Err(_) => u64::MAX,
        };
        let mut total = self.unconfirmed_shift_secs.saturating_add(shift);
        if total > MAX_UNCONFIRMED_CLOCK_SHIFT_SECS {
            if let Err(e) = self.confirm() {
                return Response::Error(e);
            }
            total = 0;
        }
        match self.clock.set(time) {
            Ok(()) => {
                self.unconfirmed_shift_secs = total;
                Response::TimeSet
            }
            Err(_) => Response::Error(DeviceError::Clock),
        }
    }

    /// Asks the user; a hardware failure refuses like a timeout does.
    fn confirm(&mut self) -> Result<(), DeviceError> {
        match self.presence.confirm() {
            Ok(true) => Ok(()),
            Ok(false) | Err(_) => Err(DeviceError::NotConfirmed),
        }
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

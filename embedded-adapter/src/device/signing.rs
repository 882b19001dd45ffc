//! What the device signs: tokens with the API key, registrations and orders with the wallet
//! key; and installing an API key.

use rand_core::CryptoRng;
use signet_core::UnixTime;
use signet_core::eth::Address;
use signet_core::link::{DeviceError, Response};
use signet_core::turbine::order::{MAX_ORDER_SUMMARY_LEN, Order, OrderDomain};
use signet_core::turbine::{
    Claims, KeyId, MAX_TOKEN_LEN, Nonce, mint, registration_message, reregistration_message,
};

use crate::device::machine::Device;
use crate::prompts::{self, PromptLine};
use crate::state::ApiKey;
use crate::storage::Storage;
use crate::{TextDisplay, TimeSource, UserPresence};

impl<C: TimeSource, U: UserPresence, R: CryptoRng, D: TextDisplay, S: Storage> Device<C, U, R, D, S> {
    // Kept out of line, like `sign_registration`: inlined, the arms' frames add up, and the
    // registration's (secp256k1 signing) would sit on the stack under every mint.
    #[inline(never)]
    pub(crate) fn mint(&mut self, response: &mut Response) {
        let Some(api) = self.state.api_key.as_ref() else {
            *response = Response::Error(DeviceError::NoApiKey);
            return;
        };
        let Ok(ts) = self.clock.now() else {
            *response = Response::Error(DeviceError::Clock);
            return;
        };
        let claims = Claims { kid: api.kid.clone(), ts, nonce: Nonce::generate(&mut self.rng) };
        *response = Response::Token { token: heapless::Vec::new() };
        let Response::Token { token } = response else { return };
        let minted = token.resize(MAX_TOKEN_LEN, 0).ok().and_then(|()| mint(&api.key, &claims, token).ok());
        match minted.map(str::len) {
            Some(len) => token.truncate(len),
            None => *response = Response::Error(DeviceError::Signing),
        }
    }

    /// The wallet's address if `address` names it; the error to answer otherwise.
    fn own_address(&self, address: &str) -> Result<Address, DeviceError> {
        let claimed = Address::parse(address.as_bytes()).map_err(|_| DeviceError::BadRequest)?;
        let wallet = self.signing_wallet()?;
        if claimed == wallet.key.address() { Ok(claimed) } else { Err(DeviceError::WrongAddress) }
    }

    #[inline(never)]
    pub(crate) fn sign_registration(&mut self, address: &str) -> Response {
        if let Err(e) = self.own_address(address) {
            return Response::Error(e);
        }
        // The message carries the address text exactly as the host will submit it.
        let Ok(message) = registration_message(address) else {
            return Response::Error(DeviceError::BadRequest);
        };
        if let Err(e) = self.confirm() {
            return Response::Error(e);
        }
        self.sign_registration_message(message.as_bytes())
    }

    /// The timestamped registration a server asks for once the wallet has had a key: the time
    /// is shown (a host could otherwise collect one for a later time), then a press.
    #[inline(never)]
    pub(crate) fn sign_reregistration(&mut self, address: &str, timestamp: UnixTime) -> Response {
        let wallet_address = match self.own_address(address) {
            Ok(a) => a,
            Err(e) => return Response::Error(e),
        };
        let Ok(message) = reregistration_message(address, timestamp) else {
            return Response::Error(DeviceError::BadRequest);
        };
        let mut line = PromptLine::new();
        if prompts::reregistration(&mut line, &wallet_address, timestamp).is_err() {
            return Response::Error(DeviceError::BadRequest);
        }
        let shown = self.display.show(&line).map_err(|_| DeviceError::NoDisplay);
        let confirmed = shown.and_then(|()| self.confirm());
        let _ = self.display.clear();
        if let Err(e) = confirmed {
            return Response::Error(e);
        }
        self.sign_registration_message(message.as_bytes())
    }

    /// The `personal_sign` of a registration message the user has just confirmed, by a wallet
    /// whose backup is confirmed.
    fn sign_registration_message(&self, message: &[u8]) -> Response {
        match self.signing_wallet() {
            Ok(wallet) => {
                let signature = wallet.key.personal_sign(message).to_bytes();
                Response::Registration { signature: heapless::Vec::from_array(signature) }
            }
            Err(e) => Response::Error(e),
        }
    }

    /// Shows the order, waits for the press, signs. The trader must be this wallet (a host
    /// cannot have it sign for another), and what is shown comes from the same decoded
    /// [`Order`] that is hashed.
    #[inline(never)]
    pub(crate) fn sign_order(&mut self, order: &Order, domain: &OrderDomain) -> Response {
        match self.signing_wallet() {
            Ok(wallet) if order.trader != wallet.key.address() => {
                return Response::Error(DeviceError::WrongAddress);
            }
            Ok(_) => {}
            Err(e) => return Response::Error(e),
        }
        let confirmed = self.show(order, domain).and_then(|()| self.confirm());
        // Whatever the answer, the line goes: it must not linger as if still pending.
        let _ = self.display.clear();
        if let Err(e) = confirmed {
            return Response::Error(e);
        }
        let signed =
            self.signing_wallet().and_then(|w| order.sign(domain, &w.key).map_err(|_| DeviceError::Signing));
        match signed {
            Ok(signed) => {
                Response::OrderSignature { signature: heapless::Vec::from_array(signed.signature.to_bytes()) }
            }
            Err(e) => Response::Error(e),
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

    /// Installs the API key a registration returned, after a press, and stores it.
    #[inline(never)]
    pub(crate) fn install_api_key(&mut self, kid: &str, seed: &[u8; 32]) -> Response {
        // A malformed key id is refused before the user is asked.
        let Ok(kid) = KeyId::new(kid) else {
            return Response::Error(DeviceError::BadRequest);
        };
        if let Err(e) = self.confirm() {
            return Response::Error(e);
        }
        let mut next = self.state.clone();
        next.api_key = Some(ApiKey::new(kid, *seed));
        match self.commit(next) {
            Ok(()) => Response::ApiKeyInstalled,
            Err(e) => Response::Error(e),
        }
    }
}

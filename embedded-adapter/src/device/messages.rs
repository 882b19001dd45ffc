//! Signing the other messages the wallet signs for Turbine: USDC permits, conditional-token
//! approvals and redemptions. Never blind: each is shown in full (its summary, from the very
//! message that is hashed) and signed after a press; an unlimited permit, a contract that is
//! not the chain's settlement contract, or a deadline more than 30 days ahead (by the device's
//! own clock) takes a second press on a screen that says so.

use core::fmt::Write as _;

use rand_core::CryptoRng;
use signet_core::link::{DeviceError, Response};
use signet_core::turbine::permit::{ChainContracts, MAX_MESSAGE_SUMMARY_LEN, TypedMessage};

use crate::device::machine::Device;
use crate::storage::Storage;
use crate::{TextDisplay, TimeSource, UserPresence};

/// Longest warning screen.
const MAX_WARNING_LEN: usize = 160;

impl<C: TimeSource, U: UserPresence, R: CryptoRng, D: TextDisplay, S: Storage> Device<C, U, R, D, S> {
    /// Shows `message`, asks, warns and asks again if it must, then signs.
    #[inline(never)]
    pub(crate) fn sign_message(&mut self, chain_id: u64, message: &TypedMessage) -> Response {
        match self.approve_message(chain_id, message) {
            Ok(chain) => self.sign_approved(chain, message),
            Err(e) => Response::Error(e),
        }
    }

    /// Every check and press before the signature; the chain's contracts if all passed.
    fn approve_message(
        &mut self,
        chain_id: u64,
        message: &TypedMessage,
    ) -> Result<&'static ChainContracts, DeviceError> {
        let chain = ChainContracts::of(chain_id).ok_or(DeviceError::UnknownChain)?;
        if message.owner() != self.signing_wallet()?.key.address() {
            return Err(DeviceError::WrongAddress);
        }
        // Out of the device's own clock: a host cannot make a far deadline look near.
        let now = self.clock.now().map_err(|_| DeviceError::Clock)?;
        let warnings = message.warnings(chain, u64::try_from(now.0).unwrap_or(0));
        let shown = self.show_summary(message, chain).and_then(|()| self.confirm());
        let shown = shown.and_then(|()| {
            if !warnings.any() {
                return Ok(());
            }
            let mut line = heapless::String::<MAX_WARNING_LEN>::new();
            write!(line, "{warnings}").map_err(|_| DeviceError::CannotShow)?;
            self.display.show(&line).map_err(|_| DeviceError::NoDisplay)?;
            self.confirm()
        });
        // Whatever the answer, the screen goes: it must not linger as if still pending.
        let _ = self.display.clear();
        shown.map(|()| chain)
    }

    /// Out of line, so the summary's buffer is off the stack before the signature is made.
    #[inline(never)]
    fn show_summary(&mut self, message: &TypedMessage, chain: &ChainContracts) -> Result<(), DeviceError> {
        let mut line = heapless::String::<MAX_MESSAGE_SUMMARY_LEN>::new();
        write!(line, "{}", message.summary(chain)).map_err(|_| DeviceError::CannotShow)?;
        self.display.show(&line).map_err(|_| DeviceError::NoDisplay)
    }

    #[inline(never)]
    fn sign_approved(&self, chain: &ChainContracts, message: &TypedMessage) -> Response {
        let signed = self
            .signing_wallet()
            .and_then(|wallet| message.sign(chain, &wallet.key).map_err(|_| DeviceError::Signing));
        match signed {
            Ok(signature) => {
                Response::MessageSignature { signature: heapless::Vec::from_array(signature.to_bytes()) }
            }
            Err(e) => Response::Error(e),
        }
    }
}

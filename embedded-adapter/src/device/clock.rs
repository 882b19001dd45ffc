//! Setting the device clock, with a press for large changes; the changes not yet confirmed
//! are stored, so a power cycle does not reset them.

use rand_core::CryptoRng;
use signet_core::UnixTime;
use signet_core::link::{DeviceError, Response};

use crate::device::machine::Device;
use crate::storage::Storage;
use crate::{TextDisplay, TimeSource, UserPresence};

/// How far, in seconds, the host may move the device's clock without the user's press: in
/// total over every change since the last confirmed one (the token window, 300 s).
///
/// Minting needs no press, so a host that could set the clock freely could stock tokens for
/// any future time; with this bound, tokens minted while a host is in control are valid at
/// most 300 s (plus the window) beyond that. A clock that cannot be read (stopped, invalid)
/// gives no reference, so setting it always needs a press. The running total is stored with
/// the device's state: turning the device off and on does not reset it.
pub const MAX_UNCONFIRMED_CLOCK_SHIFT_SECS: u64 = signet_core::turbine::TOKEN_WINDOW_SECS as u64;

impl<C: TimeSource, U: UserPresence, R: CryptoRng, D: TextDisplay, S: Storage> Device<C, U, R, D, S> {
    /// Out of line like `mint`: the button loop's frame stays off the mint's stack.
    ///
    /// Sets the clock, asking the user first when the change would take the clock further than
    /// [`MAX_UNCONFIRMED_CLOCK_SHIFT_SECS`] from where the user last left it.
    #[inline(never)]
    pub(crate) fn set_time(&mut self, time: UnixTime) -> Response {
        let shift = match self.clock.now() {
            Ok(now) => now.0.abs_diff(time.0),
            Err(_) => u64::MAX,
        };
        let mut total = self.state.unconfirmed_shift_secs.saturating_add(shift);
        if total > MAX_UNCONFIRMED_CLOCK_SHIFT_SECS {
            if let Err(e) = self.confirm() {
                return Response::Error(e);
            }
            total = 0;
        }
        if total != self.state.unconfirmed_shift_secs {
            // Stored before the clock moves: a cut leaves the old total and the old time, or the
            // new total (counting the change) and either time.
            let mut next = self.state.clone();
            next.unconfirmed_shift_secs = total;
            if let Err(e) = self.commit(next) {
                return Response::Error(e);
            }
        }
        match self.clock.set(time) {
            Ok(()) => Response::TimeSet,
            Err(_) => Response::Error(DeviceError::Clock),
        }
    }
}

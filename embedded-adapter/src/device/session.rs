//! What the device remembers between the requests of a PIN entry, in RAM only.

use signet_core::UnixTime;
use signet_core::link::PinPurpose;
use signet_core::pin::{Keys, PIN_ITERATIONS, Pin, PinMatrix};

use crate::record::Stored;

/// What the device remembers between the requests of one PIN entry: RAM only, cleared at
/// power-off.
#[derive(Default)]
pub(crate) struct PinSession {
    /// The grid shown, and what it is for.
    pub(crate) matrix: Option<(PinMatrix, PinPurpose)>,
    /// The first of the two entries of a new PIN or wipe code (`None` inside: none at all).
    pub(crate) first: Option<(PinPurpose, Option<Pin>)>,
    /// The PIN entered right just before (a change asks for it).
    pub(crate) verified: Option<Pin>,
    /// When the device last answered a request, by its clock (for the idle lock).
    pub(crate) last_active: Option<UnixTime>,
}

impl PinSession {
    /// Forgets a verified PIN and a half-entered new one: any request but the PIN's own ends
    /// a change.
    pub(crate) fn end_change(&mut self) {
        self.first = None;
        self.verified = None;
    }
}

/// What the device keeps of its PIN in RAM: its keys while unlocked, the stored record to open
/// at the next unlock, the entry under way.
pub(crate) struct PinGuard {
    /// The device's keys, open: `None` while locked (and before the first commit).
    pub(crate) keys: Option<Keys>,
    /// What storage holds now (`None` before the first commit of this format).
    pub(crate) stored: Option<Stored>,
    /// The secrets are sealed until the PIN is entered.
    pub(crate) locked: bool,
    pub(crate) session: PinSession,
    /// The board's unique id, hashed into the PIN's salt.
    pub(crate) device_id: heapless::Vec<u8, 32>,
    /// PBKDF2 iterations of a new PIN.
    pub(crate) iterations: u32,
}

impl Default for PinGuard {
    fn default() -> Self {
        PinGuard {
            keys: None,
            stored: None,
            locked: false,
            session: PinSession::default(),
            device_id: heapless::Vec::new(),
            iterations: PIN_ITERATIONS,
        }
    }
}

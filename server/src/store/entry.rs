//! A registered key as every registry stores it, and how its wallet proved ownership.

use signet_core::UnixTime;
use signet_core::eth::Address;
use signet_core::turbine::{KeyId, KeyRecord, KeyStatus};

/// A registered key as the registry stores it: never a private key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The key id.
    pub kid: KeyId,
    /// Public key, status, expiry.
    pub record: KeyRecord,
    /// The wallet that registered it.
    pub wallet: Address,
    /// When it was registered.
    pub created_at: UnixTime,
    /// The friendly name given at registration, if any.
    pub name: Option<String>,
}

impl Entry {
    /// Whether the key can verify tokens at `now`.
    #[must_use]
    pub fn is_usable(&self, now: UnixTime) -> bool {
        self.record.status == KeyStatus::Active && self.record.expires_at.is_none_or(|e| now < e)
    }
}

/// How a wallet proved it is registering: the documented message, or the timestamped one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// `Register API key for Turbine: <address>`: accepted for a wallet's first key only, as a
    /// captured copy could be replayed forever.
    Documented,
    /// The same and `\nTimestamp: <secs>`: accepted when recent (the service checks) and newer
    /// than the wallet's last timestamped registration (the registry checks, atomically).
    Timestamped(UnixTime),
}

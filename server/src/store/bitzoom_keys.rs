//! What a registry does with Bitzoom HMAC keys (stored beside the Turbine keys, so every
//! instance sharing a registry knows them), and the rules every backend applies alike.

use core::future::Future;

use crate::bitzoom::keys::{BitzoomKey, BitzoomKeyError, BitzoomKeyStatus};
use crate::store::error::RegistryError;

/// Bitzoom HMAC keys in a registry. The secret is stored (HMAC needs it) and never listed.
pub trait BitzoomKeyStore: Send + Sync {
    /// Stores a new key, unless its account already holds
    /// [`MAX_KEYS_PER_ACCOUNT`](crate::bitzoom::keys::MAX_KEYS_PER_ACCOUNT) keys that are not
    /// revoked (checked in the same transaction).
    ///
    /// # Errors
    /// [`BitzoomKeyError::TooManyKeys`] or the registry's.
    fn create_bitzoom_key(
        &self,
        key: &BitzoomKey,
    ) -> impl Future<Output = Result<(), BitzoomKeyError>> + Send;

    /// The key `api_key`.
    ///
    /// # Errors
    /// The registry's ([`RegistryError::Corrupt`] for a damaged record).
    fn bitzoom_key(
        &self,
        api_key: &str,
    ) -> impl Future<Output = Result<Option<BitzoomKey>, RegistryError>> + Send;

    /// Every key (of `account`, if given), by account and creation.
    ///
    /// # Errors
    /// The registry's.
    fn bitzoom_keys(
        &self,
        account: Option<&str>,
    ) -> impl Future<Output = Result<Vec<BitzoomKey>, RegistryError>> + Send;

    /// Disables, enables or revokes a key. A revoked key stays revoked.
    ///
    /// # Errors
    /// [`BitzoomKeyError::NotFound`], [`BitzoomKeyError::Revoked`], or the registry's.
    fn set_bitzoom_key_status(
        &self,
        api_key: &str,
        status: BitzoomKeyStatus,
    ) -> impl Future<Output = Result<BitzoomKey, BitzoomKeyError>> + Send;

    /// Seals every secret not sealed with the sealer's current key (clear ones from before
    /// sealing, ones sealed with a previous key); returns how many changed. Run at start, so a
    /// rotation completes and an old database is sealed.
    ///
    /// # Errors
    /// The registry's, or a secret that does not open.
    fn reseal_bitzoom_secrets(&self) -> impl Future<Output = Result<usize, RegistryError>> + Send;

    /// How many secrets are stored sealed (with any key): while there are any, a new secrets
    /// key must not replace a missing one.
    ///
    /// # Errors
    /// The registry's.
    fn sealed_bitzoom_secrets(&self) -> impl Future<Output = Result<usize, RegistryError>> + Send;
}

/// The change a status update makes, or why it is refused: revoked is final.
#[cfg_attr(not(feature = "redb"), allow(dead_code))]
pub(crate) fn next_status(
    current: BitzoomKeyStatus,
    wanted: BitzoomKeyStatus,
) -> Result<BitzoomKeyStatus, BitzoomKeyError> {
    if current == BitzoomKeyStatus::Revoked && wanted != BitzoomKeyStatus::Revoked {
        return Err(BitzoomKeyError::Revoked);
    }
    Ok(wanted)
}

/// `keys` of `account` (all without one), by account, creation and id: the listing order
/// every backend gives.
#[cfg_attr(not(any(feature = "redb", feature = "postgres")), allow(dead_code))]
pub(crate) fn listed(mut keys: Vec<BitzoomKey>, account: Option<&str>) -> Vec<BitzoomKey> {
    keys.retain(|k| account.is_none_or(|a| a == k.account));
    keys.sort_by(|a, b| (&a.account, a.created_at, &a.api_key).cmp(&(&b.account, b.created_at, &b.api_key)));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoked_is_final() {
        use BitzoomKeyStatus::{Active, Disabled, Revoked};
        assert!(matches!(next_status(Active, Disabled), Ok(Disabled)));
        assert!(matches!(next_status(Disabled, Active), Ok(Active)));
        assert!(matches!(next_status(Revoked, Active), Err(BitzoomKeyError::Revoked)));
        assert!(matches!(next_status(Revoked, Revoked), Ok(Revoked)));
    }
}

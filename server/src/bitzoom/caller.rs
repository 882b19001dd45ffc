//! Who made a Bitzoom request or logon, and the headers a signed request arrives with.

use crate::bitzoom::error::BitzoomError;
use crate::bitzoom::keys::{Permission, Permissions};

/// How a caller proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallerVia {
    /// An HMAC-signed request or logon with an API key.
    ApiKey,
    /// A test token (test mode only): a test user with [`TEST_USER_PERMISSIONS`].
    TestToken,
}

/// What a test user may do: read and trade, never move funds.
pub const TEST_USER_PERMISSIONS: Permissions = Permissions::READ_TRADE;

/// Who made a request or logon: the key (or test user), its account and permissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// `X-BZ-APIKEY`, or the test user's id.
    pub id: String,
    /// The key's account (a test user's is its id).
    pub account: String,
    /// What it may do.
    pub permissions: Permissions,
    /// How it proved who it is.
    pub via: CallerVia,
}

impl Caller {
    /// `Ok` if the caller has `permission`.
    ///
    /// # Errors
    /// [`BitzoomError::Forbidden`].
    pub fn require(&self, permission: Permission) -> Result<(), BitzoomError> {
        if self.permissions.allows(permission) { Ok(()) } else { Err(BitzoomError::Forbidden(permission)) }
    }
}

/// Longest `X-BZ-NONCE` taken, in bytes (a UUID is 36).
pub const MAX_NONCE_LEN: usize = 128;

/// The `X-BZ-*` headers of a signed request, as received.
#[derive(Clone, Copy, Debug)]
pub struct SignedHeaders<'a> {
    /// `X-BZ-APIKEY`.
    pub api_key: &'a str,
    /// `X-BZ-TIMESTAMP` (ms).
    pub timestamp: &'a str,
    /// `X-BZ-NONCE`.
    pub nonce: &'a str,
    /// `X-BZ-RECVWINDOW`, or `""` if absent.
    pub recv_window: &'a str,
    /// `X-BZ-SIGNATURE`.
    pub signature: &'a str,
}

//! Test mode: Bitzoom's test tokens (`GET /api/servermanage/testtoken?userid=`), issued to
//! anyone and taken as test users, and refused outright outside test mode.

use signet_core::Clock;
use signet_core::bitzoom::jwt::{MAX_JWT_LEN, encode};
use signet_std::SystemClock;

use crate::BitzoomService;
use crate::bitzoom::caller::{Caller, CallerVia, TEST_USER_PERMISSIONS};
use crate::bitzoom::error::BitzoomError;
use crate::bitzoom::keys::Permission;

/// Bitzoom's token claims (its server framework's `uid`, `uname`, `iat`, `exp`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BitzoomClaims {
    /// User id.
    pub uid: heapless::String<32>,
    /// User name.
    pub uname: heapless::String<40>,
    /// Issued at.
    pub iat: i64,
    /// Expiry.
    pub exp: i64,
}

impl BitzoomService {
    /// An HS256 test token for `uid`, valid from now for the configured lifetime.
    ///
    /// # Errors
    /// [`BitzoomError::TestTokensOff`] outside test mode, [`BitzoomError::InvalidUserId`] for
    /// an empty or over-long id.
    pub fn issue_token(&self, uid: &str) -> Result<String, BitzoomError> {
        if !self.test_tokens {
            return Err(BitzoomError::TestTokensOff);
        }
        let now = SystemClock.now().0;
        let claims = BitzoomClaims {
            uid: uid.try_into().map_err(|_| BitzoomError::InvalidUserId)?,
            uname: format!("user{uid}").as_str().try_into().map_err(|_| BitzoomError::InvalidUserId)?,
            iat: now,
            exp: now.saturating_add(self.lifetime_secs),
        };
        let mut buf = [0u8; MAX_JWT_LEN];
        encode(&self.jwt_key, &claims, &mut buf).map(str::to_owned).map_err(|_| BitzoomError::InvalidUserId)
    }

    /// Checks `Authorization: Bearer <jwt>` now for an endpoint that needs `permission`: in
    /// test mode a valid test token is a test user (`READ`, `TRADE`; rate limited per user);
    /// outside it every bearer token is refused.
    ///
    /// # Errors
    /// [`BitzoomError::BearerOutsideTestMode`], [`BitzoomError::Jwt`] with the Bitzoom code,
    /// [`BitzoomError::Forbidden`], [`BitzoomError::RateLimited`].
    pub fn authorize_bearer(
        &self,
        authorization: Option<&[u8]>,
        permission: Permission,
    ) -> Result<Caller, BitzoomError> {
        let now = SystemClock.now();
        if !self.test_tokens {
            // A missing header is still told apart (401), as Bitzoom does.
            return Err(match authorization {
                None => self
                    .verifier
                    .verify_authorization::<BitzoomClaims>(None, now)
                    .err()
                    .map_or(BitzoomError::BearerOutsideTestMode, BitzoomError::Jwt),
                Some(_) => BitzoomError::BearerOutsideTestMode,
            });
        }
        let uid = self
            .verifier
            .verify_authorization::<BitzoomClaims>(authorization, now)
            .map(|v| v.claims.uid.to_string())
            .map_err(BitzoomError::Jwt)?;
        let caller = Caller {
            id: uid.clone(),
            account: uid,
            permissions: TEST_USER_PERMISSIONS,
            via: CallerVia::TestToken,
        };
        caller.require(permission)?;
        if !self.limiter.admit(&format!("test:{}", caller.id)) {
            return Err(BitzoomError::RateLimited);
        }
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_tokens_are_issued_in_test_mode_only() {
        let off = BitzoomService::new(b"secret-of-at-least-some-length");
        assert_eq!(off.issue_token("7"), Err(BitzoomError::TestTokensOff));
        let on = BitzoomService::new(b"secret-of-at-least-some-length").with_test_tokens(true);
        let token = on.issue_token("7").unwrap();
        let header = format!("Bearer {token}");
        let caller = on.authorize_bearer(Some(header.as_bytes()), Permission::Trade).unwrap();
        assert_eq!((caller.id.as_str(), caller.via), ("7", CallerVia::TestToken));
        assert_eq!(
            on.authorize_bearer(Some(header.as_bytes()), Permission::Wallet),
            Err(BitzoomError::Forbidden(Permission::Wallet))
        );
        // The same token at a server not in test mode: refused, whatever it says.
        assert_eq!(
            off.authorize_bearer(Some(header.as_bytes()), Permission::Read),
            Err(BitzoomError::BearerOutsideTestMode)
        );
        assert_eq!(off.authorize_bearer(None, Permission::Read).unwrap_err().code(), 401);
    }
}

//! How refusals become HTTP answers: the status each error maps to lives here, in the HTTP
//! layer, not on the errors (except where a seed defines the status beside the text:
//! [`AuthError::http_status`] and Bitzoom's codes).

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use signet_core::eth::EthError;
use signet_core::turbine::AuthError;

use crate::bitzoom::BitzoomError;
use crate::store::{OrderStoreError, RegistryError};
use crate::turbine::RegistrationError;

/// Why [`TurbineAuth`](crate::http::TurbineAuth) refused a request: the documented refusal,
/// answered `{"error": "<text>"}` with its status (401; 429 over a key's share; 503 when a
/// store is down).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TurbineRejection(pub AuthError);

impl IntoResponse for TurbineRejection {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
        (status, Json(json!({ "error": self.0.to_string() }))).into_response()
    }
}

impl core::fmt::Display for TurbineRejection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

impl core::error::Error for TurbineRejection {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// The status of a refused registration: 400 malformed, 401 wrong signer or stale time, 403
/// registered before (use the timestamped message), 409 existing key (the seed's answer), 429
/// beyond the registration limits, 503
/// store down, 500 storage error.
pub(crate) fn registration_status(e: &RegistrationError) -> StatusCode {
    match e {
        RegistrationError::Signature(EthError::SignatureMismatch) | RegistrationError::StaleTimestamp => {
            StatusCode::UNAUTHORIZED
        }
        RegistrationError::Signature(_) | RegistrationError::InvalidName => StatusCode::BAD_REQUEST,
        RegistrationError::WalletRegisteredBefore => StatusCode::FORBIDDEN,
        RegistrationError::WalletHasKey(_) => StatusCode::CONFLICT,
        RegistrationError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        RegistrationError::TooMany => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `{"success": false, "error": …}`, with the existing `api_key_id` on 409 as the SDK reads it.
impl IntoResponse for RegistrationError {
    fn into_response(self) -> Response {
        if let RegistrationError::Registry(detail) = &self {
            // The client sees "internal error"; the operator needs the cause.
            tracing::warn!(error = %detail, "key store");
        }
        let body = match &self {
            RegistrationError::WalletHasKey(kid) => {
                json!({ "success": false, "error": self.to_string(), "api_key_id": kid.as_str() })
            }
            _ => json!({ "success": false, "error": self.to_string() }),
        };
        (registration_status(&self), Json(body)).into_response()
    }
}

/// The status of an order store refusal: 403 another wallet's order, 409 a second copy or an
/// order not open, 404 unknown, 429 over the open-order limit, 503 store down or full, 500
/// storage error.
pub(crate) fn order_store_status(e: &OrderStoreError) -> StatusCode {
    match e {
        OrderStoreError::TraderMismatch => StatusCode::FORBIDDEN,
        OrderStoreError::Duplicate | OrderStoreError::NotOpen(_) => StatusCode::CONFLICT,
        OrderStoreError::NotFound => StatusCode::NOT_FOUND,
        OrderStoreError::TooManyOpen(_) => StatusCode::TOO_MANY_REQUESTS,
        OrderStoreError::Registry(RegistryError::Unavailable) | OrderStoreError::Full => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A refusal of the order endpoints: its status and `{"error": text}`.
#[derive(Debug)]
pub(crate) struct Refusal(pub(crate) StatusCode, pub(crate) String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<OrderStoreError> for Refusal {
    fn from(e: OrderStoreError) -> Self {
        if let OrderStoreError::Registry(detail) = &e {
            tracing::warn!(error = %detail, "order store");
        }
        Refusal(order_store_status(&e), e.to_string())
    }
}

/// The HTTP status of a Bitzoom refusal: Bitzoom answers most refusals with 200 and the code;
/// 401 for a missing header, 403, 429 and 503 as their codes say.
pub(crate) fn bitzoom_status(e: &BitzoomError) -> StatusCode {
    match e {
        BitzoomError::Forbidden(_) | BitzoomError::IpNotAllowed => StatusCode::FORBIDDEN,
        BitzoomError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        BitzoomError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ if e.code() == 401 => StatusCode::UNAUTHORIZED,
        _ => StatusCode::OK,
    }
}

/// Bitzoom's envelope `{"code": …, "msg": …}` with its status.
impl IntoResponse for BitzoomError {
    fn into_response(self) -> Response {
        (bitzoom_status(&self), Json(json!({ "code": self.code(), "msg": self.to_string() }))).into_response()
    }
}

/// A bare 401 without a body: what Bitzoom's server framework answers for any failed JWT.
pub(crate) fn bare_401() -> Response {
    let mut response = StatusCode::UNAUTHORIZED.into_response();
    response.headers_mut().remove(header::CONTENT_TYPE);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use signet_core::turbine::order::OrderStatus;
    use signet_core::turbine::{KeyId, ReplayError};

    #[test]
    fn each_refusal_has_its_status() {
        let auth = |e: AuthError| TurbineRejection(e).into_response().status();
        assert_eq!(auth(AuthError::TokenReplayed), StatusCode::UNAUTHORIZED);
        assert_eq!(auth(AuthError::from_replay(ReplayError::RateLimited)), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(auth(AuthError::KeyStoreUnavailable), StatusCode::SERVICE_UNAVAILABLE);
        let registration = |e: RegistrationError| e.into_response().status();
        assert_eq!(
            registration(RegistrationError::Signature(EthError::SignatureMismatch)),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            registration(RegistrationError::Signature(EthError::InvalidAddress)),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(registration(RegistrationError::WalletRegisteredBefore), StatusCode::FORBIDDEN);
        assert_eq!(
            registration(RegistrationError::WalletHasKey(KeyId::new("k").unwrap())),
            StatusCode::CONFLICT
        );
        assert_eq!(registration(RegistrationError::Unavailable), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(registration(RegistrationError::TooMany), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            registration(RegistrationError::Registry(RegistryError::NotFound)),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let order = |e: OrderStoreError| Refusal::from(e).into_response().status();
        assert_eq!(order(OrderStoreError::TraderMismatch), StatusCode::FORBIDDEN);
        assert_eq!(order(OrderStoreError::NotOpen(OrderStatus::Cancelled)), StatusCode::CONFLICT);
        assert_eq!(order(OrderStoreError::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(
            order(OrderStoreError::Registry(RegistryError::Unavailable)),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            order(OrderStoreError::Registry(RegistryError::NotFound)),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(BitzoomError::RateLimited.into_response().status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(BitzoomError::IpNotAllowed.into_response().status(), StatusCode::FORBIDDEN);
        assert_eq!(BitzoomError::UnknownApiKey.into_response().status(), StatusCode::OK);
    }
}

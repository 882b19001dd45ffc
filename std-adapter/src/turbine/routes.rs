//! The axum integration: an extractor that verifies Turbine bearer tokens, and routers that
//! serve the documented Turbine and Bitzoom endpoints from the verifier services.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use signet_core::{AuthError, Claims};

use crate::bitzoom::{BitzoomError, BitzoomService};
use crate::{RedbRegistry, RegistrationError, VerifierService};

/// A request whose Turbine bearer token verified: its claims. Use it as a handler argument;
/// refusals answer `401 {"error": "<documented text>"}` before the handler runs.
#[derive(Clone, Debug)]
pub struct TurbineAuth(pub Claims);

/// The JSON answer for a refused token.
fn auth_error(e: AuthError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
    (status, Json(json!({ "error": e.to_string() }))).into_response()
}

/// Works in any router whose state can hand out the shared service
/// (`Arc<VerifierService>: FromRef<S>`).
impl<S> FromRequestParts<S> for TurbineAuth
where
    Arc<VerifierService<RedbRegistry>>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let service = Arc::<VerifierService<RedbRegistry>>::from_ref(state);
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).map(|v| v.as_bytes());
        service.verify(header).map(TurbineAuth).map_err(auth_error)
    }
}

/// The body of `POST /api/v1/api-keys`.
#[derive(Debug, serde::Deserialize)]
struct RegisterBody {
    address: String,
    signature: String,
    name: Option<String>,
}

async fn register(
    State(service): State<Arc<VerifierService<RedbRegistry>>>,
    Json(body): Json<RegisterBody>,
) -> Response {
    match service.register(&body.address, &body.signature, body.name.as_deref()) {
        Ok(issued) => {
            let secret = issued.secret.to_hex();
            let secret = core::str::from_utf8(secret.as_ref()).unwrap_or_default();
            Json(json!({
                "success": true,
                "api_key_id": issued.kid.as_str(),
                "api_private_key": secret,
                "message": "API key created successfully. Save your private key - it cannot be retrieved later!",
            }))
            .into_response()
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = match &e {
                RegistrationError::WalletHasKey(kid) => {
                    json!({ "success": false, "error": e.to_string(), "api_key_id": kid.as_str() })
                }
                _ => json!({ "success": false, "error": e.to_string() }),
            };
            (status, Json(body)).into_response()
        }
    }
}

async fn create_order(TurbineAuth(claims): TurbineAuth, body: Option<Json<Value>>) -> Json<Value> {
    Json(json!({ "success": true, "api_key_id": claims.kid.as_str(), "order": body.map(|Json(v)| v) }))
}

async fn cancel_order(TurbineAuth(claims): TurbineAuth, Path(id): Path<String>) -> Json<Value> {
    Json(json!({ "success": true, "api_key_id": claims.kid.as_str(), "cancelled": id }))
}

async fn public(Path(rest): Path<String>) -> Json<Value> {
    // The public market-data endpoints need no authentication; this server has no market
    // data, so it answers each with an empty, well-formed result.
    Json(json!({ "endpoint": rest, "data": [] }))
}

/// The Turbine endpoints over a verifier service: `POST /api/v1/api-keys` (registration by
/// wallet signature; 409 with the existing `api_key_id`), the protected
/// `POST /api/v1/orders` and `DELETE /api/v1/orders/{id}`, and the public `GET /api/v1/...`.
pub fn turbine_routes(service: Arc<VerifierService<RedbRegistry>>) -> Router {
    Router::new()
        .route("/api/v1/api-keys", post(register))
        .route("/api/v1/orders", post(create_order))
        .route("/api/v1/orders/{id}", delete(cancel_order))
        .route("/api/v1/{*rest}", get(public))
        .with_state(service)
}

fn bitzoom_error(service: &BitzoomService, e: &BitzoomError) -> Response {
    if service.bare_401() && e.code() != 401 {
        // What Bitzoom's server framework does for any failed JWT.
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let status = if e.code() == 401 { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
    (status, Json(json!({ "code": e.code(), "msg": e.to_string() }))).into_response()
}

async fn test_token(
    State(service): State<Arc<BitzoomService>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(uid) = q.get("userid").filter(|u| !u.is_empty()) else {
        return (StatusCode::BAD_REQUEST, Json(json!({ "code": -1, "msg": "userid is required" })))
            .into_response();
    };
    match service.issue_token(uid) {
        Ok(token) => Json(json!({ "code": 0, "msg": "success", "data": { "token": token } })).into_response(),
        Err(e) => bitzoom_error(&service, &e),
    }
}

/// The caller of a Bitzoom private endpoint: HMAC-signed headers if present, else the bearer
/// token.
fn bitzoom_caller(
    service: &BitzoomService,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, BitzoomError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if headers.contains_key("x-bz-signature") {
        service.verify_signed(
            &crate::bitzoom::SignedHeaders {
                api_key: header("x-bz-apikey").unwrap_or_default(),
                timestamp: header("x-bz-timestamp").unwrap_or_default(),
                nonce: header("x-bz-nonce").unwrap_or_default(),
                recv_window: header("x-bz-recvwindow").unwrap_or_default(),
                signature: header("x-bz-signature").unwrap_or_default(),
            },
            method.as_str(),
            uri.path(),
            uri.query().unwrap_or_default(),
            body,
        )
    } else {
        service.verify_bearer(headers.get(axum::http::header::AUTHORIZATION).map(|v| v.as_bytes()))
    }
}

async fn balance(
    State(service): State<Arc<BitzoomService>>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match bitzoom_caller(&service, &method, &uri, &headers, &body) {
        Ok(uid) => Json(json!({ "code": 0, "msg": "success", "data": { "uid": uid, "asset": "USDT", "balance": "10000.00" } }))
            .into_response(),
        Err(e) => bitzoom_error(&service, &e),
    }
}

async fn order(
    State(service): State<Arc<BitzoomService>>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match bitzoom_caller(&service, &method, &uri, &headers, &body) {
        Ok(caller) => {
            let order: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            Json(json!({ "code": 0, "msg": "success", "data": { "caller": caller, "order": order } }))
                .into_response()
        }
        Err(e) => bitzoom_error(&service, &e),
    }
}

/// The Bitzoom endpoints: `GET /api/servermanage/testtoken?userid=` (an HS256 JWT with `uid`,
/// `uname`, `iat`, `exp`) and `GET /api/v1/balance`, which takes that bearer token or
/// HMAC-signed `X-BZ-*` headers and answers `{"code": -1002|-1022, "msg": …}` on failure, and
/// `POST /api/v1/order`, which takes either too and echoes the order.
pub fn bitzoom_routes(service: Arc<BitzoomService>) -> Router {
    Router::new()
        .route("/api/servermanage/testtoken", get(test_token))
        .route("/api/v1/balance", get(balance))
        .route("/api/v1/order", post(order))
        .with_state(service)
}

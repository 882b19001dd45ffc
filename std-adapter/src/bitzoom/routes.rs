//! Bitzoom over axum: the test-token endpoint and private endpoints that take a bearer JWT or
//! HMAC-signed headers.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::bitzoom::service::{BitzoomError, BitzoomService, SignedHeaders};

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
            &SignedHeaders {
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

//! Bitzoom over axum: the test-token endpoint, private endpoints that take a bearer JWT or
//! HMAC-signed headers (with the key's permission and allowlist checked), and the `/ws`
//! WebSocket.

use core::net::{IpAddr, SocketAddr};
use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use signet_core::bitzoom::request_signing::SignedRequest;

use crate::BitzoomService;
use crate::bitzoom::keys::Permission;
use crate::bitzoom::{BitzoomError, SignedHeaders};
use crate::http::rejection::bare_401;

fn bitzoom_error(service: &BitzoomService, e: BitzoomError) -> Response {
    if service.bare_401() && e.code() != 401 && matches!(e, BitzoomError::Jwt(_)) {
        // What Bitzoom's server framework does for any failed JWT.
        return bare_401();
    }
    e.into_response()
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
        Err(e) => bitzoom_error(&service, e),
    }
}

/// A request to a private endpoint, as received: what its signature covers, and the peer
/// address its key's allowlist is checked against.
struct Incoming {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    peer: Option<IpAddr>,
}

impl<S: Send + Sync> FromRequest<S> for Incoming {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        let (method, uri, headers) =
            (request.method().clone(), request.uri().clone(), request.headers().clone());
        let body = Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        Ok(Incoming { method, uri, headers, body, peer })
    }
}

/// The caller of a Bitzoom private endpoint that needs `permission`: HMAC-signed headers if
/// present (the key's permission and allowlist checked), else the bearer token (a test user:
/// no permissions apply). Answers the caller's name.
async fn bitzoom_caller(
    service: &BitzoomService,
    request: &Incoming,
    permission: Permission,
) -> Result<String, BitzoomError> {
    let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !request.headers.contains_key("x-bz-signature") {
        let authorization = request.headers.get(axum::http::header::AUTHORIZATION).map(|v| v.as_bytes());
        return service.verify_bearer(authorization);
    }
    let headers = SignedHeaders {
        api_key: header("x-bz-apikey"),
        timestamp: header("x-bz-timestamp"),
        nonce: header("x-bz-nonce"),
        recv_window: header("x-bz-recvwindow"),
        signature: header("x-bz-signature"),
    };
    let signed = SignedRequest {
        timestamp: headers.timestamp,
        nonce: headers.nonce,
        recv_window: headers.recv_window,
        method: request.method.as_str(),
        path: request.uri.path(),
        query: request.uri.query().unwrap_or_default(),
        body: &request.body,
    };
    service.authorize_signed(&headers, &signed, request.peer, permission).await.map(|caller| caller.api_key)
}

async fn balance(State(service): State<Arc<BitzoomService>>, incoming: Incoming) -> Response {
    match bitzoom_caller(&service, &incoming, Permission::Read).await {
        Ok(uid) => Json(json!({ "code": 0, "msg": "success", "data": { "uid": uid, "asset": "USDT", "balance": "10000.00" } }))
            .into_response(),
        Err(e) => bitzoom_error(&service, e),
    }
}

async fn order(State(service): State<Arc<BitzoomService>>, incoming: Incoming) -> Response {
    match bitzoom_caller(&service, &incoming, Permission::Trade).await {
        Ok(caller) => {
            let order: Value = serde_json::from_slice(&incoming.body).unwrap_or(Value::Null);
            Json(json!({ "code": 0, "msg": "success", "data": { "caller": caller, "order": order } }))
                .into_response()
        }
        Err(e) => bitzoom_error(&service, e),
    }
}

/// The Bitzoom endpoints: `GET /api/servermanage/testtoken?userid=` (an HS256 JWT with `uid`,
/// `uname`, `iat`, `exp`); `GET /api/v1/balance` (`READ`) and `POST /api/v1/order` (`TRADE`),
/// which take that bearer token or HMAC-signed `X-BZ-*` headers and answer
/// `{"code": …, "msg": …}` on failure (403 for a missing permission or an address outside the
/// key's allowlist, 429 with -1003 over the rate limit); and the `/ws` WebSocket.
pub fn bitzoom_routes(service: Arc<BitzoomService>) -> Router {
    Router::new()
        .route("/api/servermanage/testtoken", get(test_token))
        .route("/api/v1/balance", get(balance))
        .route("/api/v1/order", post(order))
        .route("/ws", get(crate::http::ws::upgrade))
        .with_state(service)
}

//! Bitzoom over axum: private endpoints that take HMAC-signed headers (the key's permission,
//! allowlist and rate limit checked) or, in test mode only, a test token; the test-token
//! endpoint (test mode only); and the `/ws` WebSocket. Every answer records its outcome for
//! the request log and the metrics.

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
use crate::bitzoom::{BitzoomError, Caller, SignedHeaders};
use crate::http::record::RequestRecord;
use crate::http::rejection::bare_401;

/// Notes the outcome (`accepted` or the refusal's reason) on the request's record.
fn record_outcome(record: Option<&RequestRecord>, caller: Option<&str>, refusal: Option<&'static str>) {
    if let Some(record) = record {
        record.update(|r| {
            r.kid = caller.map(str::to_owned);
            r.refusal = refusal;
            r.bitzoom = Some(refusal.unwrap_or("accepted"));
        });
    }
}

fn bitzoom_error(service: &BitzoomService, incoming: &Incoming, e: BitzoomError) -> Response {
    record_outcome(incoming.record.as_ref(), None, Some(e.reason()));
    tracing::debug!(reason = e.reason(), code = e.code(), "bitzoom refusal");
    if service.bare_401() && e.code() != 401 && matches!(e, BitzoomError::Jwt(_)) {
        // What Bitzoom's server framework does for any failed JWT.
        return bare_401();
    }
    e.into_response()
}

/// `GET /api/servermanage/testtoken?userid=` (test mode only: the route exists only then).
async fn test_token(
    State(service): State<Arc<BitzoomService>>,
    record: Option<axum::Extension<RequestRecord>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let record = record.map(|axum::Extension(r)| r);
    let Some(uid) = q.get("userid").filter(|u| !u.is_empty()) else {
        record_outcome(record.as_ref(), None, Some("invalid user id"));
        return (StatusCode::BAD_REQUEST, Json(json!({ "code": -1, "msg": "userid is required" })))
            .into_response();
    };
    match service.issue_token(uid) {
        Ok(token) => {
            record_outcome(record.as_ref(), Some(uid), None);
            Json(json!({ "code": 0, "msg": "success", "data": { "token": token } })).into_response()
        }
        Err(e) => {
            record_outcome(record.as_ref(), None, Some(e.reason()));
            e.into_response()
        }
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
    record: Option<RequestRecord>,
}

impl<S: Send + Sync> FromRequest<S> for Incoming {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        let record = request.extensions().get::<RequestRecord>().cloned();
        let (method, uri, headers) =
            (request.method().clone(), request.uri().clone(), request.headers().clone());
        let body = Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        Ok(Incoming { method, uri, headers, body, peer, record })
    }
}

/// The caller of a Bitzoom private endpoint that needs `permission`: HMAC-signed headers if
/// present (the key's permission, allowlist and rate limit checked), else a bearer token (a
/// test user, in test mode only).
async fn bitzoom_caller(
    service: &BitzoomService,
    request: &Incoming,
    permission: Permission,
) -> Result<Caller, BitzoomError> {
    let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !request.headers.contains_key("x-bz-signature") {
        let authorization = request.headers.get(axum::http::header::AUTHORIZATION).map(|v| v.as_bytes());
        return service.authorize_bearer(authorization, permission);
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
    service.authorize_signed(&headers, &signed, request.peer, permission).await
}

/// The caller, with the outcome recorded either way.
async fn admitted(
    service: &BitzoomService,
    incoming: &Incoming,
    permission: Permission,
) -> Result<Caller, Response> {
    match bitzoom_caller(service, incoming, permission).await {
        Ok(caller) => {
            record_outcome(incoming.record.as_ref(), Some(&caller.id), None);
            Ok(caller)
        }
        Err(e) => Err(bitzoom_error(service, incoming, e)),
    }
}

async fn balance(State(service): State<Arc<BitzoomService>>, incoming: Incoming) -> Response {
    match admitted(&service, &incoming, Permission::Read).await {
        Ok(caller) => Json(json!({ "code": 0, "msg": "success", "data": { "uid": caller.id, "account": caller.account, "asset": "USDT", "balance": "10000.00" } }))
            .into_response(),
        Err(refusal) => refusal,
    }
}

async fn order(State(service): State<Arc<BitzoomService>>, incoming: Incoming) -> Response {
    match admitted(&service, &incoming, Permission::Trade).await {
        Ok(caller) => {
            let order: Value = serde_json::from_slice(&incoming.body).unwrap_or(Value::Null);
            Json(json!({ "code": 0, "msg": "success", "data": { "caller": caller.id, "order": order } }))
                .into_response()
        }
        Err(refusal) => refusal,
    }
}

/// The Bitzoom endpoints: `GET /api/v1/balance` (`READ`) and `POST /api/v1/order` (`TRADE`),
/// which take HMAC-signed `X-BZ-*` headers (or, in test mode, a test token) and answer
/// `{"code": …, "msg": …}` on failure (403 for a missing permission or an address outside the
/// key's allowlist, 429 with -1003 over the rate limit); the `/ws` WebSocket; and, in test
/// mode only, `GET /api/servermanage/testtoken?userid=` (an HS256 JWT with `uid`, `uname`,
/// `iat`, `exp`; outside test mode the route does not exist: 404).
pub fn bitzoom_routes(service: Arc<BitzoomService>) -> Router {
    let router = if service.test_tokens() {
        Router::new().route("/api/servermanage/testtoken", get(test_token))
    } else {
        Router::new()
    };
    router
        .route("/api/v1/balance", get(balance))
        .route("/api/v1/order", post(order))
        .route("/ws", get(crate::http::ws::upgrade))
        .with_state(service)
}

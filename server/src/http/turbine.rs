//! The documented Turbine endpoints over a verifier service: registration, the public GETs,
//! forward authentication, and the order endpoints.

use std::sync::Arc;

use core::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::http::auth::TurbineAuth;
use crate::http::orders::order_routes;
use crate::http::record::RequestRecord;
use crate::turbine::{Registration, RegistrationError};
use crate::{Registry, VerifierService};

/// The body of `POST /api/v1/api-keys`; `timestamp` only with the timestamped message.
#[derive(Debug, serde::Deserialize)]
struct RegisterBody {
    address: String,
    signature: String,
    name: Option<String>,
    timestamp: Option<i64>,
}

async fn register(
    State(service): State<Arc<VerifierService<Registry>>>,
    record: Option<axum::Extension<RequestRecord>>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    Json(body): Json<RegisterBody>,
) -> Response {
    let request = Registration {
        address: &body.address,
        signature: &body.signature,
        timestamp: body.timestamp,
        name: body.name.as_deref(),
    };
    let peer = connect.map(|axum::Extension(ConnectInfo(addr))| addr.ip());
    let outcome = service.register_from(&request, peer).await;
    if let Some(axum::Extension(record)) = record {
        let text = outcome.as_ref().map_or_else(RegistrationError::outcome, |_| "issued");
        record.update(|r| r.registration = Some(text));
    }
    match outcome {
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
        Err(e) => e.into_response(),
    }
}

/// Forward authentication: verifies the request's `Authorization` header exactly as the write
/// endpoints do. 200 with `X-Signet-Kid`, else the documented refusal.
async fn forward_auth(TurbineAuth(claims): TurbineAuth) -> Response {
    let kid = claims.kid.as_str();
    // A key id is printable ASCII without `"` or `\\` (KeyId's rule), so it goes into JSON as it
    // is: the bytes serde_json would write, without building a map for them.
    let body = format!("{{\"kid\":\"{kid}\"}}");
    ([("x-signet-kid", kid), ("content-type", "application/json")], body).into_response()
}

async fn public(Path(rest): Path<String>) -> Json<Value> {
    // The public market-data endpoints need no authentication; this server has no market
    // data, so it answers each with an empty, well-formed result.
    Json(json!({ "endpoint": rest, "data": [] }))
}

/// Forward authentication at `path` (e.g. `/auth`) for API servers in other languages behind a
/// proxy (nginx `auth_request`, Traefik `forwardAuth`, Envoy `ext_authz`): `GET` (any method)
/// answers 200 with `X-Signet-Kid: <kid>` for a valid token, or the documented 401/429/503
/// `{"error": …}`. Each token passes once, as on the write endpoints.
pub fn forward_auth_route(service: Arc<VerifierService<Registry>>, path: &str) -> Router {
    Router::new().route(path, axum::routing::any(forward_auth)).with_state(service)
}

/// The Turbine endpoints over a verifier service: `POST /api/v1/api-keys` (registration by
/// wallet signature; 409 with the existing `api_key_id`), the order endpoints (see
/// [`order_routes`]), and the public `GET /api/v1/...`.
pub fn turbine_routes(service: Arc<VerifierService<Registry>>) -> Router {
    Router::new()
        .route("/api/v1/api-keys", post(register))
        .route("/api/v1/{*rest}", get(public))
        .with_state(Arc::clone(&service))
        .merge(crate::http::relayer::relayer_routes(Arc::clone(&service)))
        .merge(order_routes(service))
}

//! Turbine over axum: an extractor that verifies bearer tokens, and a router serving the
//! documented Turbine endpoints from a verifier service.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use signet_core::turbine::{AuthError, Claims};

use crate::server::record::{RequestRecord, record_verification};
use crate::store::registry::Registry;
use crate::turbine::order_routes::order_routes;
use crate::turbine::registration::{Registration, RegistrationError};
use crate::turbine::service::VerifierService;

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
    Arc<VerifierService<Registry>>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let service = Arc::<VerifierService<Registry>>::from_ref(state);
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).map(|v| v.as_bytes());
        let started = std::time::Instant::now();
        let outcome = service.verify_async(header).await;
        let (kid, refusal) = match &outcome {
            Ok(claims) => (Some(claims.kid.as_str()), None),
            Err(e) => (None, Some(e.as_str())),
        };
        record_verification(&parts.extensions, kid, refusal, started.elapsed());
        outcome.map(TurbineAuth).map_err(auth_error)
    }
}

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
    Json(body): Json<RegisterBody>,
) -> Response {
    let request = Registration {
        address: &body.address,
        signature: &body.signature,
        timestamp: body.timestamp,
        name: body.name.as_deref(),
    };
    let outcome = service.register_async(&request).await;
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
        Err(e) => {
            if let RegistrationError::Registry(detail) = &e {
                // The client sees "internal error"; the operator needs the cause.
                tracing::warn!(error = %detail, "key store");
            }
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

/// Forward authentication: verifies the request's `Authorization` header exactly as the write
/// endpoints do. 200 with `X-Signet-Kid`, else the documented refusal.
async fn forward_auth(TurbineAuth(claims): TurbineAuth) -> Response {
    let kid = claims.kid.as_str();
    ([("x-signet-kid", kid)], Json(json!({ "kid": kid }))).into_response()
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
        .merge(order_routes(service))
}

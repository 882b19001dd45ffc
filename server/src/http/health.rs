//! Health for load balancers and the official SDK: `/health` and `/healthz` (the process
//! answers), `/readyz` (the stores answer too; 503 naming the one that does not).

use core::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::Registry;
use crate::VerifierService;
use crate::store::KeyRegistry;

#[derive(Clone)]
struct Health {
    service: Arc<VerifierService<Registry>>,
    draining: Arc<AtomicBool>,
}

async fn alive() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn ready(State(health): State<Health>) -> Response {
    let mut unavailable = Vec::new();
    if health.draining.load(Ordering::Relaxed) {
        unavailable.push("server (shutting down)");
    }
    if !health.service.keys().is_ready().await {
        unavailable.push("key store");
    }
    if !health.service.replay_store().is_ready().await {
        unavailable.push("replay store");
    }
    if unavailable.is_empty() {
        Json(json!({ "status": "ready" })).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "unavailable": unavailable })),
        )
            .into_response()
    }
}

/// `GET /health`, `GET /healthz`, `GET /readyz`.
pub fn health_routes(service: Arc<VerifierService<Registry>>, draining: Arc<AtomicBool>) -> Router {
    Router::new()
        .route("/health", get(alive))
        .route("/healthz", get(alive))
        .route("/readyz", get(ready))
        .with_state(Health { service, draining })
}

//! What every request goes through before its handler: a request id, the limits, and after
//! the response one log line and the metrics.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use core::time::Duration;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::RequestRecord;
use crate::serve::log::escape;
use crate::serve::metrics::Metrics;

/// Limits on one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLimits {
    /// Largest request body read (413 beyond it).
    pub max_body_bytes: usize,
    /// Time allowed to receive the body, and again to answer (408 / 503 beyond it).
    pub request_timeout: Duration,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits { max_body_bytes: 64 * 1024, request_timeout: Duration::from_secs(10) }
    }
}

/// State of the request middleware.
#[derive(Clone, Debug)]
pub struct Shared {
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) limits: RequestLimits,
    /// Set when the server is shutting down: every answer then closes its connection.
    pub(crate) draining: Arc<AtomicBool>,
    ids: Arc<RequestIds>,
}

impl Shared {
    /// Middleware state.
    pub fn new(metrics: Arc<Metrics>, limits: RequestLimits, draining: Arc<AtomicBool>) -> Self {
        Shared { metrics, limits, draining, ids: Arc::new(RequestIds::new()) }
    }
}

/// Request ids: a random prefix per process and a counter, 16 hex digits.
#[derive(Debug)]
struct RequestIds {
    prefix: u32,
    next: AtomicU64,
}

impl RequestIds {
    fn new() -> Self {
        let mut bytes = [0u8; 4];
        rand_core::Rng::fill_bytes(&mut signet_std::os_rng(), &mut bytes);
        RequestIds { prefix: u32::from_le_bytes(bytes), next: AtomicU64::new(0) }
    }

    fn next(&self) -> String {
        format!("{:08x}{:08x}", self.prefix, self.next.fetch_add(1, Ordering::Relaxed) as u32)
    }
}

fn refusal(status: StatusCode, text: &'static str, close: bool) -> Response {
    let mut response = (status, axum::Json(json!({ "error": text }))).into_response();
    if close {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Outermost: gives the request an id and a record, applies the limits, then writes the log
/// line and the metrics. Logs carry the method, the escaped path, the status, the latency,
/// and the verified key id or the refusal text: never a header value.
pub async fn observe(State(shared): State<Shared>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = shared.ids.next();
    let record = RequestRecord::default();
    request.extensions_mut().insert(record.clone());
    let method = request.method().clone();
    let path = escape(request.uri().path());
    let mut response = limit(&shared, &record, request, next).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    if shared.draining.load(Ordering::Relaxed) {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    let status = response.status().as_u16();
    let facts = record.get();
    shared.metrics.observe(status, &facts);
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        id = %id,
        method = %method,
        path = %path,
        status,
        latency_ms = format_args!("{latency_ms:.3}"),
        kid = %facts.kid.as_deref().unwrap_or("-"),
        refusal = %facts.refusal.unwrap_or("-"),
        "request"
    );
    response
}

async fn limit(shared: &Shared, record: &RequestRecord, request: Request, next: Next) -> Response {
    // Two Authorization headers are ambiguous: a proxy and this server could each pick another
    // one and disagree about who is calling.
    if request.headers().get_all(header::AUTHORIZATION).iter().nth(1).is_some() {
        record.update(|r| r.refusal = Some("repeated authorization header"));
        return refusal(StatusCode::BAD_REQUEST, "repeated authorization header", false);
    }
    // The whole body is read here, whatever the handler does with it, so a keep-alive
    // connection is always ready for the client's next request. Beyond the limit the
    // connection is closed rather than drained.
    let RequestLimits { max_body_bytes, request_timeout } = shared.limits;
    let (parts, body) = request.into_parts();
    let bytes = match tokio::time::timeout(request_timeout, axum::body::to_bytes(body, max_body_bytes)).await
    {
        Err(_) => {
            record.update(|r| r.refusal = Some("request timed out"));
            return refusal(StatusCode::REQUEST_TIMEOUT, "request timed out", true);
        }
        Ok(Err(_)) => {
            record.update(|r| r.refusal = Some("request body too large"));
            return refusal(StatusCode::PAYLOAD_TOO_LARGE, "request body too large", true);
        }
        Ok(Ok(bytes)) => bytes,
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    match tokio::time::timeout(request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            record.update(|r| r.refusal = Some("request timed out"));
            refusal(StatusCode::SERVICE_UNAVAILABLE, "request timed out", false)
        }
    }
}

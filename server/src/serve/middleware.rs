//! What every request goes through before its handler: a request id, the limits, and after
//! the response one log line and the metrics.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use core::time::Duration;
use std::sync::Arc;
use std::time::Instant;

use std::borrow::Cow;

use axum::body::{Body, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::RequestRecord;
use crate::serve::log::{MAX_LOGGED_CHARS, escape};
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

    /// The next id, as 16 ASCII hex digits (no allocation: it goes into a header and a log line).
    fn next(&self) -> RequestId {
        let value =
            (u64::from(self.prefix) << 32) | u64::from(self.next.fetch_add(1, Ordering::Relaxed) as u32);
        let mut digits = [0u8; 16];
        // 8 bytes make exactly 16 digits: this cannot fail.
        let _ = hex::encode_to_slice(value.to_be_bytes(), &mut digits);
        RequestId(digits)
    }
}

/// A request id: 16 lower-case hex digits.
#[derive(Clone, Copy)]
struct RequestId([u8; 16]);

impl RequestId {
    fn as_str(&self) -> &str {
        // Hex digits only, so always UTF-8.
        core::str::from_utf8(&self.0).unwrap_or_default()
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
    // A clone of the URI shares its bytes; the path is escaped only if it needs it.
    let uri = request.uri().clone();
    let mut response = limit(&shared, &record, request, next).await;
    if let Ok(value) = HeaderValue::from_bytes(&id.0) {
        response.headers_mut().insert("x-request-id", value);
    }
    if shared.draining.load(Ordering::Relaxed) {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    let status = response.status().as_u16();
    let facts = record.get();
    shared.metrics.observe(status, &facts);
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let path = escape_if_needed(uri.path());
    tracing::info!(
        id = %id.as_str(),
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

/// `path` as it goes into the log: as it is when nothing in it needs escaping (the common
/// case: printable ASCII without a backslash, within the length logged), else [`escape`]d.
fn escape_if_needed(path: &str) -> Cow<'_, str> {
    let plain =
        path.len() <= MAX_LOGGED_CHARS && path.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'\\');
    if plain { Cow::Borrowed(path) } else { Cow::Owned(escape(path)) }
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
    // No body (a GET, forward auth): nothing to read, so no timer and no copy for it.
    if body.is_end_stream() {
        return answer_in_time(request_timeout, record, next.run(Request::from_parts(parts, body))).await;
    }
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
    answer_in_time(request_timeout, record, next.run(request)).await
}

/// The handler's answer, or 503 `request timed out` once `limit` has passed.
async fn answer_in_time(
    limit: Duration,
    record: &RequestRecord,
    answer: impl core::future::Future<Output = Response>,
) -> Response {
    match tokio::time::timeout(limit, answer).await {
        Ok(response) => response,
        Err(_) => {
            record.update(|r| r.refusal = Some("request timed out"));
            refusal(StatusCode::SERVICE_UNAVAILABLE, "request timed out", false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_the_prefix_and_a_counter_in_sixteen_hex_digits() {
        let ids = RequestIds { prefix: 0x0a1b_2c3d, next: AtomicU64::new(0xffff_fffe) };
        assert_eq!(ids.next().as_str(), "0a1b2c3dfffffffe");
        assert_eq!(ids.next().as_str(), "0a1b2c3dffffffff");
        assert_eq!(ids.next().as_str(), "0a1b2c3d00000000", "the counter wraps within its 8 digits");
    }

    #[test]
    fn plain_paths_are_logged_as_they_are_and_others_escaped() {
        assert!(matches!(escape_if_needed("/api/v1/orders?x=1"), Cow::Borrowed("/api/v1/orders?x=1")));
        for hostile in ["/a\u{1b}[31m", "/a\\b", "/caf\u{e9}", "/\u{202e}x"] {
            assert_eq!(escape_if_needed(hostile), escape(hostile), "{hostile:?}");
        }
        let long = "/".repeat(MAX_LOGGED_CHARS + 1);
        assert_eq!(escape_if_needed(&long), escape(&long));
    }
}

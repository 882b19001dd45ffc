//! Bitzoom HMAC-SHA256 request signing (its current private REST and WebSocket API).
//!
//! The client signs a seven-line canonical text with its API secret and sends
//! `X-BZ-APIKEY`, `X-BZ-TIMESTAMP` (ms), `X-BZ-NONCE`, `X-BZ-SIGNATURE` and optionally
//! `X-BZ-RECVWINDOW`. The server rebuilds the text from the request as received, compares
//! signatures in constant time, checks the receive window and refuses a reused nonce.

mod canonical;
mod request;
mod sign;

pub(crate) use request::parse_millis;
pub use request::{
    DEFAULT_RECV_WINDOW_MS, MAX_QUERY_PAIRS, MAX_RECV_WINDOW_MS, RequestSigningError, SignedRequest,
};
pub use sign::{RequestSignature, UncheckedNonce, check_request, verify_request};

//! A signed request's parts as sent, the limits on them, and why one is refused.

use core::fmt;

/// Most query pairs a signed request may carry.
pub const MAX_QUERY_PAIRS: usize = 64;
/// Receive window used when the request sends no `X-BZ-RECVWINDOW`, in milliseconds.
pub const DEFAULT_RECV_WINDOW_MS: u64 = 5_000;
/// Largest receive window a request may ask for, in milliseconds.
pub const MAX_RECV_WINDOW_MS: u64 = 60_000;

/// The parts of a request that are signed, as sent on the wire.
///
/// Text fields are signed exactly as given (a server passes the header values it received),
/// except `method`, which is upper-cased.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedRequest<'a> {
    /// `X-BZ-TIMESTAMP`: Unix time in milliseconds, decimal.
    pub timestamp: &'a str,
    /// `X-BZ-NONCE`: unique per request.
    pub nonce: &'a str,
    /// `X-BZ-RECVWINDOW` in milliseconds, or `""` if the header is omitted.
    pub recv_window: &'a str,
    /// HTTP method (or `WS` for a WebSocket logon).
    pub method: &'a str,
    /// Request path, e.g. `/api/v1/balance`.
    pub path: &'a str,
    /// Raw query string without `?`, as sent.
    pub query: &'a str,
    /// The exact body bytes.
    pub body: &'a [u8],
}

/// Why a request could not be signed or was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestSigningError {
    /// More than [`MAX_QUERY_PAIRS`] query pairs.
    TooManyQueryPairs,
    /// The caller's buffer is too short for the canonical text.
    BufferTooSmall,
    /// A query component's escapes decode to bytes that are not UTF-8.
    InvalidQueryEncoding,
    /// A field holds a line break, or the nonce is empty.
    InvalidField,
    /// `X-BZ-TIMESTAMP` is not a decimal number of milliseconds.
    InvalidTimestamp,
    /// `X-BZ-RECVWINDOW` is not a decimal from 1 to [`MAX_RECV_WINDOW_MS`].
    InvalidRecvWindow,
    /// The timestamp is further from the server's time than the receive window.
    OutsideRecvWindow,
    /// The signature is not 64 hex digits or does not match.
    InvalidSignature,
    /// The nonce was already used with this API key within the window.
    NonceReused,
    /// The replay cache is full of live nonces (fails closed).
    ReplayCacheFull,
    /// The key holds its whole share of the replay store: its requests wait while every other
    /// key goes on (Bitzoom's rate-limit code, -1003).
    ReplayShareExceeded,
    /// The replay store could not be asked in time (fails closed; Bitzoom's -1008, busy).
    ReplayUnavailable,
}

impl RequestSigningError {
    /// Bitzoom's code: -1021 for a timestamp outside the receive window, -1022 for a
    /// malformed or wrongly signed request, -1002 for one that is well signed but not
    /// acceptable (a reused nonce), -1003 for a key over its share of the replay store, -1008
    /// when the replay store cannot answer.
    #[must_use]
    pub const fn code(&self) -> i32 {
        match self {
            RequestSigningError::OutsideRecvWindow => crate::bitzoom::jwt::BITZOOM_TIMESTAMP_OUTSIDE_WINDOW,
            RequestSigningError::NonceReused | RequestSigningError::ReplayCacheFull => {
                crate::bitzoom::jwt::BITZOOM_UNAUTHORIZED
            }
            RequestSigningError::ReplayShareExceeded => crate::bitzoom::jwt::BITZOOM_RATE_LIMIT,
            RequestSigningError::ReplayUnavailable => crate::bitzoom::jwt::BITZOOM_BUSY,
            _ => crate::bitzoom::jwt::BITZOOM_INVALID_SIGNATURE,
        }
    }
}

impl fmt::Display for RequestSigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequestSigningError::TooManyQueryPairs => "too many query parameters",
            RequestSigningError::BufferTooSmall => "output buffer too small for the canonical text",
            RequestSigningError::InvalidQueryEncoding => "query does not decode to UTF-8",
            RequestSigningError::InvalidField => "invalid request field",
            RequestSigningError::InvalidTimestamp => "invalid timestamp",
            RequestSigningError::InvalidRecvWindow => "invalid recvWindow",
            RequestSigningError::OutsideRecvWindow => "Timestamp outside recv window",
            RequestSigningError::InvalidSignature => "Invalid signature",
            RequestSigningError::NonceReused => "nonce already used",
            RequestSigningError::ReplayCacheFull => "replay cache full",
            RequestSigningError::ReplayShareExceeded => "Rate limit exceeded",
            RequestSigningError::ReplayUnavailable => "Server busy",
        })
    }
}

impl core::error::Error for RequestSigningError {}

/// Decimal digits only (no sign, no spaces); leading zeros are allowed, and at most 19
/// significant digits so the value fits.
pub(crate) fn parse_millis(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = text.trim_start_matches('0');
    if significant.len() > 19 {
        return None;
    }
    if significant.is_empty() { Some(0) } else { significant.parse().ok() }
}

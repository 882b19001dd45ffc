//! Why a client request failed: one error for both APIs' clients, with the cause behind it.

use core::fmt;

use signet_core::turbine::AuthError;
use signet_core::turbine::order::OrderError;

/// A signer's own failure (a device that refused, a link that broke), kept as it came.
pub type SignerError = Box<dyn core::error::Error + Send + Sync>;

/// Why a client request failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The request did not complete (connection, timeout, TLS).
    Transport(ureq::Error),
    /// The server refused the bearer token with a documented reason.
    Auth(AuthError),
    /// The wallet already has an API key (409); its id.
    AlreadyRegistered {
        /// The existing key's id.
        api_key_id: String,
    },
    /// The wallet has had a key: the server takes only the timestamped registration message
    /// now (403).
    RegisteredBefore,
    /// Bitzoom refused with its code.
    Bitzoom {
        /// -1002, -1022, -1021, -1003, 401, 403, …
        code: i64,
        /// Its message.
        msg: String,
    },
    /// Any other non-success status.
    Status {
        /// The HTTP status.
        status: u16,
        /// The answer's body.
        body: String,
    },
    /// The answer is not JSON of the shape the API documents.
    Json(serde_json::Error),
    /// The answer is JSON, but not what the API documents (a field missing or malformed).
    InvalidResponse(String),
    /// The order is outside the SDK's ranges (caught before anything is signed or sent).
    Order(OrderError),
    /// The order signer (a signing device, say) failed or refused.
    Signing(SignerError),
    /// The client was not given what the call needs (an API key for a signed request, say).
    NotConfigured(&'static str),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Transport(e) => write!(f, "request failed: {e}"),
            ClientError::Auth(e) => write!(f, "refused: {e}"),
            ClientError::AlreadyRegistered { api_key_id } => {
                write!(f, "this wallet already has an API key ({api_key_id})")
            }
            ClientError::RegisteredBefore => f.write_str(
                "this wallet has registered before: the server needs the timestamped registration message",
            ),
            ClientError::Bitzoom { code, msg } => write!(f, "Bitzoom error {code}: {msg}"),
            ClientError::Status { status, body } => write!(f, "HTTP {status}: {body}"),
            ClientError::Json(e) => write!(f, "unexpected answer: {e}"),
            ClientError::InvalidResponse(e) => write!(f, "unexpected answer: {e}"),
            ClientError::Order(e) => write!(f, "invalid order: {e}"),
            ClientError::Signing(e) => write!(f, "order signing failed: {e}"),
            ClientError::NotConfigured(what) => write!(f, "not configured: {what}"),
        }
    }
}

impl core::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            ClientError::Transport(e) => Some(e),
            ClientError::Auth(e) => Some(e),
            ClientError::Json(e) => Some(e),
            ClientError::Order(e) => Some(e),
            ClientError::Signing(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

impl From<ureq::Error> for ClientError {
    fn from(e: ureq::Error) -> Self {
        ClientError::Transport(e)
    }
}

impl From<serde_json::Error> for ClientError {
    fn from(e: serde_json::Error) -> Self {
        ClientError::Json(e)
    }
}

//! What both APIs' clients share: a blocking HTTP agent (ureq) and the client error type.

use core::fmt;
use core::time::Duration;

use serde_json::Value;
use signet_core::turbine::AuthError;

/// Why a client request failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The request did not complete (connection, timeout, TLS).
    Transport(String),
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
        /// -1002, -1022 or 401.
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
    /// The answer is not the JSON the API documents.
    InvalidResponse(String),
    /// The order is outside the SDK's ranges (caught before anything is signed or sent).
    Order(signet_core::turbine::order::OrderError),
    /// The order signer (a signing device, say) failed or refused.
    Signing(String),
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
            ClientError::InvalidResponse(e) => write!(f, "unexpected answer: {e}"),
            ClientError::Order(e) => write!(f, "invalid order: {e}"),
            ClientError::Signing(e) => write!(f, "order signing failed: {e}"),
        }
    }
}

impl core::error::Error for ClientError {}

/// A status and body, whatever the status.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Result<Value, ClientError> {
        serde_json::from_str(&self.body).map_err(|e| ClientError::InvalidResponse(e.to_string()))
    }
}

/// Shared HTTP plumbing: a base URL and an agent that reports every status as an answer.
#[derive(Clone, Debug)]
pub(crate) struct Http {
    base: String,
    agent: ureq::Agent,
}

impl Http {
    pub(crate) fn new(base_url: &str, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Http { base: base_url.trim_end_matches('/').to_owned(), agent }
    }

    pub(crate) fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Answer, ClientError> {
        let url = format!("{}{path}", self.base);
        let transport = |e: ureq::Error| ClientError::Transport(e.to_string());
        let mut response = match (method, body) {
            ("GET" | "DELETE", _) => {
                let mut request =
                    if method == "GET" { self.agent.get(&url) } else { self.agent.delete(&url) };
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.call().map_err(transport)?
            }
            (_, body) => {
                let mut request = self.agent.post(&url).header("Content-Type", "application/json");
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.send(body.unwrap_or_default()).map_err(transport)?
            }
        };
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().map_err(transport)?;
        Ok(Answer { status, body })
    }
}

//! What both APIs' clients share: a blocking HTTP agent (ureq) that reports every status as an
//! answer.

use core::time::Duration;

use serde_json::Value;

use crate::error::ClientError;

/// A status and body, whatever the status.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Result<Value, ClientError> {
        Ok(serde_json::from_str(&self.body)?)
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
        let mut response = match (method, body) {
            ("GET" | "DELETE", _) => {
                let mut request =
                    if method == "GET" { self.agent.get(&url) } else { self.agent.delete(&url) };
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.call()?
            }
            (_, body) => {
                let mut request = self.agent.post(&url).header("Content-Type", "application/json");
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.send(body.unwrap_or_default())?
            }
        };
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string()?;
        Ok(Answer { status, body })
    }
}

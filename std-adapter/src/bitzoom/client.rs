//! The Bitzoom API client (ureq, blocking): test tokens, bearer requests that refresh the
//! token, and HMAC-signed requests.

use core::time::Duration;
use std::sync::Mutex;

use serde_json::Value;
use signet_core::bitzoom::jwt::read_expiry_unverified;
use signet_core::bitzoom::request_signing::SignedRequest;
use signet_core::{Clock, HmacKey, UnixTime};

use crate::credentials::Secret;
use crate::error::ClientError;
use crate::http::{Answer, Http};
use crate::platform::{SystemClock, os_rng};

/// A Bitzoom API client: test tokens, bearer requests that refresh the token, and
/// HMAC-signed requests.
#[derive(Debug)]
pub struct BitzoomClient {
    http: Http,
    user_id: Option<String>,
    token: Mutex<Option<Secret>>,
    hmac: Option<(String, HmacKey)>,
    refresh_margin_secs: i64,
}

impl BitzoomClient {
    /// A client for `base_url` with a 30 s timeout.
    #[must_use]
    pub fn new(base_url: &str) -> Self {
        BitzoomClient {
            http: Http::new(base_url, Duration::from_secs(30)),
            user_id: None,
            token: Mutex::new(None),
            hmac: None,
            refresh_margin_secs: 60,
        }
    }

    /// Uses `token` until it expires (e.g. `BITZOOM_API_TOKEN`).
    #[must_use]
    pub fn with_token(self, token: Secret) -> Self {
        *self.token.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(token);
        self
    }

    /// Fetches fresh test tokens for `user_id` when the token is missing, about to expire, or
    /// refused.
    #[must_use]
    pub fn with_test_user(mut self, user_id: &str) -> Self {
        self.user_id = Some(user_id.to_owned());
        self
    }

    /// Signs requests with an HMAC API key and secret (`BITZOOM_API_KEY`, `BITZOOM_API_SECRET`).
    #[must_use]
    pub fn with_api_key(mut self, api_key: &str, secret: &Secret) -> Self {
        self.hmac = Some((api_key.to_owned(), HmacKey::new(secret.expose().as_bytes())));
        self
    }

    /// Refreshes this many seconds before `exp` (default 60).
    #[must_use]
    pub fn with_refresh_margin_secs(mut self, secs: i64) -> Self {
        self.refresh_margin_secs = secs;
        self
    }

    /// `GET /api/servermanage/testtoken?userid=ID`: a new test token.
    ///
    /// # Errors
    /// [`ClientError`] if the request fails or the answer has no token.
    pub fn fetch_test_token(&self, user_id: &str) -> Result<Secret, ClientError> {
        let answer =
            self.http.send("GET", &format!("/api/servermanage/testtoken?userid={user_id}"), &[], None)?;
        let value = Self::expect_ok(&answer)?;
        let token = value
            .pointer("/data/token")
            .or_else(|| value.get("token"))
            .or_else(|| value.get("data"))
            .and_then(Value::as_str)
            .ok_or_else(|| ClientError::InvalidResponse("no token in the answer".into()))?;
        Ok(Secret::new(token.to_owned()))
    }

    fn expect_ok(answer: &Answer) -> Result<Value, ClientError> {
        if answer.status == 401 && answer.body.trim().is_empty() {
            // Bitzoom's framework answers a failed JWT with a bare 401.
            return Err(ClientError::Bitzoom { code: 401, msg: "Unauthorized".into() });
        }
        let value = answer
            .json()
            .map_err(|_| ClientError::Status { status: answer.status, body: answer.body.clone() })?;
        match envelope_error(&value) {
            Some((code, msg)) => Err(ClientError::Bitzoom { code, msg }),
            None if !(200..300).contains(&answer.status) => {
                Err(ClientError::Status { status: answer.status, body: answer.body.clone() })
            }
            None => Ok(value),
        }
    }

    /// The token to use now, fetching a new test token if there is none or it expires within
    /// the margin.
    fn current_token(&self, force_refresh: bool) -> Result<Secret, ClientError> {
        let mut slot = self.token.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let deadline = SystemClock.now().saturating_add_secs(self.refresh_margin_secs);
        let fresh = slot.as_ref().filter(|t| {
            !force_refresh && read_expiry_unverified(t.expose().as_bytes()).is_none_or(|exp| exp > deadline)
        });
        if let Some(token) = fresh {
            return Ok(token.clone());
        }
        match &self.user_id {
            Some(uid) => {
                let token = self.fetch_test_token(uid)?;
                *slot = Some(token.clone());
                Ok(token)
            }
            None => slot.clone().ok_or(ClientError::Bitzoom { code: 401, msg: "no token".into() }),
        }
    }

    /// A bearer `GET`, refreshing the token shortly before `exp` and once after a `-1002`
    /// or bare 401 answer.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn get(&self, path: &str) -> Result<Value, ClientError> {
        let call = |token: &Secret| {
            let auth = format!("Bearer {}", token.expose());
            self.http.send("GET", path, &[("Authorization", &auth)], None).and_then(|a| Self::expect_ok(&a))
        };
        match call(&self.current_token(false)?) {
            Err(ClientError::Bitzoom { code: -1002 | 401, .. }) if self.user_id.is_some() => {
                call(&self.current_token(true)?)
            }
            other => other,
        }
    }

    /// `GET /api/v1/balance` with the bearer token.
    ///
    /// # Errors
    /// As [`BitzoomClient::get`].
    pub fn balance(&self) -> Result<Value, ClientError> {
        self.get("/api/v1/balance")
    }

    /// An HMAC-signed `GET` of `path` with `query` (raw, without `?`).
    ///
    /// # Errors
    /// As [`BitzoomClient::signed_request`].
    pub fn signed_get(&self, path: &str, query: &str) -> Result<Value, ClientError> {
        self.signed_request("GET", path, query, b"")
    }

    /// An HMAC-signed request: a fresh nonce, the current time, the default receive window,
    /// and the exact `body` bytes signed and sent (as JSON for `POST`).
    ///
    /// # Errors
    /// [`ClientError`]; a client without an API key gets [`ClientError::NotConfigured`], a
    /// request that cannot be signed (a line break in a field) [`ClientError::Signing`].
    pub fn signed_request(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Result<Value, ClientError> {
        let (api_key, key) =
            self.hmac.as_ref().ok_or(ClientError::NotConfigured("an HMAC API key (with_api_key)"))?;
        let timestamp = SystemClock.now_ms().to_string();
        let nonce = signet_core::turbine::Nonce::generate(&mut os_rng()).to_string();
        let request = SignedRequest {
            timestamp: &timestamp,
            nonce: &nonce,
            recv_window: "",
            method,
            path,
            query,
            body,
        };
        let signature = request.sign(key).map_err(|e| ClientError::Signing(Box::new(e)))?.to_hex();
        let target = if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") };
        let headers = [
            ("X-BZ-APIKEY", api_key.as_str()),
            ("X-BZ-TIMESTAMP", timestamp.as_str()),
            ("X-BZ-NONCE", nonce.as_str()),
            ("X-BZ-SIGNATURE", signature.as_str()),
        ];
        let method = method.to_ascii_uppercase();
        let body = (method != "GET" && method != "DELETE").then_some(body);
        Self::expect_ok(&self.http.send(&method, &target, &headers, body)?)
    }
}

/// The failure an answer reports in either of Bitzoom's envelopes, `{code, msg}` (errors.md) or
/// `{errorCode, errorMessage, success, …}` (the OpenAPI answers): `success: false` or a code
/// other than 0 and 200. `-1000` (unknown error) when it fails without a code.
fn envelope_error(value: &Value) -> Option<(i64, String)> {
    let code = ["code", "errorCode"]
        .iter()
        .find_map(|name| value.get(name).and_then(Value::as_i64).filter(|c| *c != 0 && *c != 200));
    let failed = value.get("success").and_then(Value::as_bool) == Some(false);
    if code.is_none() && !failed {
        return None;
    }
    let msg = ["errorMessage", "msg"]
        .iter()
        .find_map(|name| value.get(name).and_then(Value::as_str).filter(|m| !m.is_empty()))
        .unwrap_or_default();
    Some((code.unwrap_or(-1000), msg.to_owned()))
}

/// Seconds left before a token's (unverified) expiry, for display.
#[must_use]
pub fn token_expires_in(token: &Secret) -> Option<i64> {
    read_expiry_unverified(token.expose().as_bytes())
        .map(|exp: UnixTime| exp.saturating_secs_since(SystemClock.now()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_envelopes_report_failure() {
        let ok = [
            json!({"code": 0, "msg": "success", "data": {}}),
            json!({"traceid": "t", "errorCode": 200, "errorMessage": "", "success": true, "data": null}),
            json!({"data": 1}),
        ];
        for value in ok {
            assert_eq!(envelope_error(&value), None, "{value}");
        }
        let failed = [
            (json!({"code": -1022, "msg": "Invalid signature"}), (-1022, "Invalid signature")),
            (
                json!({"errorCode": -1021, "errorMessage": "Timestamp outside recv window", "success": false}),
                (-1021, "Timestamp outside recv window"),
            ),
            (
                json!({"errorCode": 200, "errorMessage": "no such order", "success": false}),
                (-1000, "no such order"),
            ),
            (json!({"success": false, "msg": "Forbidden"}), (-1000, "Forbidden")),
            (json!({"errorCode": -1003, "success": true}), (-1003, "")),
        ];
        for (value, (code, msg)) in failed {
            assert_eq!(envelope_error(&value), Some((code, msg.to_owned())), "{value}");
        }
    }
}

//! HTTP clients (ureq, blocking) for Turbine and Bitzoom.

use core::fmt;
use core::time::Duration;
use std::sync::Mutex;

use serde_json::{Value, json};
use signet_core::eth::WalletKey;
use signet_core::jwt::read_expiry_unverified;
use signet_core::request_signing::SignedRequest;
use signet_core::{
    ApiSecret, AuthError, Claims, Clock, HmacKey, KeyId, MAX_TOKEN_LEN, RegistrationRequest, UnixTime, mint,
};

use crate::{Secret, SystemClock, TurbineApiKey, os_rng};

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
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Transport(e) => write!(f, "request failed: {e}"),
            ClientError::Auth(e) => write!(f, "refused: {e}"),
            ClientError::AlreadyRegistered { api_key_id } => {
                write!(f, "this wallet already has an API key ({api_key_id})")
            }
            ClientError::Bitzoom { code, msg } => write!(f, "Bitzoom error {code}: {msg}"),
            ClientError::Status { status, body } => write!(f, "HTTP {status}: {body}"),
            ClientError::InvalidResponse(e) => write!(f, "unexpected answer: {e}"),
        }
    }
}

impl core::error::Error for ClientError {}

/// A status and body, whatever the status.
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn json(&self) -> Result<Value, ClientError> {
        serde_json::from_str(&self.body).map_err(|e| ClientError::InvalidResponse(e.to_string()))
    }
}

/// Shared HTTP plumbing: a base URL and an agent that reports every status as an answer.
#[derive(Clone, Debug)]
struct Http {
    base: String,
    agent: ureq::Agent,
}

impl Http {
    fn new(base_url: &str, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Http { base: base_url.trim_end_matches('/').to_owned(), agent }
    }

    fn send(
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

/// A Turbine API client: public market data, key registration, and authenticated writes
/// with a fresh token per request. Writes are never retried.
#[derive(Clone, Debug)]
pub struct TurbineClient {
    http: Http,
}

impl TurbineClient {
    /// A client for `base_url` (e.g. `https://api.turbinefi.com`) with a 30 s timeout.
    #[must_use]
    pub fn new(base_url: &str) -> Self {
        Self::with_timeout(base_url, Duration::from_secs(30))
    }

    /// A client with an explicit timeout for whole requests.
    #[must_use]
    pub fn with_timeout(base_url: &str, timeout: Duration) -> Self {
        TurbineClient { http: Http::new(base_url, timeout) }
    }

    fn expect_ok(answer: &Answer) -> Result<Value, ClientError> {
        match answer.status {
            200..=299 => answer.json(),
            401 => {
                let text = answer
                    .json()
                    .ok()
                    .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned));
                match text.as_deref().and_then(AuthError::from_text) {
                    Some(e) => Err(ClientError::Auth(e)),
                    None => Err(ClientError::Status { status: 401, body: answer.body.clone() }),
                }
            }
            status => Err(ClientError::Status { status, body: answer.body.clone() }),
        }
    }

    /// `GET` a public endpoint (`/api/v1/markets`, `/api/v1/orderbook/{marketId}`, …).
    ///
    /// # Errors
    /// [`ClientError`] for a failed request or a non-success answer.
    pub fn get_public(&self, path: &str) -> Result<Value, ClientError> {
        Self::expect_ok(&self.http.send("GET", path, &[], None)?)
    }

    /// `GET /api/v1/markets`.
    ///
    /// # Errors
    /// As [`TurbineClient::get_public`].
    pub fn markets(&self) -> Result<Value, ClientError> {
        self.get_public("/api/v1/markets")
    }

    /// `GET /api/v1/orderbook/{market_id}`.
    ///
    /// # Errors
    /// As [`TurbineClient::get_public`].
    pub fn orderbook(&self, market_id: &str) -> Result<Value, ClientError> {
        self.get_public(&format!("/api/v1/orderbook/{market_id}"))
    }

    /// `GET /api/v1/trades/{market_id}`.
    ///
    /// # Errors
    /// As [`TurbineClient::get_public`].
    pub fn trades(&self, market_id: &str) -> Result<Value, ClientError> {
        self.get_public(&format!("/api/v1/trades/{market_id}"))
    }

    /// `GET /api/v1/stats/{market_id}`.
    ///
    /// # Errors
    /// As [`TurbineClient::get_public`].
    pub fn stats(&self, market_id: &str) -> Result<Value, ClientError> {
        self.get_public(&format!("/api/v1/stats/{market_id}"))
    }

    /// `GET /api/v1/platform/stats`.
    ///
    /// # Errors
    /// As [`TurbineClient::get_public`].
    pub fn platform_stats(&self) -> Result<Value, ClientError> {
        self.get_public("/api/v1/platform/stats")
    }

    /// `GET /api/v1/quick-markets/{asset}`.
    ///
    /// # Errors
    /// As [`TurbineClient::get_public`].
    pub fn quick_markets(&self, asset: &str) -> Result<Value, ClientError> {
        self.get_public(&format!("/api/v1/quick-markets/{asset}"))
    }

    /// `GET /api/v1/resolution/{market_id}`.
    ///
    /// # Errors
    /// As [`TurbineClient::get_public`].
    pub fn resolution(&self, market_id: &str) -> Result<Value, ClientError> {
        self.get_public(&format!("/api/v1/resolution/{market_id}"))
    }

    /// Registers an API key by signing the registration message with `wallet`.
    ///
    /// # Errors
    /// [`ClientError::AlreadyRegistered`] with the existing id on 409, else [`ClientError`].
    pub fn register_api_key(
        &self,
        wallet: &WalletKey,
        name: Option<&str>,
    ) -> Result<TurbineApiKey, ClientError> {
        self.register_signed(&wallet.sign_registration(), name)
    }

    /// Registers an API key with a registration message signed elsewhere (by a signing device,
    /// say).
    ///
    /// # Errors
    /// As [`TurbineClient::register_api_key`].
    pub fn register_signed(
        &self,
        request: &RegistrationRequest,
        name: Option<&str>,
    ) -> Result<TurbineApiKey, ClientError> {
        let body = json!({
            "address": request.address.to_string(),
            "signature": request.signature.to_hex().as_str(),
            "name": name,
        });
        let answer = self.http.send("POST", "/api/v1/api-keys", &[], Some(body.to_string().as_bytes()))?;
        if answer.status == 409 {
            let id = answer.json()?.get("api_key_id").and_then(Value::as_str).unwrap_or_default().to_owned();
            return Err(ClientError::AlreadyRegistered { api_key_id: id });
        }
        let value = Self::expect_ok(&answer)?;
        let field = |name: &str| {
            value
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| ClientError::InvalidResponse(format!("no {name}")))
        };
        let secret = Secret::new(field("api_private_key")?.to_owned());
        Ok(TurbineApiKey {
            key_id: KeyId::new(field("api_key_id")?)
                .map_err(|e| ClientError::InvalidResponse(e.to_string()))?,
            secret: ApiSecret::from_hex(secret.expose())
                .map_err(|e| ClientError::InvalidResponse(e.to_string()))?,
        })
    }

    /// A fresh `Bearer` header value for `key`, minted now.
    #[must_use]
    pub fn bearer(key: &TurbineApiKey) -> String {
        let claims = Claims::generate(key.key_id.clone(), SystemClock.now(), &mut os_rng());
        let mut buf = [0u8; MAX_TOKEN_LEN];
        // A KeyId-bounded payload always fits MAX_TOKEN_LEN, and the dalek signer cannot fail.
        let token = mint(&key.secret.signing_key(), &claims, &mut buf).unwrap_or_default();
        format!("Bearer {token}")
    }

    /// `POST /api/v1/orders` with a fresh token.
    ///
    /// # Errors
    /// [`ClientError::Auth`] with the documented reason on 401, else [`ClientError`].
    pub fn create_order(&self, key: &TurbineApiKey, order: &Value) -> Result<Value, ClientError> {
        let auth = Self::bearer(key);
        let body = order.to_string();
        Self::expect_ok(&self.http.send(
            "POST",
            "/api/v1/orders",
            &[("Authorization", &auth)],
            Some(body.as_bytes()),
        )?)
    }

    /// `DELETE /api/v1/orders/{id}` with a fresh token.
    ///
    /// # Errors
    /// As [`TurbineClient::create_order`].
    pub fn cancel_order(&self, key: &TurbineApiKey, id: &str) -> Result<Value, ClientError> {
        let auth = Self::bearer(key);
        Self::expect_ok(&self.http.send(
            "DELETE",
            &format!("/api/v1/orders/{id}"),
            &[("Authorization", &auth)],
            None,
        )?)
    }

    /// Sends a request with an `Authorization` header of the caller's choosing (for tests and
    /// tools that present a given token), returning the status and body.
    ///
    /// # Errors
    /// [`ClientError::Transport`].
    pub fn send_raw(
        &self,
        method: &str,
        path: &str,
        authorization: Option<&str>,
    ) -> Result<(u16, String), ClientError> {
        let headers: Vec<(&str, &str)> = authorization.map(|a| ("Authorization", a)).into_iter().collect();
        let body = (method == "POST").then_some(&b"{}"[..]);
        self.http.send(method, path, &headers, body).map(|a| (a.status, a.body))
    }
}

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
        match value.get("code").and_then(Value::as_i64) {
            Some(code) if code != 0 && code != 200 => Err(ClientError::Bitzoom {
                code,
                msg: value.get("msg").and_then(Value::as_str).unwrap_or_default().to_owned(),
            }),
            _ if !(200..300).contains(&answer.status) => {
                Err(ClientError::Status { status: answer.status, body: answer.body.clone() })
            }
            _ => Ok(value),
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
    /// [`ClientError`]; a client without an API key gets [`ClientError::InvalidResponse`].
    pub fn signed_request(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Result<Value, ClientError> {
        let (api_key, key) =
            self.hmac.as_ref().ok_or_else(|| ClientError::InvalidResponse("no API key configured".into()))?;
        let timestamp = SystemClock.now_ms().to_string();
        let nonce = signet_core::Nonce::generate(&mut os_rng()).to_string();
        let request = SignedRequest {
            timestamp: &timestamp,
            nonce: &nonce,
            recv_window: "",
            method,
            path,
            query,
            body,
        };
        let signature = request.sign(key).map_err(|e| ClientError::InvalidResponse(e.to_string()))?.to_hex();
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

/// Seconds left before a token's (unverified) expiry, for display.
#[must_use]
pub fn token_expires_in(token: &Secret) -> Option<i64> {
    read_expiry_unverified(token.expose().as_bytes())
        .map(|exp: UnixTime| exp.saturating_secs_since(SystemClock.now()))
}

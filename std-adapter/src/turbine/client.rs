//! The Turbine API client (ureq, blocking): public market data, key registration, and
//! authenticated writes with a fresh token per request.

use core::time::Duration;

use serde_json::{Value, json};
use signet_core::eth::WalletKey;
use signet_core::turbine::order::DEFAULT_CHAIN_ID;
use signet_core::turbine::{ApiSecret, AuthError, Claims, KeyId, MAX_TOKEN_LEN, RegistrationRequest, mint};
use signet_core::{Clock, UnixTime};

use crate::credentials::{Secret, TurbineApiKey};
use crate::error::ClientError;
use crate::http::{Answer, Http};
use crate::platform::{SystemClock, os_rng};

/// A Turbine API client: public market data, key registration, and authenticated writes
/// with a fresh token per request. Writes are never retried.
#[derive(Clone, Debug)]
pub struct TurbineClient {
    pub(crate) http: Http,
    pub(crate) chain_id: u64,
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
        TurbineClient { http: Http::new(base_url, timeout), chain_id: DEFAULT_CHAIN_ID }
    }

    /// The chain orders are signed for (default 137, Polygon, as `signet serve`).
    #[must_use]
    pub fn with_chain_id(mut self, chain_id: u64) -> Self {
        self.chain_id = chain_id;
        self
    }

    /// The chain orders are signed for.
    #[must_use]
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    fn expect_ok(answer: &Answer) -> Result<Value, ClientError> {
        Self::expect(answer)
    }

    /// A success answer read as `T` (typed, so sizes past 2^64 stay exact), or the refusal.
    pub(crate) fn expect<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T, ClientError> {
        match answer.status {
            200..=299 => Ok(serde_json::from_str(&answer.body)?),
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

    /// Registers an API key by signing the registration message with `wallet`: the
    /// documented one first, and the timestamped one if the server says the wallet has
    /// registered before (after a revocation, say).
    ///
    /// # Errors
    /// [`ClientError::AlreadyRegistered`] with the existing id on 409, else [`ClientError`].
    pub fn register_api_key(
        &self,
        wallet: &WalletKey,
        name: Option<&str>,
    ) -> Result<TurbineApiKey, ClientError> {
        match self.register_signed(&wallet.sign_registration(), name) {
            Err(ClientError::RegisteredBefore) => {
                let now = SystemClock.now();
                self.register_timestamped(&wallet.sign_reregistration(now), now, name)
            }
            other => other,
        }
    }

    /// Registers with a timestamped registration message signed elsewhere at `timestamp`.
    ///
    /// # Errors
    /// As [`TurbineClient::register_api_key`].
    pub fn register_timestamped(
        &self,
        request: &RegistrationRequest,
        timestamp: UnixTime,
        name: Option<&str>,
    ) -> Result<TurbineApiKey, ClientError> {
        self.post_registration(request, Some(timestamp), name)
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
        self.post_registration(request, None, name)
    }

    fn post_registration(
        &self,
        request: &RegistrationRequest,
        timestamp: Option<UnixTime>,
        name: Option<&str>,
    ) -> Result<TurbineApiKey, ClientError> {
        let body = json!({
            "address": request.address.to_string(),
            "signature": request.signature.to_hex().as_str(),
            "name": name,
            "timestamp": timestamp.map(|t| t.0),
        });
        let answer = self.http.send("POST", "/api/v1/api-keys", &[], Some(body.to_string().as_bytes()))?;
        if answer.status == 409 {
            let id = answer.json()?.get("api_key_id").and_then(Value::as_str).unwrap_or_default().to_owned();
            return Err(ClientError::AlreadyRegistered { api_key_id: id });
        }
        if answer.status == 403 && timestamp.is_none() {
            return Err(ClientError::RegisteredBefore);
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
                .map_err(|e| ClientError::InvalidResponse(format!("api_key_id: {e}")))?,
            secret: ApiSecret::from_hex(secret.expose())
                .map_err(|_| ClientError::InvalidResponse("api_private_key is not an Ed25519 key".into()))?,
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

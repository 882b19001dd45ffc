//! The current SDK's other calls from a Rust client: USDC permits (for an order, or posted to
//! the relayer), conditional-token approvals and redemptions, signed by any
//! [`MessageSigner`] (a wallet in software, or a signing device that shows each one), and the
//! nonces they need.

use serde::Deserialize;
use serde_json::Value;
use signet_core::eth::{Address, EthSignature, U256};
use signet_core::turbine::order::{MAX_ORDER_SUBMISSION_LEN, OrderSigner, OrderSubmission};
use signet_core::turbine::permit::{
    BotMetadata, ChainContracts, CtfApproval, IndexSets, MAX_RELAYER_BODY_LEN, MessageSigner, OrderPermit,
    RelayerBatch, RelayerBody, TypedMessage, UsdcPermit,
};
use signet_core::{Clock, UnixTime};

use crate::credentials::TurbineApiKey;
use crate::error::{ClientError, SignerError};
use crate::platform::SystemClock;
use crate::turbine::api::OrderAccepted;
use crate::turbine::client::TurbineClient;
use crate::turbine::orders::{NewOrder, PostedOrder};

/// How long a permit, approval or redemption lives when its caller names no deadline (the SDK's
/// default, 1 hour).
pub const DEFAULT_MESSAGE_LIFETIME_SECS: u64 = 3600;

/// What the relayer answered.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct RelayerAnswer {
    /// `true`.
    pub success: bool,
    /// `accepted` from `signet serve` (it submits nothing to a chain).
    #[serde(default)]
    pub status: Option<String>,
    /// The transaction, from a relayer that sent one.
    #[serde(rename = "txHash", default)]
    pub tx_hash: Option<String>,
    /// What was accepted (a single message).
    #[serde(default)]
    pub message: Option<Value>,
    /// What was accepted (a batch).
    #[serde(default)]
    pub messages: Option<Vec<Value>>,
}

/// Who authorizes a relayer post: asked once the message is signed, since a token minted before
/// a device's presses could be past its window by the time it is posted.
pub trait RelayerAuth<S> {
    /// The `Authorization` header's value (`Bearer <token>`).
    ///
    /// # Errors
    /// Why no token could be made.
    fn authorization(&mut self, signer: &mut S) -> Result<String, ClientError>;
}

/// An API key in this process: a fresh token per post.
impl<S> RelayerAuth<S> for &TurbineApiKey {
    fn authorization(&mut self, _: &mut S) -> Result<String, ClientError> {
        Ok(TurbineClient::bearer(self))
    }
}

/// A deadline `secs` from now, as a `uint256`.
fn from_now(secs: u64) -> U256 {
    let now = u64::try_from(SystemClock.now().0).unwrap_or(0);
    U256::from_u128(u128::from(now.saturating_add(secs)))
}

impl TurbineClient {
    fn chain(&self) -> Result<&'static ChainContracts, ClientError> {
        ChainContracts::of(self.chain_id)
            .ok_or(ClientError::NotConfigured("a chain with known USDC and CTF contracts"))
    }

    /// `GET /api/v1/contracts/nonce/{contract}/{owner}?chain_id=`: `owner`'s next permit nonce
    /// at `contract` (USDC, or the conditional tokens).
    ///
    /// # Errors
    /// The server's refusal, or an answer without a nonce.
    pub fn contract_nonce(&self, contract: &Address, owner: &Address) -> Result<U256, ClientError> {
        let path = format!("/api/v1/contracts/nonce/{contract}/{owner}?chain_id={}", self.chain_id);
        let answer: Value = Self::expect(&self.http.send("GET", &path, &[], None)?)?;
        let nonce = match answer.get("nonce") {
            Some(Value::Number(n)) => n.as_u64().map(|n| U256::from_u128(n.into())),
            Some(Value::String(text)) => U256::parse_decimal(text.as_bytes()),
            _ => None,
        };
        nonce.ok_or_else(|| ClientError::InvalidResponse(format!("no nonce in {answer}")))
    }

    fn signed<S>(&self, signer: &mut S, message: &TypedMessage) -> Result<EthSignature, ClientError>
    where
        S: MessageSigner,
        S::Error: Into<SignerError>,
    {
        signer.sign_message(self.chain()?, message).map_err(|e| ClientError::Signing(e.into()))
    }

    fn owner<S>(signer: &mut S) -> Result<Address, ClientError>
    where
        S: MessageSigner,
        S::Error: Into<SignerError>,
    {
        signer.owner().map_err(|e| ClientError::Signing(e.into()))
    }

    /// The SDK's `sign_usdc_permit(value, deadline=None)`: a permit for the chain's settlement
    /// contract to spend `value` of the signer's USDC until `deadline` (default an hour), with
    /// the owner's next nonce, to attach to an order.
    ///
    /// # Errors
    /// The nonce's request, or the signer's refusal.
    pub fn sign_usdc_permit<S>(
        &self,
        signer: &mut S,
        value: U256,
        deadline: Option<U256>,
    ) -> Result<OrderPermit, ClientError>
    where
        S: MessageSigner,
        S::Error: Into<SignerError>,
    {
        let chain = self.chain()?;
        let owner = Self::owner(signer)?;
        let nonce = self.contract_nonce(&chain.usdc, &owner)?;
        let deadline = deadline.unwrap_or_else(|| from_now(DEFAULT_MESSAGE_LIFETIME_SECS));
        let permit = UsdcPermit { owner, spender: chain.settlement, value, nonce, deadline };
        let signature = self.signed(signer, &TypedMessage::Permit(permit))?;
        Ok(OrderPermit { nonce, value, deadline, signature })
    }

    /// [`TurbineClient::create_order`] with the current SDK's extras: a permit and Bot Studio
    /// metadata posted beside the order.
    ///
    /// # Errors
    /// As [`TurbineClient::create_order`].
    pub fn create_order_with_extras<S>(
        &self,
        key: &TurbineApiKey,
        signer: &mut S,
        new: &NewOrder,
        permit: Option<OrderPermit>,
        bot: Option<BotMetadata>,
    ) -> Result<PostedOrder, ClientError>
    where
        S: OrderSigner,
        S::Error: Into<SignerError>,
    {
        let signing = |e: S::Error| ClientError::Signing(e.into());
        let order = new.build(signer.trader().map_err(signing)?, SystemClock.now())?;
        let domain = self.order_domain(&new.market_id)?;
        let signed = signer.sign_order(order, &domain).map_err(signing)?;
        let submission = OrderSubmission { signed, permit, bot };
        let mut buf = [0u8; MAX_ORDER_SUBMISSION_LEN];
        let body = submission.write_body(&mut buf).map_err(ClientError::Order)?;
        let accepted: OrderAccepted = Self::expect(&self.http.send(
            "POST",
            "/api/v1/orders",
            &[("Authorization", &Self::bearer(key))],
            Some(body.as_bytes()),
        )?)?;
        Ok(PostedOrder { signed, accepted })
    }

    /// Posts a signed relayer body to `/api/v1/relayer/{kind}` with `authorization` (a token
    /// a device minted, say).
    ///
    /// # Errors
    /// The server's refusal.
    pub fn post_relayer_with(
        &self,
        authorization: &str,
        body: &RelayerBody,
    ) -> Result<RelayerAnswer, ClientError> {
        let mut buf = [0u8; MAX_RELAYER_BODY_LEN];
        let text = body.write(&mut buf).map_err(|e| ClientError::InvalidResponse(e.to_string()))?;
        let path = format!("/api/v1/relayer/{}", body.message.kind().as_str());
        Self::expect(&self.http.send(
            "POST",
            &path,
            &[("Authorization", authorization)],
            Some(text.as_bytes()),
        )?)
    }

    /// Signs `message` and posts it to its relayer endpoint, authorized by `auth`.
    fn relay<S, A: RelayerAuth<S>>(
        &self,
        mut auth: A,
        signer: &mut S,
        message: TypedMessage,
        market: Option<Address>,
    ) -> Result<RelayerAnswer, ClientError>
    where
        S: MessageSigner,
        S::Error: Into<SignerError>,
    {
        let signature = self.signed(signer, &message)?;
        let body =
            RelayerBody { market_address: market, ..RelayerBody::new(self.chain_id, message, signature) };
        self.post_relayer_with(&auth.authorization(signer)?, &body)
    }

    /// The SDK's `approve_usdc(amount)` (`value`, `deadline` default an hour) and
    /// `approve_usdc_for_settlement()` (both 2^256 − 1): a USDC permit for the settlement
    /// contract, posted to `/api/v1/relayer/usdc-permit`.
    ///
    /// # Errors
    /// The nonce's request, the signer's refusal, or the server's.
    pub fn approve_usdc<S, A: RelayerAuth<S>>(
        &self,
        auth: A,
        signer: &mut S,
        value: U256,
        deadline: Option<U256>,
    ) -> Result<RelayerAnswer, ClientError>
    where
        S: MessageSigner,
        S::Error: Into<SignerError>,
    {
        let chain = self.chain()?;
        let owner = Self::owner(signer)?;
        let nonce = self.contract_nonce(&chain.usdc, &owner)?;
        let deadline = deadline.unwrap_or_else(|| from_now(DEFAULT_MESSAGE_LIFETIME_SECS));
        let permit = UsdcPermit { owner, spender: chain.settlement, value, nonce, deadline };
        self.relay(auth, signer, TypedMessage::Permit(permit), None)
    }

    /// The SDK's `approve_ctf_for_settlement()` (`approved` true; false revokes): lets the
    /// settlement contract move the signer's outcome tokens until `deadline` (default an hour),
    /// posted to `/api/v1/relayer/ctf-approval`.
    ///
    /// # Errors
    /// The nonce's request, the signer's refusal, or the server's.
    pub fn approve_ctf<S, A: RelayerAuth<S>>(
        &self,
        auth: A,
        signer: &mut S,
        approved: bool,
        deadline: Option<U256>,
    ) -> Result<RelayerAnswer, ClientError>
    where
        S: MessageSigner,
        S::Error: Into<SignerError>,
    {
        let chain = self.chain()?;
        let owner = Self::owner(signer)?;
        let nonce = self.contract_nonce(&chain.ctf, &owner)?;
        let deadline = deadline.unwrap_or_else(|| from_now(DEFAULT_MESSAGE_LIFETIME_SECS));
        let approval = CtfApproval { owner, operator: chain.settlement, approved, nonce, deadline };
        self.relay(auth, signer, TypedMessage::Approval(approval), None)
    }

    /// The SDK's `claim_winnings(market)`: redeems the signer's positions in `condition_id` for
    /// the chain's USDC (`index_sets` `[1]` for YES, `[2]` for NO), posted to
    /// `/api/v1/relayer/ctf-redemption` with the market for the relayer's records.
    ///
    /// # Errors
    /// The nonce's request, the signer's refusal, or the server's.
    pub fn redeem<S, A: RelayerAuth<S>>(
        &self,
        auth: A,
        signer: &mut S,
        condition_id: [u8; 32],
        index_sets: IndexSets,
        market: Option<Address>,
    ) -> Result<RelayerAnswer, ClientError>
    where
        S: MessageSigner,
        S::Error: Into<SignerError>,
    {
        let chain = self.chain()?;
        let owner = Self::owner(signer)?;
        let nonce = self.contract_nonce(&chain.ctf, &owner)?;
        let redemption = signet_core::turbine::permit::Redemption {
            owner,
            collateral_token: chain.usdc,
            parent_collection_id: [0; 32],
            condition_id,
            index_sets,
            nonce,
            deadline: from_now(DEFAULT_MESSAGE_LIFETIME_SECS),
        };
        self.relay(auth, signer, TypedMessage::Redemption(redemption), market)
    }

    /// The SDK's `batch_claim_winnings`: redemptions with consecutive nonces, posted together to
    /// `/api/v1/relayer/batch-ctf-redemption` (each `(condition, index sets, market)`).
    ///
    /// # Errors
    /// The nonce's request, the signer's refusal, or the server's.
    pub fn batch_redeem<S, A: RelayerAuth<S>>(
        &self,
        auth: A,
        signer: &mut S,
        claims: &[([u8; 32], IndexSets, Option<Address>)],
    ) -> Result<RelayerAnswer, ClientError>
    where
        S: MessageSigner,
        S::Error: Into<SignerError>,
    {
        let chain = self.chain()?;
        let owner = Self::owner(signer)?;
        let mut nonce = self.contract_nonce(&chain.ctf, &owner)?;
        let mut redemptions = heapless::Vec::new();
        for (condition_id, index_sets, market) in claims {
            let message = TypedMessage::Redemption(signet_core::turbine::permit::Redemption {
                owner,
                collateral_token: chain.usdc,
                parent_collection_id: [0; 32],
                condition_id: *condition_id,
                index_sets: index_sets.clone(),
                nonce,
                deadline: from_now(DEFAULT_MESSAGE_LIFETIME_SECS),
            });
            let signature = self.signed(signer, &message)?;
            let body = RelayerBody {
                market_address: *market,
                ..RelayerBody::new(self.chain_id, message, signature)
            };
            redemptions
                .push(body)
                .map_err(|_| ClientError::NotConfigured("at most 32 redemptions a batch"))?;
            nonce = nonce.checked_add_one().ok_or(ClientError::NotConfigured("a nonce below 2^256 - 1"))?;
        }
        let batch = RelayerBatch { chain_id: self.chain_id, owner, redemptions };
        let mut buf = vec![0u8; MAX_RELAYER_BODY_LEN * (claims.len() + 1)];
        let text = batch.write(&mut buf).map_err(|e| ClientError::InvalidResponse(e.to_string()))?;
        let mut auth = auth;
        let authorization = auth.authorization(signer)?;
        Self::expect(&self.http.send(
            "POST",
            "/api/v1/relayer/batch-ctf-redemption",
            &[("Authorization", &authorization)],
            Some(text.as_bytes()),
        )?)
    }

    /// `GET /api/v1/relayer/messages`: what the server accepted of `key`'s wallet, newest first.
    ///
    /// # Errors
    /// The server's refusal.
    pub fn relayed(&self, key: &TurbineApiKey) -> Result<Vec<Value>, ClientError> {
        let answer: Value = Self::expect(&self.http.send(
            "GET",
            "/api/v1/relayer/messages",
            &[("Authorization", &Self::bearer(key))],
            None,
        )?)?;
        Ok(answer.get("messages").and_then(Value::as_array).cloned().unwrap_or_default())
    }
}

/// Keeps `UnixTime` in use for deadlines given by callers in seconds.
#[must_use]
pub fn deadline_at(at: UnixTime) -> U256 {
    U256::from_u128(u128::try_from(at.0.max(0)).unwrap_or(0))
}

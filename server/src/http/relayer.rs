//! The relayer endpoints the current SDK calls (`/api/v1/relayer/usdc-permit`, `/ctf-approval`,
//! `/ctf-redemption`, `/batch-ctf-redemption`), the nonce it reads first
//! (`GET /api/v1/contracts/nonce/{contract}/{owner}`), and a listing of what was accepted.
//!
//! Each message is checked before anything is kept: its owner is the wallet of the key whose
//! token came with it (403 otherwise), its chain is this server's, its spender, operator or
//! collateral the chain's (400), its deadline not past (400), and its signature the owner's
//! over the message with the owner's next nonce at the contract (400; 409 when that exact
//! signature was accepted before). Then it is stored (the nonce used) and handed to the
//! service's [`Relayer`](crate::turbine::Relayer).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use signet_core::Clock;
use signet_core::eth::{Address, U256};
use signet_core::turbine::KeyId;
use signet_core::turbine::permit::{
    ChainContracts, MessageKind, PermitError, RelayerBatch, RelayerBody, TypedMessage,
};
use signet_std::SystemClock;

use crate::http::auth::TurbineAuth;
use crate::http::rejection::Refusal;
use crate::store::{AcceptedMessage, KeyRegistry as _, RelayerStore, RelayerStoreError};
use crate::{Registry, VerifierService};

type Service = State<Arc<VerifierService<Registry>>>;
type Answer = Result<Response, Refusal>;

fn bad(text: impl Into<String>) -> Refusal {
    Refusal(StatusCode::BAD_REQUEST, text.into())
}

impl From<RelayerStoreError> for Refusal {
    fn from(e: RelayerStoreError) -> Self {
        let status = match &e {
            RelayerStoreError::Nonce { .. } | RelayerStoreError::Duplicate => StatusCode::CONFLICT,
            RelayerStoreError::Registry(crate::store::RegistryError::Unavailable) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            RelayerStoreError::Registry(detail) => {
                tracing::warn!(error = %detail, "relayer store");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        Refusal(status, e.to_string())
    }
}

impl From<crate::store::RegistryError> for Refusal {
    fn from(e: crate::store::RegistryError) -> Self {
        RelayerStoreError::Registry(e).into()
    }
}

/// The chain this server takes messages for, and its contracts.
fn chain_of(service: &VerifierService<Registry>, chain_id: u64) -> Result<&'static ChainContracts, Refusal> {
    let own = service.order_domain().chain_id();
    if chain_id != own {
        return Err(bad(format!("chainId {chain_id} is not this server's chain ({own})")));
    }
    ChainContracts::of(own).ok_or_else(|| bad(format!("chain {own} has no known USDC and CTF contracts")))
}

/// The wallet of the key a token was made with.
async fn wallet_of(service: &VerifierService<Registry>, kid: &KeyId) -> Result<Address, Refusal> {
    let entry = service.keys().get(kid).await?;
    entry.map(|e| e.wallet).ok_or_else(|| Refusal(StatusCode::UNAUTHORIZED, "API key not found".into()))
}

/// The contract checks: whom a message lets act is the chain's own contract.
fn check_contracts(message: &TypedMessage, chain: &ChainContracts) -> Result<(), Refusal> {
    match message {
        TypedMessage::Permit(m) if m.spender != chain.settlement => {
            Err(bad(format!("spender must be the chain's settlement contract {}", chain.settlement)))
        }
        TypedMessage::Approval(m) if m.operator != chain.settlement => {
            Err(bad(format!("operator must be the chain's settlement contract {}", chain.settlement)))
        }
        TypedMessage::Redemption(m) if m.collateral_token != chain.usdc => {
            Err(bad(format!("collateralToken must be the chain's USDC {}", chain.usdc)))
        }
        _ => Ok(()),
    }
}

/// A deadline still ahead at `now`.
fn check_deadline(deadline: &U256, now: i64) -> Result<(), Refusal> {
    match deadline.to_u64() {
        Some(d) if i64::try_from(d).is_ok_and(|d| d < now) => Err(bad("deadline has passed")),
        _ => Ok(()),
    }
}

/// Everything about `message` (with its nonce) but the nonce's freshness, which the store
/// decides in its transaction.
async fn check_signed(
    service: &VerifierService<Registry>,
    chain: &ChainContracts,
    message: &TypedMessage,
    signature: &signet_core::eth::EthSignature,
) -> Result<(), Refusal> {
    if message.verify(&chain.separators(), signature).is_ok() {
        return Ok(());
    }
    // The same message posted again (its nonce since used): 409, not a bad signature. A body
    // altered around a known signature is still a bad signature.
    if let Some(before) = service.keys().relayed_signature(signature).await?
        && before.chain_id == chain.chain_id
        && before.message == message.with_nonce(before.message.nonce())
    {
        return Err(RelayerStoreError::Duplicate.into());
    }
    Err(bad(format!(
        "signature is not the owner's over this message with its next nonce {} at {}",
        message.nonce(),
        message.verifying_contract(chain)
    )))
}

/// Checks posted `bodies` (one owner's; a batch's redemptions take consecutive nonces) for the
/// caller `kid`; the messages to store.
async fn checked(
    service: &VerifierService<Registry>,
    kid: &KeyId,
    chain_id: u64,
    bodies: &[RelayerBody],
) -> Result<Vec<AcceptedMessage>, Refusal> {
    let own = wallet_of(service, kid).await?;
    let chain = chain_of(service, chain_id)?;
    let now = SystemClock.now();
    let mut accepted = Vec::with_capacity(bodies.len());
    let mut next: Option<(Address, U256)> = None;
    for body in bodies {
        if body.message.owner() != own {
            return Err(Refusal(
                StatusCode::FORBIDDEN,
                "message of another wallet than this API key's".into(),
            ));
        }
        check_contracts(&body.message, chain)?;
        check_deadline(&body.message.deadline(), now.0)?;
        let contract = body.message.verifying_contract(chain);
        let nonce = match next {
            Some((c, n)) if c == contract => n,
            _ => service.keys().next_nonce(&own, &contract).await?,
        };
        let message = body.message(nonce);
        check_signed(service, chain, &message, &body.signature).await?;
        next = nonce.checked_add_one().map(|n| (contract, n));
        accepted.push(AcceptedMessage {
            chain_id,
            message,
            signature: body.signature,
            market_address: body.market_address,
            kid: kid.clone(),
            accepted_at: now,
        });
    }
    Ok(accepted)
}

/// Stores checked messages and hands them to the relayer; the answer the SDK reads.
async fn accept(service: &VerifierService<Registry>, accepted: &[AcceptedMessage]) -> Answer {
    service.keys().accept_messages(accepted, service.max_relayed_per_owner()).await?;
    let receipt = service
        .relayer()
        .submit(accepted)
        .await
        .map_err(|e| Refusal(StatusCode::BAD_GATEWAY, e.to_string()))?;
    let mut messages: Vec<Value> = accepted.iter().map(view).collect();
    let mut answer = serde_json::Map::new();
    answer.insert("success".into(), true.into());
    answer.insert("status".into(), "accepted".into());
    answer.insert("txHash".into(), json!(receipt.tx_hash));
    answer.insert("tx_hash".into(), json!(receipt.tx_hash));
    match messages.pop() {
        Some(one) if messages.is_empty() => answer.insert("message".into(), one),
        last => answer.insert("messages".into(), Value::Array(messages.into_iter().chain(last).collect())),
    };
    Ok(Json(Value::Object(answer)).into_response())
}

/// A message as listings and answers show it.
fn view(accepted: &AcceptedMessage) -> Value {
    let digest = accepted.digest().map(|d| format!("0x{}", hex::encode(d)));
    let body: Value = accepted.body().ok().and_then(|b| serde_json::from_str(&b).ok()).unwrap_or(Value::Null);
    json!({
        "kind": accepted.message.kind().as_str(),
        "messageHash": digest,
        "nonce": accepted.message.nonce().to_string(),
        "contract": accepted.contract().map(|c| c.to_string()),
        "acceptedAt": accepted.accepted_at.0,
        "body": body,
    })
}

async fn relay(service: &VerifierService<Registry>, kid: &KeyId, kind: MessageKind, body: &[u8]) -> Answer {
    let body = RelayerBody::parse(kind, body).map_err(|e: PermitError| bad(e.to_string()))?;
    let accepted = checked(service, kid, body.chain_id, core::slice::from_ref(&body)).await?;
    accept(service, &accepted).await
}

async fn usdc_permit(State(service): Service, TurbineAuth(claims): TurbineAuth, body: Bytes) -> Answer {
    relay(&service, &claims.kid, MessageKind::Permit, &body).await
}

async fn ctf_approval(State(service): Service, TurbineAuth(claims): TurbineAuth, body: Bytes) -> Answer {
    relay(&service, &claims.kid, MessageKind::Approval, &body).await
}

async fn ctf_redemption(State(service): Service, TurbineAuth(claims): TurbineAuth, body: Bytes) -> Answer {
    relay(&service, &claims.kid, MessageKind::Redemption, &body).await
}

async fn batch_redemption(State(service): Service, TurbineAuth(claims): TurbineAuth, body: Bytes) -> Answer {
    let batch = RelayerBatch::parse(&body).map_err(|e| bad(e.to_string()))?;
    let accepted = checked(&service, &claims.kid, batch.chain_id, &batch.redemptions).await?;
    accept(&service, &accepted).await
}

#[derive(Debug, serde::Deserialize)]
struct ListParams {
    limit: Option<usize>,
}

/// `GET /api/v1/relayer/messages?limit=`: the caller's accepted messages, newest first.
async fn list(
    State(service): Service,
    TurbineAuth(claims): TurbineAuth,
    Query(params): Query<ListParams>,
) -> Answer {
    let own = wallet_of(&service, &claims.kid).await?;
    let limit = params.limit.unwrap_or(crate::store::MAX_RELAYED_LISTED);
    let messages = service.keys().relayed(&own, limit).await?;
    Ok(Json(json!({ "messages": messages.iter().map(view).collect::<Vec<_>>() })).into_response())
}

#[derive(Debug, serde::Deserialize)]
struct NonceParams {
    chain_id: Option<u64>,
}

/// `GET /api/v1/contracts/nonce/{contract}/{owner}?chain_id=` (public, as the SDK calls it):
/// `{"nonce": n}`, the owner's next nonce at the contract from what this server accepted.
async fn nonce(
    State(service): Service,
    Path((contract, owner)): Path<(String, String)>,
    Query(params): Query<NonceParams>,
) -> Answer {
    let chain_id = params.chain_id.unwrap_or_else(|| service.order_domain().chain_id());
    let chain = chain_of(&service, chain_id)?;
    let contract: Address = contract.parse().map_err(|_| bad("invalid contract address"))?;
    let owner: Address = owner.parse().map_err(|_| bad("invalid owner address"))?;
    if contract != chain.usdc && contract != chain.ctf {
        return Err(bad(format!("contract must be the chain's USDC {} or CTF {}", chain.usdc, chain.ctf)));
    }
    let next = service.keys().next_nonce(&owner, &contract).await?;
    // A number while it is one JSON readers take exactly; beyond, its decimal text.
    let value =
        next.to_u64().filter(|n| *n < (1 << 53)).map_or_else(|| json!(next.to_string()), |n| json!(n));
    Ok(Json(json!({ "nonce": value })).into_response())
}

/// The relayer endpoints (bearer token), their listing, and the public nonce.
pub fn relayer_routes(service: Arc<VerifierService<Registry>>) -> Router {
    Router::new()
        .route("/api/v1/relayer/usdc-permit", post(usdc_permit))
        .route("/api/v1/relayer/ctf-approval", post(ctf_approval))
        .route("/api/v1/relayer/ctf-redemption", post(ctf_redemption))
        .route("/api/v1/relayer/batch-ctf-redemption", post(batch_redemption))
        .route("/api/v1/relayer/messages", get(list))
        .route("/api/v1/contracts/nonce/{contract}/{owner}", get(nonce))
        .with_state(service)
}

/// Checks an order's attached permit (its owner the order's trader, the chain's USDC and
/// settlement contract, a deadline ahead, the owner's next nonce, the trader's signature) and
/// stores it, so its nonce is used. Called by the order endpoint before the order is stored.
pub(crate) async fn accept_order_permit(
    service: &VerifierService<Registry>,
    kid: &KeyId,
    trader: Address,
    permit: &signet_core::turbine::permit::OrderPermit,
) -> Result<(), Refusal> {
    let chain = chain_of(service, service.order_domain().chain_id())?;
    let message = permit.message(trader, chain);
    check_deadline(&permit.deadline, SystemClock.now().0).map_err(|_| bad("permit deadline has passed"))?;
    let next = service.keys().next_nonce(&trader, &chain.usdc).await?;
    if permit.nonce != next {
        return Err(bad(format!("permit nonce {} is not the owner's next ({next})", permit.nonce)));
    }
    if message.verify(&chain.separators(), &permit.signature).is_err() {
        return Err(bad("permit signature is not the trader's for the chain's USDC and settlement contract"));
    }
    let accepted = AcceptedMessage {
        chain_id: chain.chain_id,
        message,
        signature: permit.signature,
        market_address: None,
        kid: kid.clone(),
        accepted_at: SystemClock.now(),
    };
    service.keys().accept_messages(core::slice::from_ref(&accepted), service.max_relayed_per_owner()).await?;
    service
        .relayer()
        .submit(core::slice::from_ref(&accepted))
        .await
        .map_err(|e| Refusal(StatusCode::BAD_GATEWAY, e.to_string()))?;
    Ok(())
}

//! The order endpoints the official SDK calls, over the verifier service: signed orders are
//! checked (signature by the trader, in the server's domain; the trader is the wallet of the
//! key whose token came with them), stored with their signature in canonical form (low `s`,
//! `v` 27 or 28), up to the open-order limit of each key, and kept in the key registry.
//!
//! A trader reads only its own orders: the SDK calls every order endpoint with a bearer token,
//! and neither it nor the documentation describes reading other traders' orders (the public
//! view of a market is its order book, which signet does not serve). A listing naming another
//! trader is refused (403), another trader's order is not found (404).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use signet_core::Clock;
use signet_core::eth::Address;
use signet_core::turbine::KeyId;
use signet_core::turbine::order::{MarketId, OrderHash, OrderStatus, OrderSubmission, Side};
use signet_std::SystemClock;
use signet_std::turbine::api::{MarketView, OrderAccepted, OrderList, OrderView, OrdersCancelled};

use crate::Registry;
use crate::VerifierService;
use crate::http::auth::TurbineAuth;
use crate::http::rejection::Refusal;
use crate::store::{KeyRegistry as _, MAX_ORDERS_LISTED, OrderListing, OrderStore, OrderStoreError};

type Service = State<Arc<VerifierService<Registry>>>;

fn bad_request(text: impl Into<String>) -> Refusal {
    Refusal(StatusCode::BAD_REQUEST, text.into())
}

type Answer = Result<Response, Refusal>;

fn parse_market(text: &str) -> Result<MarketId, Refusal> {
    MarketId::parse(text.as_bytes()).map_err(|e| bad_request(format!("invalid marketId: {e}")))
}

fn parse_hash(text: &str) -> Result<OrderHash, Refusal> {
    OrderHash::parse(text.as_bytes())
        .map_err(|_| bad_request("invalid order hash: expected 0x and 64 hex digits"))
}

/// The wallet of the key a token was made with.
async fn wallet_of(service: &VerifierService<Registry>, kid: &KeyId) -> Result<Address, Refusal> {
    let entry = service.keys().get(kid).await.map_err(OrderStoreError::Registry)?;
    entry.map(|e| e.wallet).ok_or_else(|| Refusal(StatusCode::UNAUTHORIZED, "API key not found".into()))
}

fn not_yours() -> Refusal {
    Refusal(StatusCode::FORBIDDEN, "orders of another trader are not listed".into())
}

/// `POST /api/v1/orders`: the SDK's `{"order": {...}, "signature": "0x…"}`, with the current
/// SDK's optional `permitSignature` (a USDC permit, checked and kept before the order, so its
/// nonce is used) and `bot_metadata` (checked; signet takes no fees, so it is not kept).
async fn post_order(State(service): Service, TurbineAuth(claims): TurbineAuth, body: Bytes) -> Answer {
    let now = SystemClock.now();
    let submission = OrderSubmission::parse_body(&body).map_err(|e| bad_request(e.to_string()))?;
    let mut signed = submission.signed;
    signed.verify(service.order_domain()).map_err(|e| bad_request(e.to_string()))?;
    if !signed.order.is_live_at(now) {
        return Err(bad_request("order has expired"));
    }
    // The same signer's signature in the form the SDK writes and settlement contracts take
    // (a high `s` is malleable: OpenZeppelin's ECDSA refuses it).
    signed.signature = signed.signature.canonical().map_err(|e| bad_request(e.to_string()))?;
    if let Some(permit) = &submission.permit {
        // The trader of an order posted with this key is the key's wallet (checked again when
        // the order is stored); a permit of another wallet is refused before it is kept.
        let own = wallet_of(&service, &claims.kid).await?;
        if own != signed.order.trader {
            return Err(OrderStoreError::TraderMismatch.into());
        }
        crate::http::relayer::accept_order_permit(&service, &claims.kid, signed.order.trader, permit).await?;
    }
    let record = service.keys().submit_order(&claims.kid, &signed, now, service.order_limits()).await?;
    let accepted =
        OrderAccepted { success: true, order_hash: record.hash(), order: OrderView::of(&record, now) };
    Ok(Json(accepted).into_response())
}

/// The filters of `GET /api/v1/orders` (`market_id` as the SDK sends it, `marketId` too), and
/// at most how many (default and most [`MAX_ORDERS_LISTED`]).
#[derive(Debug, serde::Deserialize)]
struct ListParams {
    trader: Option<String>,
    market_id: Option<String>,
    #[serde(rename = "marketId")]
    market_id_camel: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
}

async fn list(
    service: &VerifierService<Registry>,
    kid: &KeyId,
    trader: Option<&str>,
    params: &ListParams,
) -> Answer {
    let own = wallet_of(service, kid).await?;
    let trader = trader
        .map(|t| t.parse::<Address>().map_err(|_| bad_request("invalid trader address")))
        .transpose()?;
    if trader.is_some_and(|t| t != own) {
        return Err(not_yours());
    }
    let market_id =
        params.market_id.as_deref().or(params.market_id_camel.as_deref()).map(parse_market).transpose()?;
    let status = params
        .status
        .as_deref()
        .map(|s| {
            OrderStatus::parse(s)
                .ok_or_else(|| bad_request("invalid status: expected open, filled, cancelled or expired"))
        })
        .transpose()?;
    let now = SystemClock.now();
    let limit = params.limit.unwrap_or(MAX_ORDERS_LISTED);
    let listing = OrderListing { trader: own, market_id, status, limit };
    let records = service.keys().orders(&listing, now).await?;
    Ok(Json(OrderList { orders: records.iter().map(|r| OrderView::of(r, now)).collect() }).into_response())
}

/// `GET /api/v1/orders?trader=&market_id=&status=&limit=`: the caller's orders (`trader`, if
/// given, must be the caller's wallet), newest first, at most 1000.
async fn list_orders(
    State(service): Service,
    TurbineAuth(claims): TurbineAuth,
    Query(params): Query<ListParams>,
) -> Answer {
    list(&service, &claims.kid, params.trader.as_deref(), &params).await
}

/// `GET /api/v1/users/{address}/orders?market_id=&status=&limit=`: the caller's own address only.
async fn user_orders(
    State(service): Service,
    TurbineAuth(claims): TurbineAuth,
    Path(address): Path<String>,
    Query(params): Query<ListParams>,
) -> Answer {
    list(&service, &claims.kid, Some(&address), &params).await
}

/// `GET /api/v1/orders/{orderHash}`: the caller's own orders only (another's is not found).
async fn get_order(
    State(service): Service,
    TurbineAuth(claims): TurbineAuth,
    Path(hash): Path<String>,
) -> Answer {
    let own = wallet_of(&service, &claims.kid).await?;
    let record = service.keys().order(&parse_hash(&hash)?).await?.ok_or(OrderStoreError::NotFound)?;
    if record.signed.order.trader != own {
        return Err(OrderStoreError::NotFound.into());
    }
    Ok(Json(OrderView::of(&record, SystemClock.now())).into_response())
}

/// The SDK's cancel parameters: checked against the order when given.
#[derive(Debug, serde::Deserialize)]
struct CancelParams {
    #[serde(rename = "marketId")]
    market_id: Option<String>,
    side: Option<String>,
}

/// `DELETE /api/v1/orders/{orderHash}?marketId=&side=buy|sell`: the key's wallet cancels its
/// own open order. Whose order it is comes first: another trader's order is not found (404),
/// as reading it is, whatever the parameters say, so cancelling reveals nothing reading hides.
async fn cancel_order(
    State(service): Service,
    TurbineAuth(claims): TurbineAuth,
    Path(hash): Path<String>,
    Query(params): Query<CancelParams>,
) -> Answer {
    let hash = parse_hash(&hash)?;
    let market = params.market_id.as_deref().map(parse_market).transpose()?;
    let side = match params.side.as_deref() {
        None => None,
        Some("buy") => Some(Side::Buy),
        Some("sell") => Some(Side::Sell),
        Some(_) => return Err(bad_request("side must be buy or sell")),
    };
    let own = wallet_of(&service, &claims.kid).await?;
    let order = service
        .keys()
        .order(&hash)
        .await?
        .filter(|record| record.signed.order.trader == own)
        .ok_or(OrderStoreError::NotFound)?
        .signed
        .order;
    if market.is_some_and(|m| m.as_bytes() != order.market_id.as_bytes()) {
        return Err(bad_request("marketId does not match the order"));
    }
    if side.is_some_and(|s| s != order.side) {
        return Err(bad_request("side does not match the order"));
    }
    let record =
        service.keys().cancel_order(&claims.kid, &hash, SystemClock.now()).await.map_err(|e| match e {
            // The key was revoked and its wallet's order read in between: still not this caller's.
            OrderStoreError::TraderMismatch => OrderStoreError::NotFound,
            e => e,
        })?;
    Ok(Json(OrdersCancelled { success: true, cancelled: 1, order_hashes: vec![record.hash()] })
        .into_response())
}

/// `DELETE /api/v1/orders?marketId=`: every open order of the key's wallet in the market.
async fn cancel_market(
    State(service): Service,
    TurbineAuth(claims): TurbineAuth,
    Query(params): Query<CancelParams>,
) -> Answer {
    let market =
        parse_market(params.market_id.as_deref().ok_or_else(|| bad_request("marketId is required"))?)?;
    let hashes = service.keys().cancel_market_orders(&claims.kid, &market, SystemClock.now()).await?;
    Ok(Json(OrdersCancelled { success: true, cancelled: hashes.len(), order_hashes: hashes }).into_response())
}

/// `GET /api/v1/markets/{marketId}` (public): the domain this server's orders are signed in,
/// which the SDK fetches before it signs.
async fn market(State(service): Service, Path(id): Path<String>) -> Answer {
    let id = parse_market(&id)?;
    let domain = service.order_domain();
    Ok(Json(MarketView {
        id,
        chain_id: domain.chain_id(),
        settlement_address: domain.verifying_contract(),
        contract_address: domain.verifying_contract(),
        question: String::new(),
        resolved: false,
    })
    .into_response())
}

/// The order endpoints: `POST`, `GET` and `DELETE /api/v1/orders`, `GET` and
/// `DELETE /api/v1/orders/{orderHash}`, `GET /api/v1/users/{address}/orders` (bearer token),
/// and the public `GET /api/v1/markets/{marketId}`.
pub fn order_routes(service: Arc<VerifierService<Registry>>) -> Router {
    Router::new()
        .route("/api/v1/orders", get(list_orders).post(post_order).delete(cancel_market))
        .route("/api/v1/orders/{hash}", get(get_order).delete(cancel_order))
        .route("/api/v1/users/{address}/orders", get(user_orders))
        .route("/api/v1/markets/{id}", get(market))
        .with_state(service)
}

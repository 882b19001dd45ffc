//! Orders from the client side: build from a trader's arguments, sign with a wallet (in
//! software or on a signing device), post with a fresh token; list, fetch and cancel.

use signet_core::eth::Address;
use signet_core::turbine::order::{
    MAX_ORDER_BODY_LEN, MarketId, Order, OrderArgs, OrderDomain, OrderHash, OrderQuery, OrderSigner, Outcome,
    Side, SignedOrder,
};
use signet_core::{Clock, UnixTime};

use crate::credentials::TurbineApiKey;
use crate::error::{ClientError, SignerError};
use crate::platform::{SystemClock, os_rng};
use crate::turbine::api::{MarketView, OrderAccepted, OrderList, OrderView, OrdersCancelled};
use crate::turbine::client::TurbineClient;

/// How long an order lives when its caller names no expiration (the SDK's default, 1 hour).
pub const DEFAULT_ORDER_LIFETIME_SECS: u64 = 3600;

/// What a trader asks for. The client fills in the trader (the signer's address), a fresh
/// nonce and the expiration when they are not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewOrder {
    /// The market.
    pub market_id: MarketId,
    /// Buy or sell.
    pub side: Side,
    /// YES or NO.
    pub outcome: Outcome,
    /// Millionths, 1..=999,999.
    pub price: u32,
    /// Six decimals, above zero.
    pub size: u128,
    /// Unix seconds; default now + 1 hour.
    pub expiration: Option<u64>,
    /// Default `(now << 32) | random 32 bits`, as the SDK makes it.
    pub nonce: Option<u128>,
    /// Default the zero address (no maker fee recipient).
    pub maker_fee_recipient: Option<Address>,
}

impl NewOrder {
    /// The order for `trader` at `now`, checked against the SDK's ranges.
    ///
    /// # Errors
    /// [`ClientError::Order`] for a value out of range.
    pub fn build(&self, trader: Address, now: UnixTime) -> Result<Order, ClientError> {
        let now_secs = u64::try_from(now.0).unwrap_or(0);
        Order::new(OrderArgs {
            market_id: self.market_id,
            trader,
            side: self.side,
            outcome: self.outcome,
            price: self.price,
            size: self.size,
            nonce: self.nonce.unwrap_or_else(|| Order::fresh_nonce(now, &mut os_rng())),
            expiration: self.expiration.unwrap_or(now_secs.saturating_add(DEFAULT_ORDER_LIFETIME_SECS)),
            maker_fee_recipient: self.maker_fee_recipient.unwrap_or(Address::from_bytes([0; 20])),
        })
        .map_err(ClientError::Order)
    }
}

/// An order the server accepted: what was signed and posted, and the server's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostedOrder {
    /// The signed order as posted.
    pub signed: SignedOrder,
    /// The server's answer.
    pub accepted: OrderAccepted,
}

fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if let Some(value) = value {
            out.push(if out.is_empty() { '?' } else { '&' });
            // Addresses, market ids and the status words are URL-safe as they are.
            out.push_str(&format!("{name}={value}"));
        }
    }
    out
}

impl TurbineClient {
    /// `GET /api/v1/markets/{marketId}`: the market's chain and settlement contract.
    ///
    /// # Errors
    /// As [`TurbineClient::get_public`].
    pub fn market(&self, market_id: &MarketId) -> Result<MarketView, ClientError> {
        Self::expect(&self.http.send("GET", &format!("/api/v1/markets/{market_id}"), &[], None)?)
    }

    /// The domain orders in `market_id` are signed in: the market's settlement contract on this
    /// client's chain, as the SDK fetches it before signing.
    ///
    /// # Errors
    /// [`ClientError::InvalidResponse`] if the market is on another chain, else as
    /// [`TurbineClient::market`].
    pub fn order_domain(&self, market_id: &MarketId) -> Result<OrderDomain, ClientError> {
        let market = self.market(market_id)?;
        if market.chain_id != self.chain_id {
            return Err(ClientError::InvalidResponse(format!(
                "market is on chain {}, this client signs for chain {}",
                market.chain_id, self.chain_id
            )));
        }
        Ok(OrderDomain::new(self.chain_id, market.settlement_address))
    }

    /// Builds the order for the signer's wallet, signs it in the market's domain, and posts it
    /// with a fresh token for `key`.
    ///
    /// # Errors
    /// [`ClientError::Order`], [`ClientError::Signing`], or the server's refusal (400 for a bad
    /// order, 403 when `key` is not the trader's).
    pub fn create_order<S>(
        &self,
        key: &TurbineApiKey,
        signer: &mut S,
        new: &NewOrder,
    ) -> Result<PostedOrder, ClientError>
    where
        S: OrderSigner,
        S::Error: Into<SignerError>,
    {
        let signing = |e: S::Error| ClientError::Signing(e.into());
        let order = new.build(signer.trader().map_err(signing)?, SystemClock.now())?;
        let domain = self.order_domain(&new.market_id)?;
        let signed = signer.sign_order(order, &domain).map_err(signing)?;
        let accepted = self.post_order_with(&Self::bearer(key), &signed)?;
        Ok(PostedOrder { signed, accepted })
    }

    /// `POST /api/v1/orders` with the SDK's body and the given `Authorization` value (a token a
    /// device minted, say).
    ///
    /// # Errors
    /// The server's refusal.
    pub fn post_order_with(
        &self,
        authorization: &str,
        signed: &SignedOrder,
    ) -> Result<OrderAccepted, ClientError> {
        let mut buf = [0u8; MAX_ORDER_BODY_LEN];
        let body = signed.write_body(&mut buf).map_err(ClientError::Order)?;
        Self::expect(&self.http.send(
            "POST",
            "/api/v1/orders",
            &[("Authorization", authorization)],
            Some(body.as_bytes()),
        )?)
    }

    /// `GET /api/v1/orders` with the query's filters.
    ///
    /// # Errors
    /// The server's refusal.
    pub fn orders(&self, key: &TurbineApiKey, query: &OrderQuery) -> Result<Vec<OrderView>, ClientError> {
        let params = query_string(&[
            ("trader", query.trader.map(|t| t.to_string())),
            ("market_id", query.market_id.map(|m| m.to_string())),
            ("status", query.status.map(|s| s.as_str().to_owned())),
        ]);
        let auth = Self::bearer(key);
        let list: OrderList = Self::expect(&self.http.send(
            "GET",
            &format!("/api/v1/orders{params}"),
            &[("Authorization", &auth)],
            None,
        )?)?;
        Ok(list.orders)
    }

    /// `GET /api/v1/orders/{orderHash}`.
    ///
    /// # Errors
    /// The server's refusal (404 for an unknown hash).
    pub fn order(&self, key: &TurbineApiKey, hash: &OrderHash) -> Result<OrderView, ClientError> {
        let auth = Self::bearer(key);
        Self::expect(&self.http.send(
            "GET",
            &format!("/api/v1/orders/{hash}"),
            &[("Authorization", &auth)],
            None,
        )?)
    }

    /// `DELETE /api/v1/orders/{orderHash}?marketId=&side=`, as the SDK's `cancel_order`.
    ///
    /// # Errors
    /// The server's refusal (403 for another trader's order, 409 for one not open).
    pub fn cancel_order(
        &self,
        key: &TurbineApiKey,
        hash: &OrderHash,
        market_id: Option<&MarketId>,
        side: Option<Side>,
    ) -> Result<OrdersCancelled, ClientError> {
        let params = query_string(&[
            ("marketId", market_id.map(ToString::to_string)),
            ("side", side.map(|s| s.as_str().to_owned())),
        ]);
        let auth = Self::bearer(key);
        Self::expect(&self.http.send(
            "DELETE",
            &format!("/api/v1/orders/{hash}{params}"),
            &[("Authorization", &auth)],
            None,
        )?)
    }

    /// `DELETE /api/v1/orders?marketId=`: every open order of the key's wallet in the market.
    ///
    /// # Errors
    /// The server's refusal.
    pub fn cancel_market_orders(
        &self,
        key: &TurbineApiKey,
        market_id: &MarketId,
    ) -> Result<OrdersCancelled, ClientError> {
        let auth = Self::bearer(key);
        Self::expect(&self.http.send(
            "DELETE",
            &format!("/api/v1/orders?marketId={market_id}"),
            &[("Authorization", &auth)],
            None,
        )?)
    }
}

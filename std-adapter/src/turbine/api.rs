//! Orders as the API shows them: the fields the official SDK's `Order.from_dict` reads, and the
//! signature and fee recipient besides. Numbers are JSON integers at any size (serialize with
//! `serde_json::to_string` or `axum::Json`: a `serde_json::Value` cannot hold sizes past 2^64).

use serde::{Deserialize, Serialize};
use signet_core::UnixTime;
use signet_core::eth::Address;
use signet_core::turbine::order::{MarketId, OrderHash, OrderRecord, OrderStatus};

/// One order in an API answer (`GET /api/v1/orders`, `GET /api/v1/orders/{orderHash}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    /// `keccak256(hashStruct(order))`.
    pub order_hash: OrderHash,
    /// The market, as its `bytes32` text.
    pub market_id: MarketId,
    /// The trader's wallet.
    pub trader: Address,
    /// 0 buy, 1 sell.
    pub side: u8,
    /// 0 YES, 1 NO.
    pub outcome: u8,
    /// Millionths.
    pub price: u32,
    /// Six decimals.
    pub size: u128,
    /// How much was matched (signet does not match: always 0).
    pub filled_size: u128,
    /// `size - filledSize`.
    pub remaining_size: u128,
    /// The order's nonce.
    pub nonce: u128,
    /// Unix seconds.
    pub expiration: u64,
    /// The maker-fee recipient.
    pub maker_fee_recipient: Address,
    /// The trader's signature, `0x` and 130 hex digits.
    pub signature: String,
    /// `open`, `filled`, `cancelled` or `expired`.
    pub status: String,
    /// When the server accepted it (Unix seconds).
    pub created_at: i64,
}

impl OrderView {
    /// The view of a stored order at `now` (its status may have become `expired`).
    #[must_use]
    pub fn of(record: &OrderRecord, now: UnixTime) -> Self {
        let order = &record.signed.order;
        OrderView {
            order_hash: record.hash(),
            market_id: order.market_id,
            trader: order.trader,
            side: order.side.as_u8(),
            outcome: order.outcome.as_u8(),
            price: order.price,
            size: order.size,
            filled_size: 0,
            remaining_size: order.size,
            nonce: order.nonce,
            expiration: order.expiration,
            maker_fee_recipient: order.maker_fee_recipient,
            signature: record.signed.signature.to_hex().as_str().to_owned(),
            status: record.status_at(now).as_str().to_owned(),
            created_at: record.created_at.0,
        }
    }

    /// The status, if it is one this API uses.
    #[must_use]
    pub fn status(&self) -> Option<OrderStatus> {
        OrderStatus::parse(&self.status)
    }
}

/// The answer of `GET /api/v1/orders`: `{"orders": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderList {
    /// Newest first.
    pub orders: Vec<OrderView>,
}

/// The answer of `POST /api/v1/orders`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderAccepted {
    /// Always `true`.
    pub success: bool,
    /// The accepted order's id.
    pub order_hash: OrderHash,
    /// The accepted order.
    pub order: OrderView,
}

/// The answer of the cancel endpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrdersCancelled {
    /// Always `true`.
    pub success: bool,
    /// How many orders were cancelled.
    pub cancelled: usize,
    /// Their ids.
    pub order_hashes: Vec<OrderHash>,
}

/// The answer of `GET /api/v1/markets/{marketId}` (as the SDK's `Market.from_dict` reads it):
/// the server's chain and settlement contract, which is the domain its orders are signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketView {
    /// The market id as asked for.
    pub id: MarketId,
    /// The chain orders are signed for.
    pub chain_id: u64,
    /// The settlement contract: the domain's verifying contract.
    pub settlement_address: Address,
    /// The same contract, under the SDK's other field name.
    pub contract_address: Address,
    /// signet keeps no market data.
    pub question: String,
    /// signet keeps no market data: never resolved.
    pub resolved: bool,
}

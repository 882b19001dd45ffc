//! `signet order …`: create, list, show and cancel Turbine orders signed with the wallet key,
//! and the order arguments `signet device sign-order` shares.

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use signet_core::eth::Address;
use signet_core::turbine::order::MAX_ORDER_SUMMARY_LEN;
use signet_core::turbine::order::{DEFAULT_CHAIN_ID, OrderQuery, OrderStatus};
use signet_core::turbine::order::{MarketId, OrderDomain, OrderHash, Outcome, Side, SignedOrder};
use signet_std::TurbineClient;
use signet_std::turbine::NewOrder;
use signet_std::turbine::api::OrderView;

use crate::output::{Context, Result};

/// Buy or sell.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SideArg {
    /// Buy.
    Buy,
    /// Sell.
    Sell,
}

/// YES or NO.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OutcomeArg {
    /// YES.
    Yes,
    /// NO.
    No,
}

/// What to trade: the SDK's order arguments, with the price and size as decimals.
#[derive(Args, Clone, Debug)]
pub struct OrderSpec {
    /// The market id (hex, up to 32 bytes).
    #[arg(long, value_parser = parse_market)]
    market: MarketId,
    /// buy or sell.
    #[arg(long, value_enum)]
    side: SideArg,
    /// yes or no.
    #[arg(long, value_enum)]
    outcome: OutcomeArg,
    /// Price as a fraction of the payout, e.g. 0.642 (at most 6 decimals, 0.000001 to 0.999999).
    #[arg(long, value_parser = |t: &str| parse_decimal(t).and_then(|v| u32::try_from(v).map_err(|_| "price must be below 1".to_owned())))]
    price: u32,
    /// Shares, e.g. 12.5 (at most 6 decimals).
    #[arg(long, value_parser = parse_decimal)]
    size: u128,
    /// Expiration, Unix seconds (default: in one hour).
    #[arg(long)]
    expiration: Option<u64>,
    /// The nonce (default: the time and 32 random bits, as the SDK makes it).
    #[arg(long)]
    nonce: Option<u128>,
    /// Maker-fee recipient (default: none, the zero address).
    #[arg(long)]
    fee_recipient: Option<Address>,
}

impl OrderSpec {
    /// The order arguments for the client.
    pub fn new_order(&self) -> NewOrder {
        NewOrder {
            market_id: self.market,
            side: match self.side {
                SideArg::Buy => Side::Buy,
                SideArg::Sell => Side::Sell,
            },
            outcome: match self.outcome {
                OutcomeArg::Yes => Outcome::Yes,
                OutcomeArg::No => Outcome::No,
            },
            price: self.price,
            size: self.size,
            expiration: self.expiration,
            nonce: self.nonce,
            maker_fee_recipient: self.fee_recipient,
        }
    }
}

/// The chain and settlement contract orders are signed for.
#[derive(Args, Clone, Debug)]
pub struct ChainArgs {
    /// The chain id of the EIP-712 domain (137 Polygon, 84532 Base Sepolia, 43114 Avalanche).
    #[arg(long = "chain-id", env = "SIGNET_CHAIN_ID", default_value_t = DEFAULT_CHAIN_ID)]
    pub chain_id: u64,
    /// The settlement contract (the domain's verifying contract); default: the SDK's for the
    /// chain.
    #[arg(long = "settlement-contract", env = "SIGNET_SETTLEMENT_CONTRACT")]
    pub settlement_contract: Option<Address>,
}

impl ChainArgs {
    /// The domain these name.
    pub fn domain(&self) -> Result<OrderDomain> {
        let contract = match self.settlement_contract {
            Some(contract) => contract,
            None => OrderDomain::default_contract(self.chain_id).ok_or_else(|| {
                format!("no known settlement contract on chain {}: give --settlement-contract", self.chain_id)
            })?,
        };
        Ok(OrderDomain::new(self.chain_id, contract))
    }
}

fn parse_market(text: &str) -> core::result::Result<MarketId, String> {
    MarketId::parse(text.as_bytes()).map_err(|e| e.to_string())
}

/// A decimal with at most six places, in millionths: `12.5` -> 12,500,000.
pub(crate) fn parse_decimal(text: &str) -> core::result::Result<u128, String> {
    let bad = || format!("{text:?} is not a decimal with at most 6 places");
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty()
        || fraction.len() > 6
        || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let fraction: u128 = format!("{fraction:0<6}").parse().map_err(|_| bad())?;
    whole.checked_mul(1_000_000).and_then(|w| w.checked_add(fraction)).ok_or_else(bad)
}

/// `signet order …`
#[derive(Args)]
pub struct OrderArgs {
    #[command(subcommand)]
    action: OrderAction,
    /// The server (default: TURBINE_HOST).
    #[arg(long, global = true, value_parser = crate::output::host_url)]
    host: Option<String>,
    /// The chain the client signs for (the market must be on it).
    #[arg(long = "chain-id", global = true, env = "SIGNET_CHAIN_ID", default_value_t = DEFAULT_CHAIN_ID)]
    chain_id: u64,
}

#[derive(Subcommand)]
enum OrderAction {
    /// Sign an order with the wallet key (TURBINE_PRIVATE_KEY) in the market's domain and post it.
    Create(OrderSpec),
    /// List orders, newest first.
    List {
        /// Only this trader's: the server lists the API key's own wallet's orders, so another
        /// trader's address is refused (403); default: the key's wallet.
        #[arg(long)]
        trader: Option<Address>,
        /// Only this market's.
        #[arg(long, value_parser = parse_market)]
        market: Option<MarketId>,
        /// open, filled, cancelled or expired.
        #[arg(long, value_parser = |t: &str| OrderStatus::parse(t).ok_or("open, filled, cancelled or expired"))]
        status: Option<OrderStatus>,
    },
    /// Show one order.
    Show {
        /// The order hash.
        #[arg(value_parser = |t: &str| OrderHash::parse(t.as_bytes()).map_err(|e| e.to_string()))]
        hash: OrderHash,
    },
    /// Cancel an order by hash, or every open order of the wallet in a market (--all --market).
    Cancel {
        /// The order hash.
        #[arg(value_parser = |t: &str| OrderHash::parse(t.as_bytes()).map_err(|e| e.to_string()), required_unless_present = "all")]
        hash: Option<OrderHash>,
        /// The order's market (checked by the server), or with --all the market to clear.
        #[arg(long, value_parser = parse_market)]
        market: Option<MarketId>,
        /// Every open order of this wallet in --market.
        #[arg(long, requires = "market")]
        all: bool,
    },
}

/// One order on one line for people, in the units `order create` and the device show
/// (`BUY YES 12.5 @ 0.6420 market 0x7be8…e928 exp 2026-12-01 10:00Z chain 137`), with what is
/// filled when anything is.
pub fn describe(view: &OrderView, chain_id: u64) -> String {
    let order = signet_core::turbine::order::Order::new(signet_core::turbine::order::OrderArgs {
        market_id: view.market_id,
        trader: view.trader,
        side: signet_core::turbine::order::Side::from_u8(view.side)
            .unwrap_or(signet_core::turbine::order::Side::Buy),
        outcome: signet_core::turbine::order::Outcome::from_u8(view.outcome)
            .unwrap_or(signet_core::turbine::order::Outcome::Yes),
        price: view.price,
        size: view.size,
        nonce: view.nonce,
        expiration: view.expiration,
        maker_fee_recipient: view.maker_fee_recipient,
    });
    let line = match (order, OrderDomain::for_chain(chain_id)) {
        (Ok(order), Some(domain)) => {
            use core::fmt::Write as _;
            let mut line = heapless::String::<MAX_ORDER_SUMMARY_LEN>::new();
            let _ = write!(line, "{}", order.summary(&domain));
            line.as_str().to_owned()
        }
        // Outside what the SDK signs (the server never stores such an order): the raw fields.
        _ => format!(
            "side {} outcome {} size {} price {} exp {}",
            view.side, view.outcome, view.size, view.price, view.expiration
        ),
    };
    let filled = if view.filled_size > 0 {
        let (whole, fraction) = (view.filled_size / 1_000_000, view.filled_size % 1_000_000);
        let fraction = format!("{fraction:06}");
        let fraction = fraction.trim_end_matches('0');
        format!(", {whole}{}{fraction} filled", if fraction.is_empty() { "" } else { "." })
    } else {
        String::new()
    };
    format!("{} {:<9} {line}{filled}", view.order_hash, view.status)
}

/// The body a device or wallet signed, as JSON for output.
pub fn body_json(signed: &SignedOrder) -> Result<serde_json::Value> {
    let mut buf = [0u8; signet_core::turbine::order::MAX_ORDER_BODY_LEN];
    let body = signed.write_body(&mut buf)?;
    // The text keeps sizes past 2^64 exact; a Value is only for display here.
    Ok(serde_json::from_str(body).unwrap_or_else(|_| json!(body)))
}

/// The summary line a device would show.
pub fn summary(signed: &SignedOrder, domain: &OrderDomain) -> String {
    use core::fmt::Write as _;
    let mut line = heapless::String::<MAX_ORDER_SUMMARY_LEN>::new();
    let _ = write!(line, "{}", signed.order.summary(domain));
    line.as_str().to_owned()
}

/// Runs `signet order`.
pub fn run(args: OrderArgs, ctx: &Context<'_>) -> Result<()> {
    let creds = ctx.credentials()?;
    let host = match args.host {
        Some(host) => host,
        None => {
            crate::output::host_url(creds.turbine_host.as_deref().ok_or("give --host or set TURBINE_HOST")?)
                .map_err(|e| format!("TURBINE_HOST: {e}"))?
        }
    };
    let api =
        creds.turbine_api.clone().ok_or("TURBINE_API_KEY_ID and TURBINE_API_PRIVATE_KEY are not set")?;
    let client = TurbineClient::new(&host).with_chain_id(args.chain_id);
    match args.action {
        OrderAction::Create(spec) => {
            let wallet = creds.wallet.clone().ok_or("TURBINE_PRIVATE_KEY is not set")?;
            let posted = client.create_order(&api, &mut &wallet, &spec.new_order())?;
            let domain = client.order_domain(&spec.market)?;
            let hash = posted.accepted.order_hash;
            ctx.output(
                &json!({ "orderHash": hash.to_string(), "status": posted.accepted.order.status, "body": body_json(&posted.signed)? }),
                &format!("order {hash} accepted ({})\n{}", posted.accepted.order.status, summary(&posted.signed, &domain)),
            );
        }
        OrderAction::List { trader, market, status } => {
            let orders = client.orders(&api, &OrderQuery { trader, market_id: market, status })?;
            let text = orders.iter().map(|o| describe(o, args.chain_id)).collect::<Vec<_>>().join("\n");
            // Serialized as text first: sizes past 2^64 do not fit a serde_json Value.
            let value = serde_json::from_str(&serde_json::to_string(&orders)?).unwrap_or(json!(null));
            ctx.output(&value, if text.is_empty() { "no orders" } else { &text });
        }
        OrderAction::Show { hash } => {
            let view = client.order(&api, &hash)?;
            let value = serde_json::from_str(&serde_json::to_string(&view)?).unwrap_or(json!(null));
            ctx.output(&value, &describe(&view, args.chain_id));
        }
        OrderAction::Cancel { hash, market, all } => {
            let cancelled = match (all, hash, market) {
                (true, _, Some(market)) => client.cancel_market_orders(&api, &market)?,
                (_, Some(hash), market) => client.cancel_order(&api, &hash, market.as_ref(), None)?,
                _ => return Err("give an order hash, or --all --market".into()),
            };
            let hashes: Vec<String> = cancelled.order_hashes.iter().map(ToString::to_string).collect();
            ctx.output(
                &json!({ "cancelled": cancelled.cancelled, "orderHashes": hashes }),
                &format!(
                    "cancelled {} order(s){}",
                    cancelled.cancelled,
                    hashes.iter().map(|h| format!("\n{h}")).collect::<String>()
                ),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact_millionths() {
        assert_eq!(parse_decimal("12.5"), Ok(12_500_000));
        assert_eq!(parse_decimal("0.642"), Ok(642_000));
        assert_eq!(parse_decimal(".000001"), Ok(1));
        assert_eq!(parse_decimal("3"), Ok(3_000_000));
        for bad in ["", ".", "1.0000001", "-1", "1e3", "1.2.3", "x"] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
    }
}

//! A trading bot: register the wallet's API key (or use the one in the environment), sign an
//! order with the wallet and post it with a fresh token, list the wallet's open orders, cancel
//! the order.
//!
//! ```sh
//! signet serve &                                             # or a real Turbine host
//! TURBINE_HOST=http://127.0.0.1:8787 cargo run -p signet-std --example trading_bot
//! ```
//!
//! `TURBINE_PRIVATE_KEY` is the wallet (a new one is made when it is not set, so the example
//! runs against a local server as it is); `TURBINE_API_KEY_ID` and `TURBINE_API_PRIVATE_KEY`
//! skip registration.

use std::process::ExitCode;

use signet_core::turbine::order::{MarketId, OrderQuery, OrderStatus, Outcome, Side};
use signet_std::turbine::NewOrder;
use signet_std::{ClientError, Credentials, TurbineClient, os_rng};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("trading_bot: {e}");
            let mut cause = e.source();
            while let Some(e) = cause {
                eprintln!("  caused by: {e}");
                cause = e.source();
            }
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn core::error::Error>> {
    let credentials = Credentials::from_env()?;
    let host = credentials.turbine_host.clone().unwrap_or_else(|| "http://127.0.0.1:8787".to_owned());
    let client = TurbineClient::new(&host);
    let mut wallet = match credentials.wallet {
        Some(wallet) => wallet,
        None => {
            let wallet = signet_core::eth::WalletKey::generate(&mut os_rng());
            println!("no TURBINE_PRIVATE_KEY: using a new wallet {}", wallet.address());
            wallet
        }
    };
    let key = match credentials.turbine_api {
        Some(key) => key,
        None => match client.register_api_key(&wallet, Some("trading-bot")) {
            Ok(key) => {
                println!("registered API key {} for {}", key.key_id, wallet.address());
                key
            }
            Err(ClientError::AlreadyRegistered { api_key_id }) => {
                return Err(format!(
                    "the wallet already has API key {api_key_id}: set TURBINE_API_KEY_ID and TURBINE_API_PRIVATE_KEY"
                )
                .into());
            }
            Err(e) => return Err(e.into()),
        },
    };

    let market = MarketId::parse(b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928")?;
    let order = NewOrder {
        market_id: market,
        side: Side::Buy,
        outcome: Outcome::Yes,
        price: 642_000,   // 0.642
        size: 12_500_000, // 12.5 shares
        expiration: None, // an hour from now, as the SDK does
        nonce: None,
        maker_fee_recipient: None,
    };
    let posted = client.create_order(&key, &mut wallet, &order)?;
    let hash = posted.accepted.order_hash;
    println!("posted order {hash} ({})", posted.accepted.order.status);

    let open = OrderQuery {
        trader: Some(wallet.address()),
        status: Some(OrderStatus::Open),
        ..OrderQuery::default()
    };
    let listed = client.orders(&key, &open)?;
    println!("open orders of {}: {}", wallet.address(), listed.len());
    if !listed.iter().any(|o| o.order_hash == hash) {
        return Err("the posted order is not among the wallet's open orders".into());
    }

    let cancelled = client.cancel_order(&key, &hash, Some(&market), Some(Side::Buy))?;
    println!("cancelled {} order(s)", cancelled.cancelled);
    let after = client.order(&key, &hash)?;
    if after.status != "cancelled" {
        return Err(format!("the order is {} after cancelling", after.status).into());
    }
    println!("order {hash} is cancelled");
    Ok(())
}

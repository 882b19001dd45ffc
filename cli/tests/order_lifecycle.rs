//! The third review's order recycling against the real binary on loopback: with the open-order
//! cap at 1,000, ten rounds of "post 1,000, cancel the market" stored 10,000 orders (17.8 MB
//! and growing). Scaled down here (open cap 20, 20 closed kept per wallet, a 2 s retention):
//! what a wallet keeps stays bounded whatever it posts, and closed orders go after the
//! retention. The figures are printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use core::time::Duration;
use std::time::Instant;

use signet_core::eth::WalletKey;
use signet_core::turbine::order::{MarketId, OrderQuery, Outcome, Side};
use signet_std::turbine::NewOrder;
use signet_std::{TurbineClient, os_rng};
use support::{SIGNET, SignetServer};

#[test]
fn posting_and_cancelling_in_rounds_keeps_a_bounded_number_of_orders_and_closed_ones_expire() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--log-level",
        "warn",
        "--max-open-orders",
        "20",
        "--max-closed-orders",
        "20",
        "--order-retention-secs",
        "2",
    ];
    let server = SignetServer::start(SIGNET, dir.path(), &args, &[]);
    let client = TurbineClient::new(&server.base());
    let wallet = WalletKey::generate(&mut os_rng());
    let key = client.register_api_key(&wallet, Some("recycler")).unwrap();
    let market =
        MarketId::parse(b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928").unwrap();
    let new = NewOrder {
        market_id: market,
        side: Side::Buy,
        outcome: Outcome::Yes,
        price: 500_000,
        size: 1_000_000,
        expiration: None,
        nonce: None,
        maker_fee_recipient: None,
    };
    let all = OrderQuery::default();
    let mut kept = Vec::new();
    let started = Instant::now();
    for _ in 0..10 {
        for _ in 0..20 {
            client.create_order(&key, &mut &wallet, &new).unwrap();
        }
        assert_eq!(client.cancel_market_orders(&key, &market).unwrap().cancelled, 20);
        kept.push(client.orders(&key, &all).unwrap().len());
    }
    println!(
        "order recycling, 10 rounds of 20 posted and cancelled in {:?} (open cap 20, 20 closed kept): \
         orders kept after each round {kept:?} (the review: 1,000 more each round)",
        started.elapsed()
    );
    assert!(kept.iter().all(|&n| n <= 40), "{kept:?}");
    // Past the retention the closed orders go (the server prunes every second here).
    let waited = Instant::now();
    support::wait_for("closed orders pruned", Duration::from_secs(10), || {
        client.orders(&key, &all).unwrap().is_empty()
    });
    println!("closed orders gone {:?} after the last cancel (retention 2 s)", waited.elapsed());
    // And the wallet trades on.
    client.create_order(&key, &mut &wallet, &new).unwrap();
    assert_eq!(client.orders(&key, &all).unwrap().len(), 1);
}

//! The order store's semantics, written once and run against both registries: the redb file
//! and a real PostgreSQL (a throwaway cluster; Debian package `postgresql`). Times are given, so
//! expiry is tested without waiting.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use signet_core::UnixTime;
use signet_core::ed25519_dalek::SigningKey;
use signet_core::eth::{Address, WalletKey};
use signet_core::turbine::order::{
    MarketId, Order, OrderArgs, OrderDomain, OrderHash, Outcome, Side, SignedOrder,
};
use signet_core::turbine::order::{OrderRecord, OrderStatus};
use signet_core::turbine::{KeyId, KeyRecord};
use signet_server::Registry;
use signet_server::store::{
    Entry, KeyRegistry, OrderLimits, OrderListing, OrderStore, OrderStoreError, Proof, RedbRegistry,
    RegistryError,
};
use support::{PostgresServer, block, postgres_registry};

const NOW: UnixTime = UnixTime(1_800_000_000);
/// The open-order limit the semantics run with (well above what they hold).
const OPEN: usize = 100;
const MARKET_A: &[u8] = b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928";
const MARKET_B: &[u8] = b"0x1f";

fn wallet(n: u8) -> WalletKey {
    WalletKey::from_bytes(&[n; 32]).unwrap()
}

fn kid(s: &str) -> KeyId {
    KeyId::new(s).unwrap()
}

fn entry(kid_text: &str, wallet: &WalletKey) -> Entry {
    Entry {
        kid: kid(kid_text),
        record: KeyRecord::active(SigningKey::from_bytes(&[1; 32]).verifying_key()),
        wallet: wallet.address(),
        created_at: UnixTime(1_000),
        name: None,
    }
}

/// An order of `wallet` in `market`, made distinct by `nonce`, expiring at `expiration`.
fn order(wallet: &WalletKey, market: &[u8], nonce: u128, expiration: u64) -> SignedOrder {
    Order::new(OrderArgs {
        market_id: MarketId::parse(market).unwrap(),
        trader: wallet.address(),
        side: if nonce.is_multiple_of(2) { Side::Buy } else { Side::Sell },
        outcome: Outcome::Yes,
        price: 500_000,
        size: (1 << 70) + nonce,
        nonce,
        expiration,
        maker_fee_recipient: Address::from_bytes([0; 20]),
    })
    .unwrap()
    .sign(&OrderDomain::for_chain(137).unwrap(), wallet)
    .unwrap()
}

fn limits(max_open: usize) -> OrderLimits {
    OrderLimits { max_open, ..OrderLimits::default() }
}

fn at(secs: i64) -> UnixTime {
    UnixTime(NOW.0 + secs)
}

fn hashes(records: &[OrderRecord]) -> Vec<OrderHash> {
    records.iter().map(|r| r.hash()).collect()
}

async fn semantics<F: core::future::Future<Output = Registry>>(open: impl Fn() -> F) {
    let (alice, bob) = (wallet(0xa1), wallet(0xb0));
    let registry = open().await;
    registry.register(&entry("alice", &alice), Proof::Documented, NOW).await.unwrap();
    registry.register(&entry("bob", &bob), Proof::Documented, NOW).await.unwrap();
    let later = (NOW.0 + 3_600) as u64;
    let first = order(&alice, MARKET_A, 1, later);
    let second = order(&alice, MARKET_B, 2, later);
    let soon = order(&alice, MARKET_A, 3, (NOW.0 + 10) as u64);
    let bobs = order(&bob, MARKET_A, 4, later);

    let stored = registry.submit_order(&kid("alice"), &first, NOW, &limits(OPEN)).await.unwrap();
    assert_eq!((stored.signed, stored.status, stored.created_at), (first, OrderStatus::Open, NOW));
    assert!(matches!(
        registry.submit_order(&kid("alice"), &first, at(1), &limits(OPEN)).await,
        Err(OrderStoreError::Duplicate)
    ));
    assert!(matches!(
        registry.submit_order(&kid("alice"), &bobs, NOW, &limits(OPEN)).await,
        Err(OrderStoreError::TraderMismatch)
    ));
    assert!(matches!(
        registry.submit_order(&kid("nobody"), &bobs, NOW, &limits(OPEN)).await,
        Err(OrderStoreError::TraderMismatch)
    ));
    registry.submit_order(&kid("alice"), &second, at(1), &limits(OPEN)).await.unwrap();
    registry.submit_order(&kid("alice"), &soon, at(2), &limits(OPEN)).await.unwrap();
    registry.submit_order(&kid("bob"), &bobs, at(3), &limits(OPEN)).await.unwrap();

    // A new handle (a restart, another instance) sees the same orders, sizes past 2^64 exact.
    drop(registry);
    let registry = open().await;
    assert_eq!(registry.order(&first.hash()).await.unwrap().unwrap(), stored);
    assert_eq!(registry.order(&OrderHash([0; 32])).await.unwrap(), None);

    let list = |listing: OrderListing, now| {
        let registry = &registry;
        async move { hashes(&registry.orders(&listing, now).await.unwrap()) }
    };
    let alices = OrderListing { trader: alice.address(), market_id: None, status: None, limit: 1000 };
    let bobs_list = OrderListing { trader: bob.address(), ..alices };
    assert_eq!(list(alices, at(5)).await, [soon.hash(), second.hash(), first.hash()]);
    assert_eq!(list(bobs_list, at(5)).await, [bobs.hash()]);
    assert_eq!(list(OrderListing { limit: 2, ..alices }, at(5)).await, [soon.hash(), second.hash()]);
    let market_a = OrderListing { market_id: Some(MarketId::parse(MARKET_A).unwrap()), ..alices };
    assert_eq!(list(market_a, at(5)).await, [soon.hash(), first.hash()]);
    assert_eq!(list(OrderListing { limit: 1, ..market_a }, at(5)).await, [soon.hash()]);
    // "0x001f" is the same bytes32 as "0x1f".
    let padded = OrderListing { market_id: Some(MarketId::parse(b"0x001f").unwrap()), ..alices };
    assert_eq!(list(padded, at(5)).await, [second.hash()]);
    // Past `soon`'s expiration it is listed as expired, not open.
    let open = |l: OrderListing| OrderListing { status: Some(OrderStatus::Open), ..l };
    let expired = OrderListing { status: Some(OrderStatus::Expired), ..alices };
    assert_eq!(list(open(alices), at(5)).await, [soon.hash(), second.hash(), first.hash()]);
    assert_eq!(list(open(alices), at(10)).await, [second.hash(), first.hash()]);
    assert_eq!(list(open(market_a), at(10)).await, [first.hash()]);
    assert_eq!(list(expired, at(10)).await, [soon.hash()]);
    assert_eq!(registry.order(&soon.hash()).await.unwrap().unwrap().status_at(at(10)), OrderStatus::Expired);

    // The open-order limit: alice holds three live open orders at 5 s, two at 10 s.
    let fourth = order(&alice, MARKET_B, 40, later);
    assert!(matches!(
        registry.submit_order(&kid("alice"), &fourth, at(5), &limits(3)).await,
        Err(OrderStoreError::TooManyOpen(3))
    ));
    assert!(
        matches!(
            registry.submit_order(&kid("alice"), &first, at(5), &limits(3)).await,
            Err(OrderStoreError::Duplicate)
        ),
        "a second copy is a duplicate, whatever the limit"
    );
    registry.submit_order(&kid("alice"), &fourth, at(10), &limits(3)).await.unwrap();
    registry.cancel_order(&kid("alice"), &fourth.hash(), at(10)).await.unwrap();

    // Cancels: only the trader's key, only open orders.
    assert!(matches!(
        registry.cancel_order(&kid("bob"), &first.hash(), at(5)).await,
        Err(OrderStoreError::TraderMismatch)
    ));
    let cancelled = registry.cancel_order(&kid("alice"), &first.hash(), at(5)).await.unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert!(matches!(
        registry.cancel_order(&kid("alice"), &first.hash(), at(6)).await,
        Err(OrderStoreError::NotOpen(OrderStatus::Cancelled))
    ));
    assert!(matches!(
        registry.cancel_order(&kid("alice"), &soon.hash(), at(10)).await,
        Err(OrderStoreError::NotOpen(OrderStatus::Expired))
    ));
    assert!(matches!(
        registry.cancel_order(&kid("alice"), &OrderHash([7; 32]), NOW).await,
        Err(OrderStoreError::NotFound)
    ));
    let cancelled_list = OrderListing { status: Some(OrderStatus::Cancelled), ..alices };
    assert_eq!(list(cancelled_list, at(11)).await, [fourth.hash(), first.hash()]);
    // A cancelled order cannot come back by being posted again.
    assert!(matches!(
        registry.submit_order(&kid("alice"), &first, at(7), &limits(OPEN)).await,
        Err(OrderStoreError::Duplicate)
    ));

    // Clearing a market takes the key's wallet's open orders there, and nothing else.
    let again = order(&alice, MARKET_A, 6, later);
    registry.submit_order(&kid("alice"), &again, at(7), &limits(OPEN)).await.unwrap();
    let market = MarketId::parse(MARKET_A).unwrap();
    assert_eq!(registry.cancel_market_orders(&kid("alice"), &market, at(11)).await.unwrap(), [again.hash()]);
    assert!(registry.cancel_market_orders(&kid("alice"), &market, at(12)).await.unwrap().is_empty());
    assert_eq!(registry.order(&bobs.hash()).await.unwrap().unwrap().status, OrderStatus::Open);
    assert_eq!(registry.order(&second.hash()).await.unwrap().unwrap().status, OrderStatus::Open);
}

/// The third review's recycling, scaled down: ten rounds of "post the open-order limit, cancel
/// the market" stored ten limits' worth; now a wallet keeps at most its open limit and
/// `max_closed` more, closed orders go after the retention, and the store keeps at most
/// `max_stored` (the earliest closed go first; with none closed, an order is refused).
async fn lifecycle<F: core::future::Future<Output = Registry>>(open: impl Fn() -> F) {
    let registry = open().await;
    let wallets: Vec<WalletKey> = (1..=4).map(|n| wallet(0x10 + n)).collect();
    for (i, w) in wallets.iter().enumerate() {
        registry.register(&entry(&format!("w{i}"), w), Proof::Documented, NOW).await.unwrap();
    }
    let limits = OrderLimits { max_open: 3, max_closed: 2, retention_secs: 100, max_stored: 9 };
    let later = (NOW.0 + 3_600) as u64;
    let market = MarketId::parse(MARKET_A).unwrap();
    let mut nonce = 0;
    let mut kept = Vec::new();
    for round in 0..10 {
        for _ in 0..3 {
            nonce += 1;
            let signed = order(&wallets[0], MARKET_A, nonce, later);
            registry.submit_order(&kid("w0"), &signed, at(round), &limits).await.unwrap();
        }
        assert_eq!(registry.cancel_market_orders(&kid("w0"), &market, at(round)).await.unwrap().len(), 3);
        kept.push(registry.stored_orders().await.unwrap());
    }
    println!("order recycling, 10 rounds of 3 posted and cancelled (open limit 3, closed 2): kept {kept:?}");
    assert_eq!(kept, [3, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
    // The newest closed are the ones kept.
    let all = OrderListing { trader: wallets[0].address(), market_id: None, status: None, limit: 100 };
    let listed = registry.orders(&all, at(20)).await.unwrap();
    assert!(listed.iter().all(|r| r.created_at >= at(8)), "{:?}", hashes(&listed));

    // Past the retention, closed orders go (cancelled at 9: due at 109), in batches.
    assert_eq!(registry.prune_orders(at(108), 100, 10).await.unwrap(), 2);
    assert_eq!(registry.prune_orders(at(109), 100, 2).await.unwrap(), 2);
    assert_eq!(registry.prune_orders(at(109), 100, 2).await.unwrap(), 1);
    assert_eq!(registry.stored_orders().await.unwrap(), 0);
    assert!(registry.orders(&all, at(200)).await.unwrap().is_empty());
    // An expired order closes at its expiration.
    let short = order(&wallets[0], MARKET_B, 1_000, (NOW.0 + 300) as u64);
    registry.submit_order(&kid("w0"), &short, at(200), &limits).await.unwrap();
    assert_eq!(registry.prune_orders(at(399), 100, 10).await.unwrap(), 0);
    assert_eq!(registry.prune_orders(at(400), 100, 10).await.unwrap(), 1);

    // In all: at the most kept, the earliest closed goes; with none closed, a refusal.
    let mut posted = Vec::new();
    for (i, w) in wallets.iter().enumerate().take(3) {
        for _ in 0..3 {
            nonce += 1;
            let signed = order(w, MARKET_A, nonce, later);
            registry.submit_order(&kid(&format!("w{i}")), &signed, at(500), &limits).await.unwrap();
            posted.push(signed);
        }
    }
    assert_eq!(registry.stored_orders().await.unwrap(), 9);
    nonce += 1;
    let tenth = order(&wallets[3], MARKET_A, nonce, later);
    let full = registry.submit_order(&kid("w3"), &tenth, at(501), &limits).await.unwrap_err();
    assert!(matches!(full, OrderStoreError::Full), "{full:?}");
    assert_eq!(full.to_string(), "order store full");
    registry.cancel_order(&kid("w1"), &posted[4].hash(), at(502)).await.unwrap();
    registry.submit_order(&kid("w3"), &tenth, at(503), &limits).await.unwrap();
    assert!(registry.order(&posted[4].hash()).await.unwrap().is_none(), "the closed one made room");
    assert_eq!(registry.stored_orders().await.unwrap(), 9);
}

#[test]
fn redb_order_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    block(lifecycle(|| async { Registry::from(RedbRegistry::open_or_create(&path).unwrap()) }));
}

#[test]
fn postgres_order_lifecycle() {
    let server = PostgresServer::start();
    let url = server.url();
    block(lifecycle(|| postgres_registry(&url, 4)));
}

#[test]
fn redb_order_semantics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    block(semantics(|| async { Registry::from(RedbRegistry::open_or_create(&path).unwrap()) }));
}

#[test]
fn postgres_order_semantics() {
    let server = PostgresServer::start();
    let url = server.url();
    block(semantics(|| postgres_registry(&url, 4)));
}

#[test]
fn postgres_one_order_posted_sixteen_times_at_once_is_stored_once() {
    let server = PostgresServer::start();
    let url = server.url();
    let alice = wallet(0xa1);
    let signed = order(&alice, MARKET_A, 9, (NOW.0 + 3_600) as u64);
    block(async {
        postgres_registry(&url, 4)
            .await
            .register(&entry("alice", &alice), Proof::Documented, NOW)
            .await
            .unwrap()
    });
    let outcomes = support::at_once(16, move |_, runtime| {
        let registry = runtime.block_on(postgres_registry(&url, 4));
        runtime.block_on(registry.submit_order(&kid("alice"), &signed, NOW, &limits(OPEN)))
    });
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| o.is_ok() || matches!(o, Err(OrderStoreError::Duplicate))));
}

#[test]
fn postgres_tampered_rows_fail_closed_and_a_down_store_is_503() {
    let mut server = PostgresServer::start();
    let url = server.url();
    let alice = wallet(0xa1);
    let (one, two) = (order(&alice, MARKET_A, 1, 2_000_000_000), order(&alice, MARKET_A, 2, 2_000_000_000));
    let registry = block(postgres_registry(&url, 4));
    block(registry.register(&entry("alice", &alice), Proof::Documented, NOW)).unwrap();
    block(registry.submit_order(&kid("alice"), &one, NOW, &limits(OPEN))).unwrap();
    block(registry.submit_order(&kid("alice"), &two, NOW, &limits(OPEN))).unwrap();
    // Another valid order's body under this row's hash: read, it must be refused, not served.
    block(async {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client
            .execute(
                "UPDATE signet_orders SET body = (SELECT body FROM signet_orders WHERE order_hash = $2) WHERE order_hash = $1",
                &[&one.hash().0.as_slice(), &two.hash().0.as_slice()],
            )
            .await
            .unwrap();
    });
    assert!(matches!(
        block(registry.order(&one.hash())),
        Err(OrderStoreError::Registry(RegistryError::Corrupt(_)))
    ));
    let anyone = OrderListing { trader: alice.address(), market_id: None, status: None, limit: 10 };
    assert!(block(registry.orders(&anyone, NOW)).is_err());
    assert_eq!(block(registry.order(&two.hash())).unwrap().unwrap().signed, two);

    server.stop();
    let down = block(registry.order(&two.hash())).unwrap_err();
    assert!(matches!(down, OrderStoreError::Registry(RegistryError::Unavailable)));
    assert_eq!(down.to_string(), "order store unavailable");
    let down = block(registry.submit_order(
        &kid("alice"),
        &order(&alice, MARKET_A, 3, 2_000_000_000),
        NOW,
        &limits(OPEN),
    ))
    .unwrap_err();
    assert!(matches!(down, OrderStoreError::Registry(RegistryError::Unavailable)));
}

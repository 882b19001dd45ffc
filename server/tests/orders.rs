//! Orders end to end over loopback HTTP: the Turbine client signs (a wallet in software, or a
//! signing device over an in-memory link that shows the order and waits for its button), the
//! server checks signature, domain and trader, keeps the order, lists, fetches and cancels it,
//! and refuses each kind of bad order with its status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::sync::Arc;
use std::sync::mpsc::channel;

use signet_core::Clock;
use signet_core::eth::{Address, EthSignature, WalletKey};
use signet_core::turbine::order::MAX_ORDER_BODY_LEN;
use signet_core::turbine::order::{MarketId, OrderDomain, OrderHash, Outcome, Side, SignedOrder};
use signet_core::turbine::order::{OrderQuery, OrderStatus};
use signet_embedded::sim::{NoDelay, SimulatedButton, SimulatedDisplay, SimulatedLed, SimulatedRtc};
use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, RtcClock};
use signet_server::http::turbine_routes;
use signet_server::store::RedbRegistry;
use signet_server::{Registry, VerifierService};
use signet_std::device::DeviceClient;
use signet_std::turbine::NewOrder;
use signet_std::{ClientError, SystemClock, TurbineApiKey, TurbineClient, os_rng};
use support::{duplex, serve_router};

const MARKET: &[u8] = b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928";

fn serve(domain: OrderDomain) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::from(RedbRegistry::open_or_create(&dir.path().join("keys.redb")).unwrap());
    let service = Arc::new(VerifierService::new(registry).with_order_domain(domain));
    (serve_router(turbine_routes(service)), dir)
}

fn new_order(side: Side, price: u32) -> NewOrder {
    NewOrder {
        market_id: MarketId::parse(MARKET).unwrap(),
        side,
        outcome: Outcome::Yes,
        price,
        size: 12_500_000,
        expiration: None,
        nonce: None,
        maker_fee_recipient: None,
    }
}

/// The server's answer for `body` posted to `base` with a fresh token of `key`.
fn post_raw(base: &str, key: &TurbineApiKey, body: &str) -> (u16, String) {
    let url = format!("{base}/api/v1/orders");
    let response = ureq::post(&url)
        .header("Authorization", &TurbineClient::bearer(key))
        .config()
        .http_status_as_error(false)
        .build()
        .send(body.as_bytes())
        .unwrap();
    let status = response.status().as_u16();
    (status, response.into_body().read_to_string().unwrap())
}

/// The status and body of a refusal.
fn refusal<T: core::fmt::Debug>(result: Result<T, ClientError>) -> (u16, String) {
    match result {
        Err(ClientError::Status { status, body }) => (status, body),
        other => panic!("{other:?}"),
    }
}

fn body(signed: &SignedOrder) -> String {
    let mut buf = [0u8; MAX_ORDER_BODY_LEN];
    signed.write_body(&mut buf).unwrap().to_owned()
}

#[test]
fn wallet_signed_orders_are_checked_kept_listed_and_cancelled() {
    let domain = OrderDomain::for_chain(137).unwrap();
    let (base, _dir) = serve(domain);
    let client = TurbineClient::new(&base);
    let (alice, bob) = (WalletKey::generate(&mut os_rng()), WalletKey::generate(&mut os_rng()));
    let (alice_key, bob_key) =
        (client.register_api_key(&alice, None).unwrap(), client.register_api_key(&bob, None).unwrap());

    // The market names the server's domain; the client signs in it.
    let market = client.market(&MarketId::parse(MARKET).unwrap()).unwrap();
    assert_eq!((market.chain_id, market.settlement_address), (137, domain.verifying_contract()));
    let posted = client.create_order(&alice_key, &mut &alice, &new_order(Side::Buy, 642_000)).unwrap();
    let hash = posted.accepted.order_hash;
    assert_eq!(hash, posted.signed.hash());
    assert_eq!(posted.signed.verify(&domain), Ok(()));
    let view = client.order(&alice_key, &hash).unwrap();
    assert_eq!(
        (view.trader, view.price, view.size, view.status.as_str()),
        (alice.address(), 642_000, 12_500_000, "open")
    );
    let now = SystemClock.now().0 as u64;
    assert!((now + 3_590..=now + 3_600).contains(&view.expiration), "the SDK's one-hour default");
    let nonce_time = (view.nonce >> 32) as u64;
    assert!(
        (now - 5..=now).contains(&nonce_time) && view.nonce < 1 << 64,
        "the SDK's nonce: time, 32 random bits"
    );

    // Refusals, each with its status and text.
    assert_eq!(
        refusal(client.post_order_with(&TurbineClient::bearer(&alice_key), &posted.signed)),
        (409, r#"{"error":"order already submitted"}"#.to_owned())
    );
    let bobs = new_order(Side::Sell, 100_000)
        .build(bob.address(), SystemClock.now())
        .unwrap()
        .sign(&domain, &bob)
        .unwrap();
    assert_eq!(
        refusal(client.post_order_with(&TurbineClient::bearer(&alice_key), &bobs)),
        (403, r#"{"error":"order trader is not the wallet of this API key"}"#.to_owned())
    );
    let other_chain = OrderDomain::for_chain(84532).unwrap();
    let wrong_domain = new_order(Side::Buy, 1)
        .build(alice.address(), SystemClock.now())
        .unwrap()
        .sign(&other_chain, &alice)
        .unwrap();
    assert_eq!(
        post_raw(&base, &alice_key, &body(&wrong_domain)),
        (400, r#"{"error":"order signature is not by its trader"}"#.to_owned())
    );
    let tampered = body(&posted.signed).replace(r#""price":642000"#, r#""price":642001"#);
    assert_eq!(post_raw(&base, &alice_key, &tampered).0, 400);
    let expired = NewOrder { expiration: Some(now - 1), ..new_order(Side::Buy, 5) };
    let expired = expired.build(alice.address(), SystemClock.now()).unwrap().sign(&domain, &alice).unwrap();
    assert_eq!(
        post_raw(&base, &alice_key, &body(&expired)),
        (400, r#"{"error":"order has expired"}"#.to_owned())
    );
    assert_eq!(
        post_raw(&base, &alice_key, r#"{"order":{},"signature":"0x"}"#),
        (400, r#"{"error":"missing order field: marketId"}"#.to_owned())
    );
    assert_eq!(post_raw(&base, &alice_key, "not json").0, 400);
    // Out of range before anything is signed or sent.
    assert!(matches!(
        client.create_order(&alice_key, &mut &alice, &new_order(Side::Buy, 1_000_000)),
        Err(ClientError::Order(signet_core::turbine::order::OrderError::Price))
    ));

    // Bob's order under his own key; the lists: each trader sees its own orders only.
    client.post_order_with(&TurbineClient::bearer(&bob_key), &bobs).unwrap();
    let listed = |key, query: &OrderQuery| -> Vec<OrderHash> {
        client.orders(key, query).unwrap().iter().map(|o| o.order_hash).collect()
    };
    assert_eq!(listed(&alice_key, &OrderQuery::default()), [hash]);
    assert_eq!(listed(&bob_key, &OrderQuery::default()), [bobs.hash()]);
    let alices = OrderQuery { trader: Some(alice.address()), ..OrderQuery::default() };
    assert_eq!(listed(&alice_key, &alices), [hash]);
    assert_eq!(
        refusal(client.orders(&bob_key, &alices)),
        (403, r#"{"error":"orders of another trader are not listed"}"#.to_owned())
    );
    let header = TurbineClient::bearer(&bob_key);
    let path = format!("/api/v1/users/{}/orders", alice.address());
    assert_eq!(client.send_raw("GET", &path, Some(&header)).unwrap().0, 403);
    // Another trader's order is not found, as if it did not exist.
    assert_eq!(refusal(client.order(&bob_key, &hash)).0, 404);
    assert_eq!(client.order(&alice_key, &hash).unwrap().order_hash, hash);
    let header = TurbineClient::bearer(&alice_key);
    assert_eq!(listed_raw(&client, &header, "/api/v1/orders?limit=1").len(), 1);

    // Cancels: the SDK's checks, only the trader, only once.
    let market_id = MarketId::parse(MARKET).unwrap();
    let elsewhere = MarketId::parse(b"0x1f").unwrap();
    assert_eq!(refusal(client.cancel_order(&alice_key, &hash, Some(&elsewhere), None)).0, 400);
    assert_eq!(refusal(client.cancel_order(&alice_key, &hash, None, Some(Side::Sell))).0, 400);
    // Another trader's order is not found to a cancel either, with or without parameters, and
    // mismatching parameters do not tell it exists (the third review: 403, and 400 first).
    let not_found = (404, r#"{"error":"order not found"}"#.to_owned());
    assert_eq!(refusal(client.cancel_order(&bob_key, &hash, None, None)), not_found);
    assert_eq!(refusal(client.cancel_order(&bob_key, &hash, Some(&elsewhere), None)), not_found);
    assert_eq!(refusal(client.cancel_order(&bob_key, &hash, None, Some(Side::Sell))), not_found);
    assert_eq!(refusal(client.cancel_order(&bob_key, &OrderHash([9; 32]), None, None)), not_found);
    let cancelled = client.cancel_order(&alice_key, &hash, Some(&market_id), Some(Side::Buy)).unwrap();
    assert_eq!((cancelled.cancelled, cancelled.order_hashes.as_slice()), (1, &[hash][..]));
    assert_eq!(refusal(client.cancel_order(&alice_key, &hash, None, None)).0, 409);
    assert_eq!(refusal(client.order(&alice_key, &OrderHash([9; 32]))).0, 404);
    let open = OrderQuery { status: Some(OrderStatus::Open), ..OrderQuery::default() };
    assert!(listed(&alice_key, &open).is_empty());
    assert_eq!(listed(&bob_key, &open), [bobs.hash()]);
    assert_eq!(client.cancel_market_orders(&bob_key, &market_id).unwrap().order_hashes, [bobs.hash()]);
    // Bad parameters.
    let header = TurbineClient::bearer(&alice_key);
    assert_eq!(client.send_raw("GET", "/api/v1/orders?status=done", Some(&header)).unwrap().0, 400);
    assert_eq!(
        client.send_raw("GET", "/api/v1/orders/0x12", Some(&TurbineClient::bearer(&alice_key))).unwrap().0,
        400
    );
    assert_eq!(
        client.send_raw("DELETE", "/api/v1/orders", Some(&TurbineClient::bearer(&alice_key))).unwrap().0,
        400
    );
    assert_eq!(client.send_raw("GET", "/api/v1/markets/0xzz", None).unwrap().0, 400);
    // Without a token, nothing.
    assert_eq!(client.send_raw("GET", "/api/v1/orders", None).unwrap().0, 401);

    // The malleable twin of a valid signature (n - s, the other parity, v written 0/1): the
    // same signer, so accepted, and stored in the canonical form the SDK writes.
    let signed = new_order(Side::Buy, 7)
        .build(alice.address(), SystemClock.now())
        .unwrap()
        .sign(&domain, &alice)
        .unwrap();
    let twin = SignedOrder {
        signature: EthSignature::from_bytes(high_s_twin(signed.signature.to_bytes())),
        ..signed
    };
    assert_ne!(twin.signature, signed.signature);
    assert_eq!(post_raw(&base, &alice_key, &body(&twin)).0, 200);
    assert_eq!(
        client.order(&alice_key, &signed.hash()).unwrap().signature,
        signed.signature.to_hex().as_str()
    );
}

/// `(r, n - s)` with `v` flipped and written as 0/1: the same signer's other signature.
fn high_s_twin(bytes: [u8; 65]) -> [u8; 65] {
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba,
        0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
    ];
    let mut out = bytes;
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(N[i]) - i16::from(bytes[32 + i]) - borrow;
        out[32 + i] = d.rem_euclid(256) as u8;
        borrow = i16::from(d < 0);
    }
    out[64] = 1 - (bytes[64] - 27);
    out
}

/// The orders a raw listing answered.
fn listed_raw(client: &TurbineClient, header: &str, path: &str) -> Vec<serde_json::Value> {
    let (status, body) = client.send_raw("GET", path, Some(header)).unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["orders"].as_array().unwrap().clone()
}

#[test]
fn a_client_on_another_chain_than_the_server_does_not_sign() {
    let (base, _dir) = serve(OrderDomain::for_chain(84532).unwrap());
    let client = TurbineClient::new(&base);
    let wallet = WalletKey::generate(&mut os_rng());
    let key = client.register_api_key(&wallet, None).unwrap();
    match client.create_order(&key, &mut &wallet, &new_order(Side::Buy, 500_000)) {
        Err(ClientError::InvalidResponse(text)) => {
            assert_eq!(text, "market is on chain 84532, this client signs for chain 137")
        }
        other => panic!("{other:?}"),
    }
    let posted =
        client.with_chain_id(84532).create_order(&key, &mut &wallet, &new_order(Side::Buy, 500_000)).unwrap();
    assert_eq!(posted.signed.verify(&OrderDomain::for_chain(84532).unwrap()), Ok(()));
}

#[test]
fn a_device_shows_the_order_signs_after_the_press_and_the_server_takes_it() {
    let domain = OrderDomain::for_chain(137).unwrap();
    let (base, _dir) = serve(domain);
    let client = TurbineClient::new(&base);
    let wallet = WalletKey::generate(&mut os_rng());
    let address = wallet.address();
    let key = client.register_api_key(&wallet, None).unwrap();

    let (host_end, device_end) = duplex();
    let (shown_tx, shown_rx) = channel();
    std::thread::spawn(move || {
        let config = ButtonConfig { timeout_ms: 100, ..ButtonConfig::default() };
        let button = Button::new(SimulatedButton::presses_every(4), SimulatedLed::default(), NoDelay, config);
        let clock = RtcClock::new(SimulatedRtc::default());
        let rng = rand_core::UnwrapErr(getrandom::SysRng);
        let mut device = Device::new(DeviceKeys::new(wallet), clock, button, rng)
            .with_display(SimulatedDisplay::default());
        let mut link = embedded_io_adapters::std::FromStd::new(device_end);
        while device.serve(&mut link).is_ok() {
            let _ = shown_tx.send(device.display().last.as_str().to_owned());
        }
    });

    let mut device = DeviceClient::new(host_end);
    let posted = client.create_order(&key, &mut device, &new_order(Side::Sell, 358_000)).unwrap();
    assert_eq!(posted.signed.order.trader, address);
    assert_eq!(client.order(&key, &posted.accepted.order_hash).unwrap().status, "open");
    // What the user saw: the order that was signed, to the character.
    let shown: Vec<String> = shown_rx.try_iter().collect();
    let summary = posted.signed.order.summary(&domain).to_string();
    assert!(shown.contains(&summary), "{shown:?} lacks {summary}");
    assert!(summary.starts_with("SELL YES 12.5 @ 0.3580 market 0x7be8…e928 exp "), "{summary}");

    // An order for another trader is refused by the device itself.
    let stranger = new_order(Side::Buy, 1).build(Address::from_bytes([5; 20]), SystemClock.now()).unwrap();
    assert!(matches!(
        device.sign_order(stranger, domain),
        Err(signet_std::device::DeviceClientError::Device(signet_core::link::DeviceError::WrongAddress))
    ));
}

//! The current SDK's other messages end to end over loopback HTTP: a Rust client (a wallet in
//! software, or a signing device over an in-memory link) signs USDC permits, conditional-token
//! approvals and redemptions; the server checks owner, chain, contracts, deadline, signature
//! and nonce, keeps them, lists them and counts nonces; and an order carries a permit and Bot
//! Studio metadata. Every refusal with its status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::sync::Arc;

use signet_core::eth::{U256, WalletKey};
use signet_core::turbine::order::{MarketId, OrderDomain, Outcome, Side};
use signet_core::turbine::permit::{
    BotMetadata, ChainContracts, IndexSets, MAX_RELAYER_BODY_LEN, RelayerBody, TypedMessage, UsdcPermit,
};
use signet_embedded::sim::{NoDelay, SimulatedButton, SimulatedDisplay, SimulatedLed, SimulatedRtc};
use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, RtcClock};
use signet_server::http::turbine_routes;
use signet_server::store::RedbRegistry;
use signet_server::{Registry, VerifierService};
use signet_std::device::DeviceClient;
use signet_std::turbine::NewOrder;
use signet_std::{ClientError, TurbineApiKey, TurbineClient, os_rng};
use support::{duplex, serve_router};

fn serve() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::from(RedbRegistry::open_or_create(&dir.path().join("keys.redb")).unwrap());
    let service =
        Arc::new(VerifierService::new(registry).with_order_domain(OrderDomain::for_chain(137).unwrap()));
    (serve_router(turbine_routes(service)), dir)
}

fn polygon() -> &'static ChainContracts {
    ChainContracts::of(137).unwrap()
}

fn status(result: Result<impl core::fmt::Debug, ClientError>) -> (u16, String) {
    match result {
        Err(ClientError::Status { status, body }) => (status, body),
        other => panic!("{other:?}"),
    }
}

/// Posts `text` to the relayer endpoint `kind` with a fresh token of `key`.
fn post(base: &str, key: &TurbineApiKey, kind: &str, text: &str) -> (u16, String) {
    let response = ureq::post(&format!("{base}/api/v1/relayer/{kind}"))
        .header("Authorization", &TurbineClient::bearer(key))
        .config()
        .http_status_as_error(false)
        .build()
        .send(text.as_bytes())
        .unwrap();
    let status = response.status().as_u16();
    (status, response.into_body().read_to_string().unwrap())
}

fn permit_of(message: &TypedMessage) -> UsdcPermit {
    match message {
        TypedMessage::Permit(p) => *p,
        other => panic!("{other:?}"),
    }
}

fn body_text(body: &RelayerBody) -> String {
    let mut buf = [0u8; MAX_RELAYER_BODY_LEN];
    body.write(&mut buf).unwrap().to_owned()
}

#[test]
fn permits_approvals_and_redemptions_are_checked_kept_counted_and_listed() {
    let (base, _dir) = serve();
    let client = TurbineClient::new(&base);
    let wallet = WalletKey::generate(&mut os_rng());
    let key = client.register_api_key(&wallet, None).unwrap();
    let owner = wallet.address();
    let usdc = polygon().usdc;
    assert_eq!(client.contract_nonce(&usdc, &owner).unwrap(), U256::ZERO);

    // `approve_usdc_for_settlement()`: unlimited, for ever.
    let answer = client.approve_usdc(&key, &mut &wallet, U256::MAX, Some(U256::MAX)).unwrap();
    assert!(answer.success && answer.tx_hash.is_none(), "{answer:?}");
    assert_eq!(answer.status.as_deref(), Some("accepted"));
    assert_eq!(client.contract_nonce(&usdc, &owner).unwrap(), U256::from_u128(1));

    // The same permit again (its nonce now used): 409. Tampered: 400. Another wallet's: 403.
    let message = TypedMessage::Permit(UsdcPermit {
        owner,
        spender: polygon().settlement,
        value: U256::MAX,
        nonce: U256::ZERO,
        deadline: U256::MAX,
    });
    let first = body_text(&RelayerBody::new(137, message.clone(), message.sign(polygon(), &wallet).unwrap()));
    let (code, text) = post(&base, &key, "usdc-permit", &first);
    assert_eq!(
        (code, text.as_str()),
        (409, r#"{"error":"nonce already used: this message was accepted before"}"#)
    );
    let max = U256::MAX.to_string();
    let tampered = first.replace(&format!(r#""value":"{max}""#), r#""value":"1000""#);
    assert_ne!(tampered, first);
    let (code, text) = post(&base, &key, "usdc-permit", &tampered);
    assert!(code == 400 && text.contains("signature is not the owner's"), "{code} {text}");
    let stranger = WalletKey::generate(&mut os_rng());
    let theirs = TypedMessage::Permit(UsdcPermit { owner: stranger.address(), ..permit_of(&message) });
    let theirs =
        body_text(&RelayerBody::new(137, theirs.clone(), theirs.sign(polygon(), &stranger).unwrap()));
    assert_eq!(post(&base, &key, "usdc-permit", &theirs).0, 403);
    // Another chain, another spender, a deadline past: 400 each, named.
    let (code, text) =
        post(&base, &key, "usdc-permit", &first.replace(r#""chainId":137"#, r#""chainId":84532"#));
    assert!(code == 400 && text.contains("is not this server's chain (137)"), "{text}");
    let odd = TypedMessage::Permit(UsdcPermit {
        spender: stranger.address(),
        nonce: U256::from_u128(1),
        ..permit_of(&message)
    });
    let odd = body_text(&RelayerBody::new(137, odd.clone(), odd.sign(polygon(), &wallet).unwrap()));
    let (code, text) = post(&base, &key, "usdc-permit", &odd);
    assert!(code == 400 && text.contains("spender must be the chain's settlement contract"), "{text}");
    let late = TypedMessage::Permit(UsdcPermit {
        deadline: U256::from_u128(1_000),
        nonce: U256::from_u128(1),
        ..permit_of(&message)
    });
    let late = body_text(&RelayerBody::new(137, late.clone(), late.sign(polygon(), &wallet).unwrap()));
    assert_eq!(
        post(&base, &key, "usdc-permit", &late),
        (400, r#"{"error":"deadline has passed"}"#.to_owned())
    );
    assert_eq!(post(&base, &key, "usdc-permit", "{}").0, 400);

    // `approve_ctf_for_settlement()`, then a revocation; a redemption; a batch of two.
    client.approve_ctf(&key, &mut &wallet, true, None).unwrap();
    client.approve_ctf(&key, &mut &wallet, false, None).unwrap();
    let yes: IndexSets = [U256::from_u128(1)].into_iter().collect();
    client.redeem(&key, &mut &wallet, [0x7d; 32], yes.clone(), Some(polygon().settlement)).unwrap();
    let batch = [([0x01; 32], yes.clone(), None), ([0x02; 32], yes, None)];
    let answer = client.batch_redeem(&key, &mut &wallet, &batch).unwrap();
    assert_eq!(answer.messages.map(|m| m.len()), Some(2));
    assert_eq!(client.contract_nonce(&polygon().ctf, &owner).unwrap(), U256::from_u128(5));

    // Listed to their owner, newest first, and to nobody else.
    let listed = client.relayed(&key).unwrap();
    let kinds: Vec<&str> = listed.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 6);
    assert_eq!(kinds.iter().filter(|k| **k == "ctf-redemption").count(), 3);
    let other_key = client.register_api_key(&stranger, None).unwrap();
    assert!(client.relayed(&other_key).unwrap().is_empty());
    // The nonce endpoint names only the chain's own contracts.
    let (code, _) = status(client.contract_nonce(&polygon().settlement, &owner));
    assert_eq!(code, 400);
}

#[test]
fn an_order_carries_a_permit_and_bot_metadata() {
    let (base, _dir) = serve();
    let client = TurbineClient::new(&base);
    let wallet = WalletKey::generate(&mut os_rng());
    let key = client.register_api_key(&wallet, None).unwrap();
    let new = NewOrder {
        market_id: MarketId::parse(b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928")
            .unwrap(),
        side: Side::Buy,
        outcome: Outcome::Yes,
        price: 500_000,
        size: 2_000_000,
        expiration: None,
        nonce: None,
        maker_fee_recipient: None,
    };
    let permit = client.sign_usdc_permit(&mut &wallet, U256::from_u128(1_000_000), None).unwrap();
    let bot = BotMetadata::new("bot-42", 150).unwrap();
    let posted =
        client.create_order_with_extras(&key, &mut &wallet, &new, Some(permit), Some(bot.clone())).unwrap();
    assert_eq!(client.order(&key, &posted.accepted.order_hash).unwrap().status, "open");
    assert_eq!(client.contract_nonce(&polygon().usdc, &wallet.address()).unwrap(), U256::from_u128(1));
    // The permit's nonce is used: the same permit on another order is refused, named.
    let refused = client.create_order_with_extras(&key, &mut &wallet, &new, Some(permit), None);
    let (code, text) = status(refused);
    assert!(code == 400 && text.contains("permit nonce 0 is not the owner's next (1)"), "{text}");
    // Bot metadata alone.
    client.create_order_with_extras(&key, &mut &wallet, &new, None, Some(bot)).unwrap();
}

#[test]
fn a_device_shows_the_permit_and_signs_it_after_the_presses() {
    let (base, _dir) = serve();
    let client = TurbineClient::new(&base);
    let wallet = WalletKey::generate(&mut os_rng());
    let key = client.register_api_key(&wallet, None).unwrap();
    let (host_end, device_end) = duplex();
    let (shown_tx, shown_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let config = ButtonConfig { timeout_ms: 100, ..ButtonConfig::default() };
        let button = Button::new(SimulatedButton::presses_every(4), SimulatedLed::default(), NoDelay, config);
        let mut device = Device::new(
            DeviceKeys::new(wallet),
            RtcClock::new(SimulatedRtc::default()),
            button,
            rand_core::UnwrapErr(getrandom::SysRng),
        )
        .with_display(SimulatedDisplay::default());
        let mut link = embedded_io_adapters::std::FromStd::new(device_end);
        while device.serve(&mut link).is_ok() {
            let display = device.display();
            let _ = shown_tx.send((display.previous.to_string(), display.last.to_string()));
        }
    });
    let mut device = DeviceClient::new(host_end);
    // The device judges deadlines by its own clock: set it first (a press).
    device.set_time(signet_core::Clock::now(&signet_std::SystemClock)).unwrap();
    let answer = client.approve_usdc(&key, &mut device, U256::MAX, Some(U256::MAX)).unwrap();
    assert!(answer.success);
    let (summary, warning) = shown_rx.try_iter().last().unwrap();
    assert_eq!(summary, "PERMIT UNLIMITED USDC to Turbine settlement, never expires, nonce 0, Polygon");
    assert!(warning.starts_with("WARNING: UNLIMITED allowance"), "{warning}");
}

//! `signet demo`: the whole protocol against a local server, step by step.

use core::net::SocketAddr;
use std::sync::mpsc;

use signet_core::eth::WalletKey;
use signet_core::turbine::order::{MarketId, Outcome, Side};
use signet_core::turbine::order::{OrderQuery, OrderStatus};
use signet_server::serve::{ServeOptions, run as serve};
use signet_std::bitzoom::token_expires_in;
use signet_std::turbine::NewOrder;
use signet_std::{BitzoomClient, ClientError, Secret, TurbineClient, os_rng};

/// Prints one step and remembers whether it behaved as expected.
struct Steps {
    n: usize,
    failed: usize,
}

impl Steps {
    fn check(&mut self, ok: bool, what: &str) {
        self.n += 1;
        println!("[{:>2}] {} {what}", self.n, if ok { "ok  " } else { "FAIL" });
        if !ok {
            self.failed += 1;
        }
    }
}

fn shorten(token: &str) -> String {
    format!("{}…({} chars)", token.get(..24).unwrap_or(token), token.len())
}

/// Runs the demo; true if every step behaved as expected.
///
/// # Errors
/// If the local server cannot start.
pub fn run() -> Result<bool, Box<dyn core::error::Error>> {
    // Owner-only, as signet serve requires of its data folder.
    let mut folder = tempfile::Builder::new();
    #[cfg(unix)]
    folder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let data = folder.tempdir()?;
    let hmac_secret = signet_core::turbine::Nonce::generate(&mut os_rng()).to_string();
    let mut options = ServeOptions::new(SocketAddr::from(([127, 0, 0, 1], 0)), data.path().to_owned());
    options.bitzoom_api_keys = vec![("demo-key".to_owned(), Secret::new(hmac_secret.clone()))];
    // The demo shows Bitzoom's test-token flow too: a throwaway server in test mode.
    options.bitzoom_test_tokens = true;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = serve(&options, |addr| {
            let _ = tx.send(Ok(addr));
        });
        if let Err(e) = result {
            let _ = tx.send(Err(e.to_string()));
        }
    });
    let addr = rx.recv()?.map_err(|e| format!("server: {e}"))?;
    let base = format!("http://{addr}");
    println!("signet demo: verifier listening on {base}, registry in {}", data.path().display());
    println!(
        "signet demo: Ed25519 on {} (curve25519-dalek's fastest on this CPU)",
        signet_std::Ed25519Backend::detect()
    );
    let mut steps = Steps { n: 0, failed: 0 };
    let turbine = TurbineClient::new(&base);

    steps.check(turbine.markets().is_ok(), "GET /api/v1/markets is public (no token)");
    let wallet = WalletKey::generate(&mut os_rng());
    println!("       wallet {}", wallet.address());
    let key = match turbine.register_api_key(&wallet, Some("signet-demo")) {
        Ok(key) => key,
        Err(e) => {
            steps.check(false, &format!("register an API key by wallet signature: {e}"));
            return Ok(false);
        }
    };
    steps.check(true, &format!("registered API key {} by personal_sign (POST /api/v1/api-keys)", key.key_id));
    let again = turbine.register_api_key(&wallet, None);
    steps.check(
        matches!(&again, Err(ClientError::AlreadyRegistered { api_key_id }) if api_key_id == key.key_id.as_str()),
        "a second registration is refused with 409 and the existing api_key_id",
    );

    let header = TurbineClient::bearer(&key);
    println!("       token {}", shorten(header.trim_start_matches("Bearer ")));
    let first = turbine.send_raw("GET", "/api/v1/orders", Some(&header))?;
    steps.check(first.0 == 200, &format!("GET /api/v1/orders with the token -> {}", first.0));
    let replay = turbine.send_raw("GET", "/api/v1/orders", Some(&header))?;
    steps.check(
        replay == (401, r#"{"error":"token already used"}"#.to_owned()),
        &format!("the same token again -> {} {}", replay.0, replay.1),
    );
    let mut tampered = TurbineClient::bearer(&key).into_bytes();
    if let Some(b) = tampered.iter_mut().rev().nth(3) {
        *b = if *b == b'A' { b'B' } else { b'A' };
    }
    let tampered = String::from_utf8(tampered)?;
    let refused = turbine.send_raw("GET", "/api/v1/orders", Some(&tampered))?;
    steps.check(
        refused == (401, r#"{"error":"invalid signature"}"#.to_owned()),
        &format!("a tampered token -> {} {}", refused.0, refused.1),
    );

    let order = NewOrder {
        market_id: MarketId::parse(b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928")?,
        side: Side::Buy,
        outcome: Outcome::Yes,
        price: 642_000,
        size: 12_500_000,
        expiration: None,
        nonce: None,
        maker_fee_recipient: None,
    };
    let hash = match turbine.create_order(&key, &mut &wallet, &order) {
        Ok(posted) => {
            let domain = turbine.order_domain(&order.market_id)?;
            println!("       {}", posted.signed.order.summary(&domain));
            steps.check(
                true,
                &format!(
                    "EIP-712 order signed by the wallet, posted with a fresh token: {}",
                    posted.accepted.order_hash
                ),
            );
            Some(posted.accepted.order_hash)
        }
        Err(e) => {
            steps.check(false, &format!("EIP-712 order signed by the wallet and posted: {e}"));
            None
        }
    };
    let listed = turbine.orders(
        &key,
        &OrderQuery {
            trader: Some(wallet.address()),
            status: Some(OrderStatus::Open),
            ..OrderQuery::default()
        },
    );
    steps.check(
        listed.is_ok_and(|orders| orders.iter().map(|o| Some(o.order_hash)).eq([hash])),
        "GET /api/v1/orders?trader=…&status=open lists it",
    );
    if let Some(hash) = hash {
        let cancelled = turbine.cancel_order(&key, &hash, Some(&order.market_id), Some(Side::Buy));
        steps
            .check(cancelled.is_ok_and(|c| c.cancelled == 1), "DELETE /api/v1/orders/{orderHash} cancels it");
    }

    let bitzoom = BitzoomClient::new(&base).with_test_user("990016");
    match bitzoom.fetch_test_token("990016") {
        Ok(token) => steps.check(
            token_expires_in(&token).is_some_and(|s| s > 86_000),
            &format!(
                "Bitzoom test token for user 990016 (HS256, expires in {} s)",
                token_expires_in(&token).unwrap_or(0)
            ),
        ),
        Err(e) => steps.check(false, &format!("Bitzoom test token: {e}")),
    }
    let balance = bitzoom.balance();
    steps.check(
        balance
            .as_ref()
            .is_ok_and(|b| b.pointer("/data/uid").and_then(serde_json::Value::as_str) == Some("990016")),
        "GET /api/v1/balance with the bearer token",
    );
    let forged = BitzoomClient::new(&base).with_token(Secret::new("eyJhbGciOiJub25lIn0.e30.".into()));
    steps.check(
        matches!(forged.balance(), Err(ClientError::Bitzoom { code: -1022, .. })),
        "an alg=none token -> -1022 Invalid signature",
    );
    let signer = BitzoomClient::new(&base).with_api_key("demo-key", &Secret::new(hmac_secret));
    steps.check(
        signer.signed_get("/api/v1/balance", "asset=USDT").is_ok(),
        "HMAC-signed GET /api/v1/balance (X-BZ-APIKEY, TIMESTAMP, NONCE, SIGNATURE)",
    );
    let body = br#"{"symbol":"BTCUSDT","side":"BUY","quantity":"0.001"}"#;
    steps.check(
        signer.signed_request("POST", "/api/v1/order", "", body).is_ok(),
        "HMAC-signed POST with its exact body",
    );

    if steps.failed == 0 {
        println!("all {} steps behaved as expected", steps.n);
    } else {
        println!("{} of {} steps did not behave as expected", steps.failed, steps.n);
    }
    Ok(steps.failed == 0)
}

//! Signs Turbine orders, for cross-checking against the official SDK and eth-account.
//!
//! Reads lines `<private key hex> <chain id> <settlement contract> <order JSON>` from stdin and
//! answers each with one line: `<digest hex> <order hash> <body>` or `error <text>`.
//! `cargo run -p signet-core --example sign_order < orders.txt`

use std::io::{BufRead, Write};

use signet_core::eth::{Address, WalletKey};
use signet_core::turbine::order::MAX_ORDER_BODY_LEN;
use signet_core::turbine::order::{Order, OrderDomain};

fn sign(line: &str) -> Result<String, String> {
    let mut parts = line.splitn(4, ' ');
    let (Some(key), Some(chain), Some(contract), Some(order)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("expected: key chain contract order-json".into());
    };
    let wallet = WalletKey::from_hex(key).map_err(|e| e.to_string())?;
    let chain: u64 = chain.parse().map_err(|e| format!("chain: {e}"))?;
    let contract: Address = contract.parse().map_err(|e| format!("contract: {e}"))?;
    let domain = OrderDomain::new(chain, contract);
    let order = Order::parse_json(order.as_bytes()).map_err(|e| e.to_string())?;
    let signed = order.sign(&domain, &wallet).map_err(|e| e.to_string())?;
    signed.verify(&domain).map_err(|e| e.to_string())?;
    let mut buf = [0u8; MAX_ORDER_BODY_LEN];
    let body = signed.write_body(&mut buf).map_err(|e| e.to_string())?;
    Ok(format!("{} {} {body}", hex::encode(order.digest(&domain)), order.hash()))
}

fn main() {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let answer = sign(&line).unwrap_or_else(|e| format!("error {e}"));
        if writeln!(out, "{answer}").and_then(|()| out.flush()).is_err() {
            return;
        }
    }
}

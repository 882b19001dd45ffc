//! Signs the current SDK's permits, approvals and redemptions, for cross-checking against
//! eth-account's `sign_typed_data`.
//!
//! Reads lines of JSON `{"key": hex, "chain_id": n, "primary_type": …, "message": {…}}` (uint256
//! values as decimal strings) and answers each with one line: `<digest hex> <signature hex>
//! <relayer body>` or `error <text>`.
//! `cargo run -p signet-std --example sign_permit < messages.jsonl`

use std::io::{BufRead, Write};

use serde_json::Value;
use signet_core::eth::WalletKey;
use signet_core::turbine::permit::{ChainContracts, MAX_RELAYER_BODY_LEN, RelayerBody};
use signet_std::turbine::typed_json::message_of;

fn sign(line: &str) -> Result<String, String> {
    let input: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let text = |name: &str| input.get(name).and_then(Value::as_str).ok_or(format!("missing {name}"));
    let wallet = WalletKey::from_hex(text("key")?).map_err(|e| e.to_string())?;
    let chain_id = input.get("chain_id").and_then(Value::as_u64).ok_or("chain_id")?;
    let chain = ChainContracts::of(chain_id).ok_or("unknown chain")?;
    let message = message_of(text("primary_type")?, input.get("message").ok_or("message")?)?;
    let signature = message.sign(chain, &wallet).map_err(|e| e.to_string())?;
    message.verify(&chain.separators(), &signature).map_err(|e| e.to_string())?;
    let mut buf = [0u8; MAX_RELAYER_BODY_LEN];
    let body = RelayerBody::new(chain_id, message.clone(), signature)
        .write(&mut buf)
        .map_err(|e| e.to_string())?
        .to_owned();
    Ok(format!("{} {} {body}", hex::encode(message.digest(&chain.separators())), signature))
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

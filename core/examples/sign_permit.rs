//! Signs the current SDK's permits, approvals and redemptions, for cross-checking against
//! eth-account's `sign_typed_data`.
//!
//! Reads lines of JSON `{"key": hex, "chain_id": n, "primary_type": …, "message": {…}}` (uint256
//! values as decimal strings) and answers each with one line: `<digest hex> <signature hex>
//! <relayer body>` or `error <text>`.
//! `cargo run -p signet-core --example sign_permit < messages.jsonl`

use std::io::{BufRead, Write};

use serde_json::Value;
use signet_core::eth::{Address, U256, WalletKey};
use signet_core::turbine::permit::{
    ChainContracts, CtfApproval, IndexSets, MAX_RELAYER_BODY_LEN, Redemption, RelayerBody, TypedMessage,
    UsdcPermit,
};

fn text<'a>(v: &'a Value, name: &str) -> Result<&'a str, String> {
    v.get(name).and_then(Value::as_str).ok_or(format!("missing {name}"))
}

fn uint(v: &Value, name: &str) -> Result<U256, String> {
    U256::parse_decimal(text(v, name)?.as_bytes()).ok_or(format!("{name}: not a uint256"))
}

fn address(v: &Value, name: &str) -> Result<Address, String> {
    text(v, name)?.parse().map_err(|e| format!("{name}: {e}"))
}

fn word(v: &Value, name: &str) -> Result<[u8; 32], String> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text(v, name)?.trim_start_matches("0x"), &mut out)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(out)
}

fn message(kind: &str, m: &Value) -> Result<TypedMessage, String> {
    let owner = address(m, "owner")?;
    Ok(match kind {
        "Permit" => TypedMessage::Permit(UsdcPermit {
            owner,
            spender: address(m, "spender")?,
            value: uint(m, "value")?,
            nonce: uint(m, "nonce")?,
            deadline: uint(m, "deadline")?,
        }),
        "SetApprovalForAll" => TypedMessage::Approval(CtfApproval {
            owner,
            operator: address(m, "operator")?,
            approved: m.get("approved").and_then(Value::as_bool).ok_or("approved")?,
            nonce: uint(m, "nonce")?,
            deadline: uint(m, "deadline")?,
        }),
        "RedeemPositions" => {
            let mut index_sets = IndexSets::new();
            for set in m.get("indexSets").and_then(Value::as_array).ok_or("indexSets")? {
                let set =
                    U256::parse_decimal(set.as_str().ok_or("indexSets")?.as_bytes()).ok_or("indexSets")?;
                index_sets.push(set).map_err(|_| "too many index sets")?;
            }
            TypedMessage::Redemption(Redemption {
                owner,
                collateral_token: address(m, "collateralToken")?,
                parent_collection_id: word(m, "parentCollectionId")?,
                condition_id: word(m, "conditionId")?,
                index_sets,
                nonce: uint(m, "nonce")?,
                deadline: uint(m, "deadline")?,
            })
        }
        other => return Err(format!("unknown type {other}")),
    })
}

fn sign(line: &str) -> Result<String, String> {
    let input: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let wallet = WalletKey::from_hex(text(&input, "key")?).map_err(|e| e.to_string())?;
    let chain_id = input.get("chain_id").and_then(Value::as_u64).ok_or("chain_id")?;
    let chain = ChainContracts::of(chain_id).ok_or("unknown chain")?;
    let message = message(text(&input, "primary_type")?, input.get("message").ok_or("message")?)?;
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

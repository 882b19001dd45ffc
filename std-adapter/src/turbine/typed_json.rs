//! The current SDK's typed data as eth-account takes it (`{"types", "primaryType", "domain",
//! "message"}`), read into a [`TypedMessage`]: what a signer that is not eth-account (signet's
//! wallet, a signing device) needs to sign what the SDK builds. Only the three messages the SDK
//! signs besides orders are taken, each in its chain's own domain.

use serde_json::Value;
use signet_core::eth::{Address, U256};
use signet_core::turbine::permit::{
    ChainContracts, CtfApproval, IndexSets, Redemption, TypedMessage, UsdcPermit,
};

fn field<'a>(v: &'a Value, name: &str) -> Result<&'a Value, String> {
    v.get(name).ok_or_else(|| format!("missing {name}"))
}

/// A `uint256` as a decimal string or a JSON integer.
fn uint(v: &Value, name: &str) -> Result<U256, String> {
    match field(v, name)? {
        Value::String(text) => U256::parse_decimal(text.as_bytes()),
        Value::Number(n) => n.as_u64().map(|n| U256::from_u128(n.into())),
        _ => None,
    }
    .ok_or_else(|| format!("{name}: not a uint256"))
}

fn address(v: &Value, name: &str) -> Result<Address, String> {
    field(v, name)?
        .as_str()
        .ok_or_else(|| format!("{name}: not a string"))?
        .parse()
        .map_err(|e| format!("{name}: {e}"))
}

fn bytes32(v: &Value, name: &str) -> Result<[u8; 32], String> {
    let text = field(v, name)?.as_str().ok_or_else(|| format!("{name}: not a string"))?;
    let mut out = [0u8; 32];
    hex::decode_to_slice(text.strip_prefix("0x").unwrap_or(text), &mut out)
        .map_err(|_| format!("{name}: not 32 bytes of hex"))?;
    Ok(out)
}

/// The message of `message` typed `primary_type` (`Permit`, `SetApprovalForAll`,
/// `RedeemPositions`).
///
/// # Errors
/// Text naming the field that is missing or malformed.
pub fn message_of(primary_type: &str, message: &Value) -> Result<TypedMessage, String> {
    let owner = address(message, "owner")?;
    Ok(match primary_type {
        "Permit" => TypedMessage::Permit(UsdcPermit {
            owner,
            spender: address(message, "spender")?,
            value: uint(message, "value")?,
            nonce: uint(message, "nonce")?,
            deadline: uint(message, "deadline")?,
        }),
        "SetApprovalForAll" => TypedMessage::Approval(CtfApproval {
            owner,
            operator: address(message, "operator")?,
            approved: field(message, "approved")?.as_bool().ok_or("approved: not a bool")?,
            nonce: uint(message, "nonce")?,
            deadline: uint(message, "deadline")?,
        }),
        "RedeemPositions" => {
            let mut index_sets = IndexSets::new();
            for set in field(message, "indexSets")?.as_array().ok_or("indexSets: not an array")? {
                let set =
                    uint(&serde_json::json!({ "set": set }), "set").map_err(|_| "indexSets: not uint256s")?;
                index_sets.push(set).map_err(|_| "indexSets: at most 8")?;
            }
            TypedMessage::Redemption(Redemption {
                owner,
                collateral_token: address(message, "collateralToken")?,
                parent_collection_id: bytes32(message, "parentCollectionId")?,
                condition_id: bytes32(message, "conditionId")?,
                index_sets,
                nonce: uint(message, "nonce")?,
                deadline: uint(message, "deadline")?,
            })
        }
        other => return Err(format!("typed data of type {other:?} is not one signet signs")),
    })
}

/// The chain and message of the SDK's full typed data; the domain must be the chain's own for
/// the message (USDC's for a permit, the conditional tokens' otherwise), so a signer signs
/// nothing in a domain it would not show.
///
/// # Errors
/// Text saying what is wrong.
pub fn from_typed_data(typed: &Value) -> Result<(u64, TypedMessage), String> {
    let primary = field(typed, "primaryType")?.as_str().ok_or("primaryType: not a string")?;
    let message = message_of(primary, field(typed, "message")?)?;
    let domain = field(typed, "domain")?;
    let chain_id = field(domain, "chainId")?.as_u64().ok_or("domain chainId: not a chain id")?;
    let chain =
        ChainContracts::of(chain_id).ok_or_else(|| format!("chain {chain_id} has no known contracts"))?;
    let expected = if primary == "Permit" { chain.usdc_domain() } else { chain.ctf_domain() };
    let text = |name: &str| field(domain, name).ok().and_then(Value::as_str).unwrap_or_default().to_owned();
    if text("name") != expected.name
        || text("version") != expected.version
        || address(domain, "verifyingContract")? != expected.verifying_contract
    {
        return Err(format!(
            "domain is not {} {} at {} on chain {chain_id}",
            expected.name, expected.version, expected.verifying_contract
        ));
    }
    Ok((chain_id, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdks_typed_data_is_read_and_a_foreign_domain_refused() {
        let typed = serde_json::json!({
            "types": {},
            "primaryType": "Permit",
            "domain": {"name": "USD Coin", "version": "2", "chainId": 137, "verifyingContract": "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359"},
            "message": {"owner": "0x7bCa59A414e4C059211C7BbfF63ef4686bE6ef46", "spender": "0xdB96C91d9e5930fE3Ed1604603CfA4ece454725c",
                        "value": "115792089237316195423570985008687907853269984665640564039457584007913129639935", "nonce": 3, "deadline": 1767529409u64},
        });
        let (chain, message) = from_typed_data(&typed).unwrap();
        assert_eq!(chain, 137);
        let TypedMessage::Permit(permit) = message else { panic!() };
        assert_eq!((permit.value, permit.nonce), (U256::MAX, U256::from_u128(3)));
        let mut foreign = typed.clone();
        foreign["domain"]["name"] = "Dai".into();
        assert!(from_typed_data(&foreign).unwrap_err().starts_with("domain is not USD Coin 2"));
        let mut unknown = typed;
        unknown["primaryType"] = "Transfer".into();
        assert!(from_typed_data(&unknown).is_err());
    }
}

//! EIP-712 orders with the SDK's domain and order hash, signed by a wallet key.

use pyo3::prelude::*;
use signet_core::eth::{Address, WalletKey};
use signet_core::turbine::order::{MarketId, Order, OrderArgs, OrderDomain, Outcome, Side, SignedOrder};

use crate::failure::failure;

fn signature_error(message: impl Into<String>) -> PyErr {
    failure("signature", message, 0)
}

/// An order's fields, read by attribute from the SDK's `OrderArgs` (or ours) with its nonce
/// already made.
#[derive(FromPyObject)]
pub(crate) struct OrderFields {
    market_id: String,
    side: u8,
    outcome: u8,
    price: u32,
    size: u128,
    nonce: u128,
    expiration: u64,
    maker_fee_recipient: String,
}

/// The order the SDK builds from its arguments (its market id normalised to bytes32).
pub(crate) fn build_order(fields: &OrderFields, trader: Address) -> PyResult<Order> {
    let side = match fields.side {
        0 => Side::Buy,
        1 => Side::Sell,
        _ => return Err(signature_error("Failed to sign order: side must be 0 (BUY) or 1 (SELL)")),
    };
    let outcome = match fields.outcome {
        0 => Outcome::Yes,
        1 => Outcome::No,
        _ => return Err(signature_error("Failed to sign order: outcome must be 0 (YES) or 1 (NO)")),
    };
    let market_id = MarketId::parse(fields.market_id.as_bytes())
        .map_err(|e| signature_error(format!("Failed to sign order: {e}")))?;
    let maker_fee_recipient = fields
        .maker_fee_recipient
        .parse::<Address>()
        .map_err(|e| signature_error(format!("Failed to sign order: makerFeeRecipient: {e}")))?;
    Order::new(OrderArgs {
        market_id,
        trader,
        side,
        outcome,
        price: fields.price,
        size: fields.size,
        nonce: fields.nonce,
        expiration: fields.expiration,
        maker_fee_recipient,
    })
    .map_err(|e| signature_error(format!("Failed to sign order: {e}")))
}

/// The SDK's domain: `Turbine`, version 1, the chain, and the settlement contract given or the
/// chain's.
pub(crate) fn domain(chain_id: u64, verifying_contract: Option<&str>) -> PyResult<OrderDomain> {
    let contract = match verifying_contract {
        Some(text) => {
            text.parse::<Address>().map_err(|e| signature_error(format!("settlement address: {e}")))?
        }
        None => OrderDomain::default_contract(chain_id).ok_or_else(|| {
            signature_error(format!(
                "no settlement contract known for chain {chain_id}: pass settlement_address"
            ))
        })?,
    };
    Ok(OrderDomain::new(chain_id, contract))
}

/// `(signature, order_hash)` as `0x` hex.
pub(crate) fn signed_parts(signed: &SignedOrder) -> (String, String) {
    (signed.signature.to_hex().as_str().to_owned(), signed.hash().to_string())
}

/// The settlement contract the SDK uses on `chain_id`, if it knows one.
#[pyfunction]
pub(crate) fn settlement_address(chain_id: u64) -> Option<String> {
    OrderDomain::default_contract(chain_id).map(|a| a.to_checksummed().as_str().to_owned())
}

/// A wallet key that signs orders. Its `repr` shows the address only.
#[pyclass(frozen, module = "signet_credentials._native")]
pub struct WalletSigner {
    key: WalletKey,
}

#[pymethods]
impl WalletSigner {
    #[new]
    fn new(private_key: &str) -> PyResult<Self> {
        let key = WalletKey::from_hex(private_key)
            .map_err(|e| signature_error(format!("Invalid private key: {e}")))?;
        Ok(WalletSigner { key })
    }

    /// The EIP-55 address.
    #[getter]
    fn address(&self) -> String {
        self.key.address().to_checksummed().as_str().to_owned()
    }

    /// Signs an order for this wallet in the domain of `chain_id` (and `verifying_contract`, or
    /// the chain's): `(signature, order_hash)`.
    #[pyo3(signature = (order, chain_id, verifying_contract=None))]
    fn sign_order(
        &self,
        order: OrderFields,
        chain_id: u64,
        verifying_contract: Option<&str>,
    ) -> PyResult<(String, String)> {
        let order = build_order(&order, self.key.address())?;
        let signed = order
            .sign(&domain(chain_id, verifying_contract)?, &self.key)
            .map_err(|e| signature_error(format!("Failed to sign order: {e}")))?;
        Ok(signed_parts(&signed))
    }

    /// Signs the SDK's typed data (a permit, CTF approval or redemption, as JSON with uint256
    /// values as decimal strings) as eth-account's `sign_typed_data` does: `(v, r, s)`.
    fn sign_typed_data(&self, typed_json: &str) -> PyResult<(u8, String, String)> {
        let (chain_id, message) = crate::typed::parse(typed_json)?;
        let chain = signet_core::turbine::permit::ChainContracts::of(chain_id)
            .ok_or_else(|| signature_error("unknown chain"))?;
        let signature = message.sign(chain, &self.key).map_err(|e| signature_error(e.to_string()))?;
        Ok(crate::typed::parts(&signature))
    }

    fn __repr__(&self) -> String {
        format!("WalletSigner(address={:?})", self.address())
    }
}

//! The SDK's typed data (permits, CTF approvals, redemptions) from Python, and a signature in
//! the parts the SDK posts.

use pyo3::prelude::*;
use signet_core::eth::EthSignature;
use signet_core::turbine::permit::TypedMessage;

use crate::failure::failure;

/// The chain and message of typed data given as JSON text.
pub(crate) fn parse(typed_json: &str) -> PyResult<(u64, TypedMessage)> {
    let value: serde_json::Value =
        serde_json::from_str(typed_json).map_err(|e| failure("signature", format!("typed data: {e}"), 0))?;
    signet_std::turbine::typed_json::from_typed_data(&value)
        .map_err(|e| failure("signature", format!("typed data: {e}"), 0))
}

/// `(v, r, s)`, `r` and `s` as `0x` and 64 hex digits, `v` 27 or 28.
pub(crate) fn parts(signature: &EthSignature) -> (u8, String, String) {
    let bytes = signature.to_bytes();
    let (rs, v) = bytes.split_at(64);
    let (r, s) = rs.split_at(32);
    let v = v.first().copied().unwrap_or(27);
    (if v < 27 { v + 27 } else { v }, format!("0x{}", hex::encode(r)), format!("0x{}", hex::encode(s)))
}

/// The contracts the SDK uses on `chain_id`, if signet knows the chain: `(settlement, ctf,
/// usdc, usdc_name, usdc_version)`, addresses EIP-55.
#[pyfunction]
pub(crate) fn contracts(chain_id: u64) -> Option<(String, String, String, &'static str, &'static str)> {
    signet_core::turbine::permit::ChainContracts::of(chain_id).map(|c| {
        let text = |a: &signet_core::eth::Address| a.to_checksummed().as_str().to_owned();
        (text(&c.settlement), text(&c.ctf), text(&c.usdc), c.usdc_name, c.usdc_version)
    })
}

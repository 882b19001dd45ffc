//! Registration with a wallet key in this process (the current SDK's
//! `TurbineClient.request_api_credentials`).

use pyo3::prelude::*;
use signet_core::eth::WalletKey;
use signet_std::{ClientError, TurbineClient};

use crate::failure::failure;

/// Registers the wallet of `private_key` (hex, `0x` or not) at `host`:
/// `(api_key_id, api_private_key)`, the private key as 64 hex digits. A wallet with a key gets
/// the SDK's error (status 409, the existing key id in its text); one whose key was revoked
/// registers again with the timestamped message.
#[pyfunction]
#[pyo3(signature = (host, private_key, name=None))]
pub(crate) fn request_api_credentials(
    py: Python<'_>,
    host: &str,
    private_key: &str,
    name: Option<&str>,
) -> PyResult<(String, String)> {
    let wallet = WalletKey::from_hex(private_key.trim())
        .map_err(|e| failure("authentication", format!("private_key: {e}"), 0))?;
    let address = wallet.address().to_checksummed();
    py.detach(|| {
        let client = TurbineClient::new(host);
        match client.register_api_key(&wallet, name) {
            Ok(key) => Ok((key.key_id.as_str().to_owned(), hex::encode(key.secret.signing_key().to_bytes()))),
            Err(ClientError::AlreadyRegistered { api_key_id }) => Err(failure(
                "authentication",
                format!("API key already exists for {address}. Key ID: {api_key_id}"),
                409,
            )),
            Err(e) => Err(failure("authentication", format!("registration at {host} failed: {e}"), 0)),
        }
    })
}

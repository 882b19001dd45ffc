//! Turbine bearer tokens, made as the official SDK makes them: `{"kid","n","ts"}` sorted and
//! compact, a 32-hex-digit random nonce, unpadded base64url, Ed25519.

use pyo3::prelude::*;
use signet_core::Clock as _;
use signet_core::ed25519_dalek::SigningKey;
use signet_core::turbine::{Claims, KeyId, MAX_TOKEN_LEN, Nonce, mint};
use signet_std::{SystemClock, os_rng};
use zeroize::Zeroizing;

use crate::failure::failure;

/// The Ed25519 seed of an API private key as the SDK takes it: hex, `0x` or not, 32 bytes or
/// 64 (seed and public key).
pub(crate) fn api_seed(private_key: &str) -> PyResult<Zeroizing<[u8; 32]>> {
    let digits = private_key.strip_prefix("0x").unwrap_or(private_key);
    let bytes = Zeroizing::new(
        hex::decode(digits)
            .map_err(|_| failure("authentication", "Invalid Ed25519 private key: not hex", 0))?,
    );
    let mut seed = Zeroizing::new([0u8; 32]);
    match bytes.len() {
        32 | 64 => seed.copy_from_slice(bytes.get(..32).unwrap_or_default()),
        n => {
            return Err(failure(
                "authentication",
                format!("Invalid Ed25519 private key: {n} bytes, expected 32 or 64"),
                0,
            ));
        }
    }
    Ok(seed)
}

/// An API key that mints tokens. Its `repr` shows the key id only.
#[pyclass(frozen, module = "signet_credentials._native")]
pub struct TokenSigner {
    kid: KeyId,
    key: SigningKey,
}

#[pymethods]
impl TokenSigner {
    #[new]
    fn new(key_id: &str, private_key: &str) -> PyResult<Self> {
        let kid = KeyId::new(key_id)
            .map_err(|e| failure("authentication", format!("Invalid API key id: {e}"), 0))?;
        let seed = api_seed(private_key)?;
        Ok(TokenSigner { kid, key: SigningKey::from_bytes(&seed) })
    }

    /// A fresh token: now, and a new random nonce.
    fn generate_token(&self) -> PyResult<String> {
        let mut nonce = [0u8; 16];
        rand_core::Rng::fill_bytes(&mut os_rng(), &mut nonce);
        let claims = Claims { kid: self.kid.clone(), ts: SystemClock.now(), nonce: Nonce::from_bytes(nonce) };
        let mut buf = [0u8; MAX_TOKEN_LEN];
        mint(&self.key, &claims, &mut buf)
            .map(str::to_owned)
            .map_err(|e| failure("authentication", format!("Failed to generate bearer token: {e}"), 0))
    }

    /// The key id.
    #[getter]
    fn key_id(&self) -> String {
        self.kid.as_str().to_owned()
    }

    /// The Ed25519 public key, hex.
    #[getter]
    fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    fn __repr__(&self) -> String {
        format!("TokenSigner(key_id={:?})", self.kid.as_str())
    }
}

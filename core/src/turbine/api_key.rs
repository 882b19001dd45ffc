//! Turbine API keys as a verifier issues them: a key id and an Ed25519 key pair.

use core::fmt;

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::turbine::key_id::KeyId;
use crate::turbine::keys::KeyRecord;

/// Length of an API private key in text: 64 hex digits of the 32-byte seed.
pub const API_SECRET_HEX_LEN: usize = 64;

/// Bytes of randomness in an issued key id (written as twice as many hex digits).
const KEY_ID_BYTES: usize = 16;

/// The API private key text could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidApiSecret;

impl fmt::Display for InvalidApiSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "invalid API private key: expected hex of a 32-byte seed or a 64-byte seed and public key",
        )
    }
}

impl core::error::Error for InvalidApiSecret {}

/// An API private key: the 32-byte Ed25519 seed. Zeroized on drop; `Debug` shows nothing.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ApiSecret([u8; 32]);

impl ApiSecret {
    /// A secret from its 32-byte seed.
    #[must_use]
    pub const fn from_seed(seed: [u8; 32]) -> Self {
        ApiSecret(seed)
    }

    /// Reads the forms the official clients accept: hex with or without `0x`, of the 32-byte
    /// seed or of the 64-byte seed and public key (whose public half must match the seed).
    ///
    /// # Errors
    /// [`InvalidApiSecret`] for any other text or a public half that does not match.
    pub fn from_hex(text: &str) -> Result<Self, InvalidApiSecret> {
        let digits = text.trim().strip_prefix("0x").unwrap_or(text.trim()).as_bytes();
        let mut bytes = Zeroizing::new([0u8; 64]);
        let len = digits.len() / 2;
        let out = bytes.get_mut(..len).filter(|_| len == 32 || len == 64).ok_or(InvalidApiSecret)?;
        hex::decode_to_slice(digits, out).map_err(|_| InvalidApiSecret)?;
        let (seed, public) = bytes.split_at(32);
        let secret = ApiSecret(seed.try_into().map_err(|_| InvalidApiSecret)?);
        if len == 64 && secret.verifying_key().as_bytes() != public {
            return Err(InvalidApiSecret);
        }
        Ok(secret)
    }

    /// 64 lower-case hex digits of the seed: what registration returns as `api_private_key`
    /// and what the documented client loads with `SigningKey(bytes.fromhex(...))`.
    #[must_use]
    pub fn to_hex(&self) -> Zeroizing<[u8; API_SECRET_HEX_LEN]> {
        let mut out = Zeroizing::new([0u8; API_SECRET_HEX_LEN]);
        crate::text::encode_lower(&self.0, out.as_mut());
        out
    }

    /// The signing key (ed25519-dalek zeroizes it on drop too).
    #[must_use]
    pub fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(&self.0)
    }

    /// The public key a verifier stores.
    #[must_use]
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing_key().verifying_key()
    }
}

impl fmt::Debug for ApiSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiSecret(<redacted>)")
    }
}

/// A newly issued API key: the id and secret go to the client once; the verifier keeps only
/// [`IssuedApiKey::record`].
#[derive(Debug)]
pub struct IssuedApiKey {
    /// The new key id: 32 random lower-case hex digits.
    pub kid: KeyId,
    /// The private key, shown to the client once.
    pub secret: ApiSecret,
}

impl IssuedApiKey {
    /// Draws a new key id and key pair from a CSPRNG.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut id = [0u8; KEY_ID_BYTES];
        rng.fill_bytes(&mut id);
        let mut id_hex = [0u8; 2 * KEY_ID_BYTES];
        crate::text::encode_lower(&id, &mut id_hex);
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(seed.as_mut());
        IssuedApiKey { kid: KeyId::from_hex_digits(&id_hex), secret: ApiSecret(*seed) }
    }

    /// What the verifier stores: the public key, active, no expiry.
    #[must_use]
    pub fn record(&self) -> KeyRecord {
        KeyRecord::active(self.secret.verifying_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::Signer;

    struct Counter(u8);
    impl rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(u32::from(self.0))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(u64::from(self.0))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Counter {}

    #[test]
    fn issues_hex_id_and_a_seed_the_client_can_load() {
        let issued = IssuedApiKey::generate(&mut Counter(0));
        assert_eq!(issued.kid.as_str(), "0102030405060708090a0b0c0d0e0f10");
        let hex = issued.secret.to_hex();
        let text = core::str::from_utf8(hex.as_ref()).unwrap();
        assert_eq!(text.len(), 64);
        let loaded = ApiSecret::from_hex(text).unwrap();
        let sig = loaded.signing_key().sign(b"x");
        assert!(issued.record().verifying_key.verify_strict(b"x", &sig).is_ok());
        assert_eq!(std::format!("{:?}", issued.secret), "ApiSecret(<redacted>)");
    }

    #[test]
    fn reads_every_documented_secret_form() {
        let secret = ApiSecret::from_seed([7; 32]);
        let seed_hex = std::string::String::from_utf8(secret.to_hex().to_vec()).unwrap();
        let public_hex = hex::encode(secret.verifying_key().as_bytes());
        let want = secret.verifying_key();
        for form in [
            seed_hex.clone(),
            std::format!("0x{seed_hex}"),
            seed_hex.to_uppercase(),
            std::format!("{seed_hex}{public_hex}"),
            std::format!("0x{seed_hex}{public_hex}\n"),
        ] {
            assert_eq!(ApiSecret::from_hex(&form).map(|s| s.verifying_key()), Ok(want), "{form}");
        }
        let wrong_public = hex::encode([9u8; 32]);
        for bad in
            [std::format!("{seed_hex}{wrong_public}"), "abcd".into(), std::format!("{seed_hex}00"), "".into()]
        {
            assert!(ApiSecret::from_hex(&bad).is_err(), "{bad}");
        }
    }
}

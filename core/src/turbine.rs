//! Turbine: Ed25519 bearer tokens (mint, parse, verify in the documented order), the key and
//! replay stores the verifier consults, API-key registration by wallet signature, orders
//! ([`order`]) and the other messages the wallet signs ([`permit`]).

pub(crate) mod api_key;
pub(crate) mod claims;
pub(crate) mod error;
pub(crate) mod key_id;
pub(crate) mod keys;
pub(crate) mod nonce;
pub(crate) mod nonce_cache;
pub mod order;
pub(crate) mod payload;
pub mod permit;
pub(crate) mod registration;
pub(crate) mod replay;
pub(crate) mod signer;
pub(crate) mod token;
pub(crate) mod verify;

pub use api_key::{API_SECRET_HEX_LEN, ApiSecret, InvalidApiSecret, IssuedApiKey};
pub use claims::{Claims, MAX_MINTED_PAYLOAD_LEN, MAX_PAYLOAD_LEN};
pub use error::AuthError;
pub use key_id::{KeyId, KeyIdError, MAX_KEY_ID_LEN};
pub use keys::{KeyRecord, KeyRing, KeyRingFull, KeyStatus, KeyStore, KeyStoreError};
pub use nonce::{NONCE_HEX_LEN, NONCE_LEN, Nonce};
pub use nonce_cache::{NONCE_CACHE_WAYS, NonceCache};
pub use registration::{
    REGISTRATION_MESSAGE_LEN, REGISTRATION_MESSAGE_PREFIX, REREGISTRATION_MESSAGE_LEN,
    REREGISTRATION_TIMESTAMP_LABEL, RegistrationRequest, registration_message, reregistration_message,
    verify_registration, verify_reregistration,
};
pub use replay::{ReplayError, ReplayGuard};
pub use signer::PreparedSigningKey;
pub use token::{MAX_TOKEN_LEN, MAX_VERIFY_TOKEN_LEN, MintError, Token, bearer_token, mint, mint_string};
pub use verify::{DEFAULT_MAX_CLOCK_SKEW_SECS, TOKEN_WINDOW_SECS, Verifier, VerifyConfig};

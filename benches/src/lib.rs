//! Fixed inputs shared by the benchmark, the operation counter and the allocation test, so
//! all three measure exactly the same work.
//!
//! Every operation comes in pairs: the raw primitive (the physical limit) and signet's full
//! operation on the same bytes.

pub mod order_peers;
pub mod peers;
pub mod permits;

use ed25519_dalek::hazmat::{ExpandedSecretKey, raw_sign};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use signet_core::bitzoom::jwt::{JwtSigningKey, JwtVerifier, MAX_JWT_LEN};
use signet_core::eth::{EthSignature, WalletKey};
use signet_core::turbine::order::MAX_ORDER_BODY_LEN;
use signet_core::turbine::order::{MarketId, Order, OrderArgs, OrderDomain, Outcome, Side, SignedOrder};
use signet_core::turbine::{
    Claims, KeyId, KeyRecord, KeyRing, MAX_TOKEN_LEN, Nonce, NonceCache, PreparedSigningKey, Verifier, mint,
};
use signet_core::{HmacKey, UnixTime};

/// The time every fixture is minted and verified at.
pub const NOW: UnixTime = UnixTime(1_735_779_017);

/// Bitzoom-style JWT claims.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JwtClaims {
    /// Expiry.
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// User id.
    pub uid: heapless::String<16>,
    /// User name.
    pub uname: heapless::String<16>,
}

/// The Turbine side: one key, one set of claims, the SDK payload and a minted header.
pub struct Turbine {
    /// The API key.
    pub signing_key: SigningKey,
    /// The same key, expanded once.
    pub prepared: PreparedSigningKey,
    /// The expanded secret for `hazmat::raw_sign`.
    pub expanded: ExpandedSecretKey,
    /// Its public half.
    pub verifying_key: VerifyingKey,
    /// The claims every mint uses.
    pub claims: Claims,
    /// The payload bytes the SDK signs for `claims`.
    pub payload: heapless::Vec<u8, { signet_core::turbine::MAX_MINTED_PAYLOAD_LEN }>,
    /// The signature of `payload`.
    pub signature: Signature,
    /// `Bearer <token>` for `claims`.
    pub header: heapless::String<{ MAX_TOKEN_LEN + 7 }>,
    /// A key ring holding the key.
    pub keys: KeyRing<4>,
}

impl Turbine {
    /// Builds the fixture (deterministic).
    #[must_use]
    pub fn new() -> Self {
        let signing_key = SigningKey::from_bytes(&[0x5a; 32]);
        let kid = KeyId::new("e792e6d8c4bd2122").unwrap_or_else(|_| unreachable!());
        let claims = Claims { kid: kid.clone(), ts: NOW, nonce: Nonce::from_bytes([0x42; 16]) };
        let mut buf = [0u8; signet_core::turbine::MAX_MINTED_PAYLOAD_LEN];
        let payload =
            heapless::Vec::from_slice(claims.write_json(&mut buf).unwrap_or_default()).unwrap_or_default();
        let mut token = [0u8; MAX_TOKEN_LEN];
        let mut header = heapless::String::new();
        let _ = header.push_str("Bearer ");
        let _ = header.push_str(mint(&signing_key, &claims, &mut token).unwrap_or_default());
        let mut keys = KeyRing::new();
        let _ = keys.insert(kid, KeyRecord::active(signing_key.verifying_key()));
        Turbine {
            prepared: PreparedSigningKey::new(&signing_key),
            expanded: ExpandedSecretKey::from(signing_key.as_bytes()),
            verifying_key: signing_key.verifying_key(),
            signature: signing_key.sign(&payload),
            signing_key,
            claims,
            payload,
            header,
            keys,
        }
    }

    /// Raw Ed25519 signing of the payload with `SigningKey::sign`.
    pub fn raw_sign(&self) -> Signature {
        self.signing_key.sign(&self.payload)
    }

    /// Raw Ed25519 signing with a precomputed expanded key (`hazmat::raw_sign`).
    pub fn raw_sign_expanded(&self) -> Signature {
        raw_sign::<sha2::Sha512>(&self.expanded, &self.payload, &self.verifying_key)
    }

    /// signet's mint with a `SigningKey`.
    pub fn mint(&self, out: &mut [u8; MAX_TOKEN_LEN]) -> usize {
        mint(&self.signing_key, &self.claims, out).map_or(0, str::len)
    }

    /// signet's mint with a `PreparedSigningKey`.
    pub fn mint_prepared(&self, out: &mut [u8; MAX_TOKEN_LEN]) -> usize {
        mint(&self.prepared, &self.claims, out).map_or(0, str::len)
    }

    /// Raw `verify_strict` of the payload.
    pub fn raw_verify(&self) -> bool {
        self.verifying_key.verify_strict(&self.payload, &self.signature).is_ok()
    }

    /// signet's full verification of the header: parse, lookup, `verify_strict`, and the replay
    /// insert into a fresh cache (so the same token stays acceptable).
    pub fn verify(&self) -> bool {
        let mut cache = NonceCache::<1>::new();
        Verifier::new(&self.keys, &mut cache).verify(Some(self.header.as_bytes()), NOW).is_ok()
    }
}

impl Turbine {
    /// Everything `verify` does except `verify_strict`: header and token parsing, key lookup,
    /// and the replay insert. Its cost is signet's whole overhead over the raw primitive.
    pub fn verify_overhead(&self) -> bool {
        use signet_core::turbine::{KeyStore as _, ReplayGuard as _};
        let Ok(token) = signet_core::turbine::bearer_token(self.header.as_bytes())
            .and_then(signet_core::turbine::Token::parse)
        else {
            return false;
        };
        let Some(kid) = token.kid() else { return false };
        let found = self.keys.lookup(kid).is_ok_and(|r| r.is_some());
        let mut cache = NonceCache::<1>::new();
        found && cache.check_and_record(kid, token.nonce(), NOW, NOW).is_ok()
    }
}

impl Default for Turbine {
    fn default() -> Self {
        Self::new()
    }
}

/// The Ethereum side: a wallet, the registration message and its signature.
pub struct Wallet {
    /// The wallet key.
    pub key: WalletKey,
    /// The registration message for its address.
    pub message: heapless::String<{ signet_core::turbine::REGISTRATION_MESSAGE_LEN }>,
    /// Its `personal_sign`.
    pub signature: EthSignature,
}

impl Wallet {
    /// Builds the fixture (deterministic).
    #[must_use]
    pub fn new() -> Self {
        let key = WalletKey::from_bytes(&[0x11; 32]).unwrap_or_else(|_| unreachable!());
        let message = signet_core::turbine::registration_message(&key.address().to_checksummed())
            .unwrap_or_else(|_| unreachable!());
        let signature = key.personal_sign(message.as_bytes());
        Wallet { key, message, signature }
    }
}

impl Default for Wallet {
    fn default() -> Self {
        Self::new()
    }
}

/// Turbine orders: the first order vector's fields signed by a fixed wallet on Polygon, its
/// digest, and the body the SDK would post.
pub struct Orders {
    /// The trader's wallet.
    pub key: WalletKey,
    /// Polygon and the SDK's settlement contract.
    pub domain: OrderDomain,
    /// The order.
    pub order: Order,
    /// The order signed.
    pub signed: SignedOrder,
    /// Its EIP-712 digest.
    pub digest: [u8; 32],
    /// The body posted to `/api/v1/orders`.
    pub body: heapless::Vec<u8, MAX_ORDER_BODY_LEN>,
}

impl Orders {
    /// Builds the fixture (deterministic).
    #[must_use]
    pub fn new() -> Self {
        let key = WalletKey::from_bytes(&[0x11; 32]).unwrap_or_else(|_| unreachable!());
        let domain = OrderDomain::for_chain(137).unwrap_or_else(|| unreachable!());
        let market = b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928";
        let order = Order::new(OrderArgs {
            market_id: MarketId::parse(market).unwrap_or_else(|_| unreachable!()),
            trader: key.address(),
            side: Side::Buy,
            outcome: Outcome::Yes,
            price: 939_880,
            size: 234_451_667_152_558,
            nonce: 7_590_176_159_287_148_326,
            expiration: 1_767_229_200,
            maker_fee_recipient: signet_core::eth::Address::from_bytes([0; 20]),
        })
        .unwrap_or_else(|_| unreachable!());
        let signed = order.sign(&domain, &key).unwrap_or_else(|_| unreachable!());
        let mut buf = [0u8; MAX_ORDER_BODY_LEN];
        let body = signed.write_body(&mut buf).unwrap_or_else(|_| unreachable!());
        let body = heapless::Vec::from_slice(body.as_bytes()).unwrap_or_else(|_| unreachable!());
        Orders { digest: order.digest(&domain), key, domain, order, signed, body }
    }

    /// The raw primitive: a wallet signature over the precomputed digest.
    #[must_use]
    pub fn raw_sign(&self) -> EthSignature {
        self.key.sign_prehash(&self.digest)
    }

    /// The raw primitive: recovering the signer of the precomputed digest.
    #[must_use]
    pub fn raw_recover(&self) -> bool {
        signet_core::eth::recover_prehash(&self.digest, &self.signed.signature)
            .is_ok_and(|a| a == self.order.trader)
    }

    /// signet: hash the order in the domain and sign it.
    #[must_use]
    pub fn sign(&self) -> bool {
        self.order.sign(&self.domain, &self.key).is_ok_and(|s| s == self.signed)
    }

    /// signet: read the posted body and check its signature.
    #[must_use]
    pub fn verify_body(&self) -> bool {
        SignedOrder::parse_body(&self.body).is_ok_and(|s| s.verify(&self.domain).is_ok())
    }
}

impl Default for Orders {
    fn default() -> Self {
        Self::new()
    }
}

/// The JWT side: one signing key per algorithm, the claims, and a token per algorithm.
pub struct Jwt {
    /// HS256, EdDSA and ES256K keys, in that order.
    pub keys: [JwtSigningKey; 3],
    /// Their verifiers.
    pub verifiers: [JwtVerifier; 3],
    /// The claims.
    pub claims: JwtClaims,
    /// A token per key.
    pub tokens: [heapless::String<MAX_JWT_LEN>; 3],
    /// The Ed25519 seed of the EdDSA key, for peers.
    pub ed25519_seed: [u8; 32],
    /// The HS256 secret, for peers.
    pub hmac_secret: [u8; 32],
}

impl Jwt {
    /// Builds the fixture (deterministic).
    #[must_use]
    pub fn new() -> Self {
        let (hmac_secret, ed25519_seed) = ([0x33; 32], [0x44; 32]);
        let keys = [
            JwtSigningKey::Hs256(HmacKey::new(&hmac_secret)),
            JwtSigningKey::EdDsa(SigningKey::from_bytes(&ed25519_seed)),
            JwtSigningKey::Es256k(
                k256::ecdsa::SigningKey::from_slice(&[0x55; 32]).unwrap_or_else(|_| unreachable!()),
            ),
        ];
        let claims = JwtClaims {
            exp: NOW.0 + 86_400,
            iat: NOW.0,
            uid: "990016".try_into().unwrap_or_default(),
            uname: "trader016".try_into().unwrap_or_default(),
        };
        let tokens = keys.each_ref().map(|key| {
            let mut buf = [0u8; MAX_JWT_LEN];
            let token = signet_core::bitzoom::jwt::encode(key, &claims, &mut buf).unwrap_or_default();
            heapless::String::try_from(token).unwrap_or_default()
        });
        let verifiers = keys.each_ref().map(|key| JwtVerifier::new(key.verifying_key()));
        Jwt { keys, verifiers, claims, tokens, ed25519_seed, hmac_secret }
    }

    /// Mints with key `i` into `out`, returning the length.
    pub fn mint(&self, i: usize, out: &mut [u8; MAX_JWT_LEN]) -> usize {
        self.keys
            .get(i)
            .map_or(0, |key| signet_core::bitzoom::jwt::encode(key, &self.claims, out).map_or(0, str::len))
    }

    /// Verifies token `i` with verifier `i`.
    pub fn verify(&self, i: usize) -> bool {
        match (self.verifiers.get(i), self.tokens.get(i)) {
            (Some(v), Some(t)) => v.verify::<JwtClaims>(t.as_bytes(), NOW).is_ok(),
            _ => false,
        }
    }
}

impl Default for Jwt {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixture_operation_succeeds() {
        let t = Turbine::new();
        let mut buf = [0u8; MAX_TOKEN_LEN];
        assert_eq!(t.raw_sign(), t.signature);
        assert_eq!(t.raw_sign_expanded(), t.signature);
        assert!(t.mint(&mut buf) > 0 && t.mint_prepared(&mut buf) > 0);
        assert!(t.raw_verify() && t.verify());
        let w = Wallet::new();
        assert_eq!(
            signet_core::eth::recover_address(w.message.as_bytes(), &w.signature),
            Ok(w.key.address())
        );
        let j = Jwt::new();
        for i in 0..3 {
            assert!(j.verify(i), "jwt {i}");
        }
    }
}

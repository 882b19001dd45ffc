//! An order as EIP-712 typed data: its fields checked against the SDK's ranges, its struct
//! hash streamed into Keccak, signed by the trader's wallet and verified by recovery.

use core::ops::Deref;

use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};

use crate::eth::{Address, EthSignature, StructHasher, WalletKey, hex_literal, recover_prehash};
use crate::time::UnixTime;
use crate::turbine::order::domain::OrderDomain;
use crate::turbine::order::error::OrderError;
use crate::turbine::order::fields::{Outcome, Side};
use crate::turbine::order::hash::OrderHash;
use crate::turbine::order::market::MarketId;

/// The EIP-712 type of an order.
pub const ORDER_TYPE: &str = "Order(bytes32 marketId,address trader,uint8 side,uint8 outcome,uint256 price,uint256 size,uint256 nonce,uint256 expiration,address makerFeeRecipient)";

/// `keccak256(ORDER_TYPE)`.
pub const ORDER_TYPE_HASH: [u8; 32] =
    hex_literal("297a87ebc5043b90d00c6956e0831561153f2e943f880cfd8648a25f3603c3d5");

/// Prices are millionths of the payout: 1 (0.000001) to 999,999 (0.999999).
pub const PRICE_SCALE: u32 = 1_000_000;

/// Sizes carry six decimals: 1,000,000 is one share.
pub const SIZE_SCALE: u128 = 1_000_000;

/// An order's fields, unchecked; [`Order::new`] checks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrderArgs {
    /// `marketId` (`bytes32`).
    pub market_id: MarketId,
    /// `trader`: the wallet that signs.
    pub trader: Address,
    /// `side`.
    pub side: Side,
    /// `outcome`.
    pub outcome: Outcome,
    /// `price` in millionths, 1..=999,999.
    pub price: u32,
    /// `size` with six decimals, above zero.
    pub size: u128,
    /// `nonce`; see [`Order::fresh_nonce`].
    pub nonce: u128,
    /// `expiration`: Unix seconds, above zero.
    pub expiration: u64,
    /// `makerFeeRecipient` (the zero address for none).
    pub maker_fee_recipient: Address,
}

/// An order whose fields are in the SDK's ranges. Read its fields through `Deref`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "OrderArgs", into = "OrderArgs")]
pub struct Order(OrderArgs);

impl Order {
    /// Checks `args` against the SDK's ranges.
    ///
    /// # Errors
    /// [`OrderError::Price`], [`OrderError::Size`] or [`OrderError::Expiration`].
    pub const fn new(args: OrderArgs) -> Result<Self, OrderError> {
        if args.price == 0 || args.price >= PRICE_SCALE {
            return Err(OrderError::Price);
        }
        if args.size == 0 {
            return Err(OrderError::Size);
        }
        if args.expiration == 0 {
            return Err(OrderError::Expiration);
        }
        Ok(Order(args))
    }

    /// The SDK's nonce for an order made at `now`: the seconds in the upper 32 bits (of 64),
    /// 32 random bits below.
    pub fn fresh_nonce<R: CryptoRng + ?Sized>(now: UnixTime, rng: &mut R) -> u128 {
        // Seconds fit 32 bits until 2106; the SDK keeps the nonce within 64 bits the same way.
        let secs = u128::from(u32::try_from(now.0.max(0)).unwrap_or(u32::MAX));
        (secs << 32) | u128::from(rng.next_u32())
    }

    /// `hashStruct(order)`.
    #[must_use]
    pub fn struct_hash(&self) -> [u8; 32] {
        let mut hasher = StructHasher::new(&ORDER_TYPE_HASH);
        hasher.word(self.market_id.as_bytes());
        hasher.address(&self.trader);
        hasher.uint(u128::from(self.side.as_u8()));
        hasher.uint(u128::from(self.outcome.as_u8()));
        hasher.uint(u128::from(self.price));
        hasher.uint(self.size);
        hasher.uint(self.nonce);
        hasher.uint(u128::from(self.expiration));
        hasher.address(&self.maker_fee_recipient);
        hasher.finish()
    }

    /// The SDK's order hash, `keccak256(hashStruct(order))`: the order's id for lookups and
    /// cancels. It does not depend on the domain.
    #[must_use]
    pub fn hash(&self) -> OrderHash {
        OrderHash(crate::eth::keccak256(&[&self.struct_hash()]))
    }

    /// The digest the wallet signs in `domain`.
    #[must_use]
    pub fn digest(&self, domain: &OrderDomain) -> [u8; 32] {
        crate::eth::typed_data_digest(domain.separator(), &self.struct_hash())
    }

    /// Signs the order with the trader's wallet, as `eth_account.Account.sign_typed_data` does
    /// (RFC 6979, low `s`, `v` 27/28): byte for byte the SDK's signature.
    ///
    /// # Errors
    /// [`OrderError::NotTrader`] if `wallet` is not the order's trader.
    pub fn sign(self, domain: &OrderDomain, wallet: &WalletKey) -> Result<SignedOrder, OrderError> {
        if wallet.address() != self.trader {
            return Err(OrderError::NotTrader);
        }
        let signature = wallet.sign_prehash(&self.digest(domain));
        Ok(SignedOrder { order: self, signature })
    }

    /// Whether the order can still be filled at `now` (its expiration is later).
    #[must_use]
    pub fn is_live_at(&self, now: UnixTime) -> bool {
        u64::try_from(now.0).is_ok_and(|now| self.expiration > now)
    }
}

impl Deref for Order {
    type Target = OrderArgs;
    fn deref(&self) -> &OrderArgs {
        &self.0
    }
}

impl TryFrom<OrderArgs> for Order {
    type Error = OrderError;
    fn try_from(args: OrderArgs) -> Result<Self, OrderError> {
        Order::new(args)
    }
}

impl From<Order> for OrderArgs {
    fn from(order: Order) -> Self {
        order.0
    }
}

/// An order and its trader's signature: what is posted to `/api/v1/orders`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignedOrder {
    /// The order.
    pub order: Order,
    /// `r || s || v` over [`Order::digest`].
    pub signature: EthSignature,
}

impl SignedOrder {
    /// Checks that the signature over the order in `domain` recovers to the order's trader.
    ///
    /// Accepts what `ecrecover` accepts (`v` 0/1/27/28, either `s`), like registration does.
    ///
    /// # Errors
    /// [`OrderError::SignatureEncoding`] for a malformed signature, [`OrderError::WrongSigner`]
    /// when it was made by another wallet or over another order, chain or contract.
    pub fn verify(&self, domain: &OrderDomain) -> Result<(), OrderError> {
        let signer = recover_prehash(&self.order.digest(domain), &self.signature)
            .map_err(|_| OrderError::SignatureEncoding)?;
        if signer == self.order.trader { Ok(()) } else { Err(OrderError::WrongSigner) }
    }

    /// The order's id.
    #[must_use]
    pub fn hash(&self) -> OrderHash {
        self.order.hash()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::turbine::order::domain::SETTLEMENT_CONTRACTS;
    use std::string::ToString;

    pub(crate) fn sample() -> (Order, WalletKey) {
        let wallet = WalletKey::from_bytes(&[0x42; 32]).unwrap();
        let order = Order::new(OrderArgs {
            market_id: MarketId::parse(b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928")
                .unwrap(),
            trader: wallet.address(),
            side: Side::Buy,
            outcome: Outcome::Yes,
            price: 642_000,
            size: 12_500_000,
            nonce: 7_590_176_159_287_148_326,
            expiration: 1_764_583_200,
            maker_fee_recipient: Address::from_bytes([0; 20]),
        })
        .unwrap();
        (order, wallet)
    }

    #[test]
    fn the_order_type_hash_is_the_keccak_of_its_type() {
        assert_eq!(crate::eth::keccak256(&[ORDER_TYPE.as_bytes()]), ORDER_TYPE_HASH);
        for (chain, contract) in SETTLEMENT_CONTRACTS {
            let text = match chain {
                137 => "0xdB96C91d9e5930fE3Ed1604603CfA4ece454725c",
                84532 => "0xF37B881F236033E55bF1cdAB628c7Cd88aAd89D4",
                _ => "0x893ca652525B1F9DC25189ED9c3AD0543ACfb989",
            };
            assert_eq!(contract.to_string(), text);
        }
    }

    #[test]
    fn construction_checks_the_sdk_ranges() {
        let (order, _) = sample();
        let args = *order;
        let with = |f: fn(&mut OrderArgs)| {
            let mut a = args;
            f(&mut a);
            Order::new(a)
        };
        assert_eq!(with(|a| a.price = 0), Err(OrderError::Price));
        assert_eq!(with(|a| a.price = 1_000_000), Err(OrderError::Price));
        assert!(with(|a| a.price = 1).is_ok() && with(|a| a.price = 999_999).is_ok());
        assert_eq!(with(|a| a.size = 0), Err(OrderError::Size));
        assert!(with(|a| a.size = u128::MAX).is_ok());
        assert_eq!(with(|a| a.expiration = 0), Err(OrderError::Expiration));
        assert_eq!(Side::from_u8(2), Err(OrderError::Side));
        assert_eq!(Outcome::from_u8(2), Err(OrderError::Outcome));
        assert_eq!((Side::from_u8(1), Outcome::from_u8(1)), (Ok(Side::Sell), Ok(Outcome::No)));
    }

    #[test]
    fn signs_only_as_the_trader_and_verifies_only_in_its_domain() {
        let (order, wallet) = sample();
        let domain = OrderDomain::for_chain(137).unwrap();
        let signed = order.sign(&domain, &wallet).unwrap();
        assert_eq!(signed.verify(&domain), Ok(()));
        assert_eq!(signed.verify(&OrderDomain::for_chain(43114).unwrap()), Err(OrderError::WrongSigner));
        let other = WalletKey::from_bytes(&[0x43; 32]).unwrap();
        assert_eq!(order.sign(&domain, &other), Err(OrderError::NotTrader));
        let mut bytes = signed.signature.to_bytes();
        bytes[64] = 5;
        let bad = SignedOrder { signature: EthSignature::from_bytes(bytes), ..signed };
        assert_eq!(bad.verify(&domain), Err(OrderError::SignatureEncoding));
        assert_eq!(OrderHash::parse(signed.hash().to_string().as_bytes()), Ok(signed.hash()));
        let json = serde_json::to_string(&signed.hash()).unwrap();
        assert_eq!(json, std::format!("\"{}\"", signed.hash()));
        assert_eq!(serde_json::from_str::<OrderHash>(&json).unwrap(), signed.hash());
    }

    #[test]
    fn the_link_form_is_checked_when_decoded() {
        let (order, _) = sample();
        let domain = OrderDomain::for_chain(84532).unwrap();
        let mut buf = [0u8; 256];
        let bytes = postcard::to_slice(&(order, domain), &mut buf).unwrap();
        assert_eq!(postcard::from_bytes::<(Order, OrderDomain)>(bytes).unwrap(), (order, domain));
        let mut args = *order;
        args.price = 0;
        let bytes = postcard::to_slice(&args, &mut buf).unwrap();
        assert!(postcard::from_bytes::<Order>(bytes).is_err());
    }

    #[test]
    fn fresh_nonces_put_the_time_above_32_random_bits() {
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        let nonce = Order::fresh_nonce(UnixTime(1_767_225_600), &mut rng);
        assert_eq!(nonce >> 32, 1_767_225_600);
        assert!(nonce < 1 << 64);
    }
}

//! What the current Turbine SDK (turbine-py-client v0.1.16, HEAD 2026-03-27) signs with the
//! wallet key besides orders: USDC permits (EIP-2612), conditional-token approvals and
//! redemptions, as EIP-712 typed data, and the bodies it posts to the relayer.
//!
//! These move money: a [`UsdcPermit`] lets a spender take the wallet's USDC (the SDK's
//! `approve_usdc_for_settlement` signs 2^256 − 1 for ever), a [`CtfApproval`] lets an operator
//! move every outcome token, a [`Redemption`] cashes positions out. So besides hashing and
//! signing them exactly as eth-account does ([`TypedMessage::digest`]), this module says what
//! each one does ([`TypedMessage::summary`]) and what deserves a second look
//! ([`TypedMessage::warnings`]) for a device that must not sign blind.
//!
//! ```
//! use signet_core::eth::{U256, WalletKey};
//! use signet_core::turbine::permit::{ChainContracts, TypedMessage, UsdcPermit};
//!
//! let wallet = WalletKey::from_bytes(&[7; 32])?;
//! let polygon = ChainContracts::of(137).ok_or("unknown chain")?;
//! let permit = TypedMessage::Permit(UsdcPermit {
//!     owner: wallet.address(),
//!     spender: polygon.settlement,
//!     value: U256::from_u128(25_000_000),
//!     nonce: U256::ZERO,
//!     deadline: U256::from_u128(1_767_229_200),
//! });
//! let signature = permit.sign(polygon, &wallet)?;
//! permit.verify(&polygon.separators(), &signature)?;
//! assert_eq!(
//!     permit.summary(polygon).to_string(),
//!     "PERMIT 25 USDC to Turbine settlement, until 2026-01-01 01:00Z, nonce 0, Polygon"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod chain;
mod error;
mod fields;
mod message;
pub(crate) mod order_extras;
mod relayer;
mod signer;
mod summary;

pub use chain::{CHAINS, CTF_DOMAIN_NAME, CTF_DOMAIN_VERSION, ChainContracts, Separators};
pub use error::PermitError;
pub use message::{
    CtfApproval, IndexSets, MAX_INDEX_SETS, MessageKind, PERMIT_TYPE, PERMIT_TYPE_HASH, REDEEM_TYPE,
    REDEEM_TYPE_HASH, Redemption, SET_APPROVAL_TYPE, SET_APPROVAL_TYPE_HASH, TypedMessage, UsdcPermit,
};
pub use order_extras::{BotMetadata, MAX_BOT_ID_LEN, MAX_EXTRA_FEE_BPS, OrderPermit};
pub use relayer::{MAX_BATCH, MAX_RELAYER_BODY_LEN, RelayerBatch, RelayerBody};
pub use signer::MessageSigner;
pub use summary::{LONG_DEADLINE_SECS, MAX_MESSAGE_SUMMARY_LEN, MessageSummary, Warnings};

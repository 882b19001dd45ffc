//! What a relayer store keeps: the permits, approvals and redemptions `signet serve` accepted
//! (through the relayer endpoints, or attached to an order), and each owner's next nonce at each
//! contract, which the SDK reads from `GET /api/v1/contracts/nonce/{contract}/{owner}`.
//!
//! signet submits nothing to a chain: it checks and keeps what a relayer would submit (see
//! [`crate::turbine::Relayer`] for where a deployment plugs its own in). Nonces are its own
//! count of what it accepted, per owner and contract, so a message is accepted once and in
//! order, as the contract would.

use core::fmt;
use core::future::Future;

use signet_core::UnixTime;
use signet_core::eth::{Address, EthSignature, U256};
use signet_core::turbine::KeyId;
use signet_core::turbine::permit::{ChainContracts, TypedMessage};
#[cfg(any(feature = "redb", feature = "postgres", feature = "axum"))]
use signet_core::turbine::permit::{MAX_RELAYER_BODY_LEN, RelayerBody};
#[cfg(any(feature = "redb", feature = "postgres"))]
use signet_core::turbine::permit::{MessageKind, PermitError};

use crate::store::error::RegistryError;

/// Default messages kept per owner (older ones go; their nonces stay counted).
pub const DEFAULT_MAX_RELAYED_PER_OWNER: usize = 1_000;

/// Most messages one listing returns.
pub const MAX_RELAYED_LISTED: usize = 1_000;

/// A message accepted: what was signed (its nonce included), on which chain, by whom, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptedMessage {
    /// `chainId`.
    pub chain_id: u64,
    /// The message as signed.
    pub message: TypedMessage,
    /// The owner's signature over it.
    pub signature: EthSignature,
    /// A redemption's market, as posted.
    pub market_address: Option<Address>,
    /// The API key whose token posted it.
    pub kid: KeyId,
    /// When it was accepted.
    pub accepted_at: UnixTime,
}

impl AcceptedMessage {
    /// The contract whose nonce it uses: the chain's USDC for a permit, its conditional tokens
    /// otherwise (`None` for a chain signet does not know, which is never accepted).
    #[must_use]
    pub fn contract(&self) -> Option<Address> {
        ChainContracts::of(self.chain_id).map(|chain| self.message.verifying_contract(chain))
    }

    /// The digest its owner signed (the message's id in listings).
    #[must_use]
    pub fn digest(&self) -> Option<[u8; 32]> {
        ChainContracts::of(self.chain_id).map(|chain| self.message.digest(&chain.separators()))
    }

    /// The stored form: the relayer body (everything but the nonce) and the nonce.
    #[cfg(any(feature = "redb", feature = "postgres", feature = "axum"))]
    pub(crate) fn body(&self) -> Result<String, RegistryError> {
        let body = RelayerBody {
            chain_id: self.chain_id,
            message: self.message.clone(),
            signature: self.signature,
            market_address: self.market_address,
        };
        let mut buf = [0u8; MAX_RELAYER_BODY_LEN];
        body.write(&mut buf).map(str::to_owned).map_err(|e| RegistryError::Corrupt(format!("message: {e}")))
    }

    /// Reads the stored form back (strictly, as a posted body).
    #[cfg(any(feature = "redb", feature = "postgres"))]
    pub(crate) fn from_stored(
        kind: MessageKind,
        body: &str,
        nonce: U256,
        kid: KeyId,
        accepted_at: UnixTime,
    ) -> Result<Self, RegistryError> {
        let read = RelayerBody::parse(kind, body.as_bytes())
            .map_err(|e: PermitError| RegistryError::Corrupt(format!("relayed message: {e}")))?;
        Ok(AcceptedMessage {
            chain_id: read.chain_id,
            message: read.message(nonce),
            signature: read.signature,
            market_address: read.market_address,
            kid,
            accepted_at,
        })
    }
}

/// Why messages were not stored.
#[derive(Debug)]
#[non_exhaustive]
pub enum RelayerStoreError {
    /// A message's nonce is not its owner's next at its contract (used already, or skipped).
    Nonce {
        /// The owner's next nonce there.
        next: U256,
    },
    /// This exact signature was accepted before.
    Duplicate,
    /// The registry failed or is unavailable.
    Registry(RegistryError),
}

impl fmt::Display for RelayerStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RelayerStoreError::Nonce { next } => {
                write!(f, "nonce already used: the owner's next nonce is {next}")
            }
            RelayerStoreError::Duplicate => {
                f.write_str("nonce already used: this message was accepted before")
            }
            RelayerStoreError::Registry(RegistryError::Unavailable) => f.write_str("key store unavailable"),
            RelayerStoreError::Registry(_) => f.write_str("relayer store error"),
        }
    }
}

impl core::error::Error for RelayerStoreError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            RelayerStoreError::Registry(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RegistryError> for RelayerStoreError {
    fn from(e: RegistryError) -> Self {
        RelayerStoreError::Registry(e)
    }
}

/// Where accepted messages and nonces live (the key registry's backends).
pub trait RelayerStore: Send + Sync {
    /// The owner's next nonce at `contract`: one past the last accepted, zero before any.
    ///
    /// # Errors
    /// The registry's.
    fn next_nonce(
        &self,
        owner: &Address,
        contract: &Address,
    ) -> impl Future<Output = Result<U256, RegistryError>> + Send;

    /// Stores `messages` (one owner's, each on a known chain) in one transaction, if each nonce
    /// is its owner's next at its contract in turn (a batch's are consecutive); keeps at most
    /// `keep_per_owner` messages of the owner, dropping the oldest.
    ///
    /// # Errors
    /// [`RelayerStoreError::Nonce`], [`RelayerStoreError::Duplicate`], or the registry's.
    fn accept_messages(
        &self,
        messages: &[AcceptedMessage],
        keep_per_owner: usize,
    ) -> impl Future<Output = Result<(), RelayerStoreError>> + Send;

    /// The message accepted with this signature, if one was.
    ///
    /// # Errors
    /// The registry's.
    fn relayed_signature(
        &self,
        signature: &EthSignature,
    ) -> impl Future<Output = Result<Option<AcceptedMessage>, RegistryError>> + Send;

    /// Up to `limit` (at most [`MAX_RELAYED_LISTED`]) of `owner`'s accepted messages, newest
    /// first.
    ///
    /// # Errors
    /// The registry's.
    fn relayed(
        &self,
        owner: &Address,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<AcceptedMessage>, RegistryError>> + Send;
}

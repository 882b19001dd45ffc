//! The seam where a deployment submits what `signet serve` accepted. signet checks permits,
//! approvals and redemptions (signer, chain, contracts, deadline, nonce) and keeps them; it
//! submits nothing to a chain. A [`Relayer`] given to the service
//! ([`VerifierService::with_relayer`](crate::VerifierService::with_relayer)) is called with
//! each accepted message and its answer (a transaction hash) goes back to the client.

use core::future::Future;
use core::pin::Pin;

use crate::store::AcceptedMessage;

/// What a relayer answers for messages it took.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RelayerReceipt {
    /// The transaction that carries them, once the relayer sent one.
    pub tx_hash: Option<String>,
}

/// Why a relayer could not take a message (the client gets 502 with this text; the message
/// stays accepted, so its nonce is used).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayerError(pub String);

impl core::fmt::Display for RelayerError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "relayer: {}", self.0)
    }
}

impl core::error::Error for RelayerError {}

/// The future a [`Relayer`] returns.
pub type Submission<'a> = Pin<Box<dyn Future<Output = Result<RelayerReceipt, RelayerError>> + Send + 'a>>;

/// Submits accepted messages (one request's: a batch's redemptions together) to a chain.
pub trait Relayer: Send + Sync {
    /// Takes `messages`, already checked and stored.
    fn submit<'a>(&'a self, messages: &'a [AcceptedMessage]) -> Submission<'a>;
}

/// signet's own: submits nothing, answers no transaction.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoRelayer;

impl Relayer for NoRelayer {
    fn submit<'a>(&'a self, _: &'a [AcceptedMessage]) -> Submission<'a> {
        Box::pin(async { Ok(RelayerReceipt::default()) })
    }
}

//! Accepted relayer messages in PostgreSQL (`signet_relayed`, `signet_relayer_nonces`): nonces
//! as `NUMERIC(78, 0)`, written and read as decimal text; each acceptance one transaction under
//! the owner's advisory lock, so instances accepting one owner's messages at once take turns.

use signet_core::UnixTime;
use signet_core::eth::{Address, EthSignature, U256};
use signet_core::turbine::KeyId;
use signet_core::turbine::permit::MessageKind;

use super::{PostgresRegistry, pg_error};
use crate::store::error::RegistryError;
use crate::store::relayer::{AcceptedMessage, MAX_RELAYED_LISTED, RelayerStore, RelayerStoreError};

fn nonce_of(text: &str) -> Result<U256, RegistryError> {
    U256::parse_decimal(text.as_bytes()).ok_or_else(|| RegistryError::Corrupt("relayer nonce".into()))
}

/// A row of `kind, body, nonce, kid, accepted_at`, read strictly.
fn accepted_of(row: &tokio_postgres::Row) -> Result<AcceptedMessage, RegistryError> {
    let corrupt = || RegistryError::Corrupt("relayed message".into());
    let kind: String = row.try_get(0).map_err(|_| corrupt())?;
    let body: String = row.try_get(1).map_err(|_| corrupt())?;
    let nonce: String = row.try_get(2).map_err(|_| corrupt())?;
    let kid: String = row.try_get(3).map_err(|_| corrupt())?;
    let at: i64 = row.try_get(4).map_err(|_| corrupt())?;
    AcceptedMessage::from_stored(
        MessageKind::parse(&kind).ok_or_else(corrupt)?,
        &body,
        nonce_of(&nonce)?,
        KeyId::new(&kid).map_err(|_| corrupt())?,
        UnixTime(at),
    )
}

impl RelayerStore for PostgresRegistry {
    async fn next_nonce(&self, owner: &Address, contract: &Address) -> Result<U256, RegistryError> {
        let (owner, contract) = (owner.as_bytes().to_vec(), contract.as_bytes().to_vec());
        let next: Option<String> = self
            .bounded(async {
                let client = self.client().await?;
                let row = client
                    .query_opt(
                        "SELECT next::text FROM signet_relayer_nonces WHERE owner = $1 AND contract = $2",
                        &[&owner, &contract],
                    )
                    .await
                    .map_err(pg_error)?;
                Ok(row.map(|r| r.get(0)))
            })
            .await?;
        next.map_or(Ok(U256::ZERO), |text| nonce_of(&text))
    }

    async fn accept_messages(
        &self,
        messages: &[AcceptedMessage],
        keep_per_owner: usize,
    ) -> Result<(), RelayerStoreError> {
        let Some(first) = messages.first() else { return Ok(()) };
        let owner = first.message.owner().as_bytes().to_vec();
        let keep = i64::try_from(keep_per_owner.max(1)).unwrap_or(i64::MAX);
        self.bounded(async {
            let mut client = self.client().await?;
            let txn = client.transaction().await.map_err(pg_error)?;
            txn.execute("SELECT pg_advisory_xact_lock(hashtext('signet-relayer:' || encode($1, 'hex')))", &[&owner])
                .await
                .map_err(pg_error)?;
            for accepted in messages {
                let contract = accepted.contract().ok_or_else(|| RegistryError::Corrupt("unknown chain".into()))?;
                let contract = contract.as_bytes().to_vec();
                let signature = accepted.signature.to_bytes().to_vec();
                let seen = txn
                    .query_opt("SELECT 1 FROM signet_relayed WHERE signature = $1", &[&signature])
                    .await
                    .map_err(pg_error)?;
                if seen.is_some() {
                    return Ok(Err(RelayerStoreError::Duplicate));
                }
                let next: Option<String> = txn
                    .query_opt(
                        "SELECT next::text FROM signet_relayer_nonces WHERE owner = $1 AND contract = $2",
                        &[&owner, &contract],
                    )
                    .await
                    .map_err(pg_error)?
                    .map(|r| r.get(0));
                let next = next.map_or(Ok(U256::ZERO), |text| nonce_of(&text))?;
                let nonce = accepted.message.nonce();
                if nonce != next {
                    return Ok(Err(RelayerStoreError::Nonce { next }));
                }
                let nonce_text = nonce.to_string();
                txn.execute(
                    "INSERT INTO signet_relayed (owner, contract, nonce, kind, body, signature, kid, accepted_at) \
                     VALUES ($1, $2, $3::text::numeric, $4, $5, $6, $7, $8)",
                    &[
                        &owner,
                        &contract,
                        &nonce_text,
                        &accepted.message.kind().as_str(),
                        &accepted.body()?,
                        &signature,
                        &accepted.kid.as_str(),
                        &accepted.accepted_at.0,
                    ],
                )
                .await
                .map_err(pg_error)?;
                txn.execute(
                    "INSERT INTO signet_relayer_nonces (owner, contract, next) VALUES ($1, $2, $3::text::numeric + 1) \
                     ON CONFLICT (owner, contract) DO UPDATE SET next = EXCLUDED.next",
                    &[&owner, &contract, &nonce_text],
                )
                .await
                .map_err(pg_error)?;
            }
            // Past the cap the owner's oldest go (their nonces stay counted).
            txn.execute(
                "DELETE FROM signet_relayed WHERE (owner, contract, nonce) IN \
                 (SELECT owner, contract, nonce FROM signet_relayed WHERE owner = $1 \
                  ORDER BY accepted_at DESC, nonce DESC OFFSET $2)",
                &[&owner, &keep],
            )
            .await
            .map_err(pg_error)?;
            txn.commit().await.map_err(pg_error)?;
            Ok(Ok(()))
        })
        .await?
    }

    async fn relayed_signature(
        &self,
        signature: &EthSignature,
    ) -> Result<Option<AcceptedMessage>, RegistryError> {
        let signature = signature.to_bytes().to_vec();
        let row = self
            .bounded(async {
                let client = self.client().await?;
                client
                    .query_opt(
                        "SELECT kind, body, nonce::text, kid, accepted_at FROM signet_relayed WHERE signature = $1",
                        &[&signature],
                    )
                    .await
                    .map_err(pg_error)
            })
            .await?;
        row.as_ref().map(accepted_of).transpose()
    }

    async fn relayed(&self, owner: &Address, limit: usize) -> Result<Vec<AcceptedMessage>, RegistryError> {
        let owner = owner.as_bytes().to_vec();
        let limit = i64::try_from(limit.clamp(1, MAX_RELAYED_LISTED)).unwrap_or(1);
        let rows = self
            .bounded(async {
                let client = self.client().await?;
                client
                    .query(
                        "SELECT kind, body, nonce::text, kid, accepted_at FROM signet_relayed WHERE owner = $1 \
                         ORDER BY accepted_at DESC, nonce DESC LIMIT $2",
                        &[&owner, &limit],
                    )
                    .await
                    .map_err(pg_error)
            })
            .await?;
        rows.iter().map(accepted_of).collect()
    }
}

//! Accepted relayer messages in the redb registry: by owner, contract and nonce, by owner and
//! time (listings, and dropping an owner's oldest), by signature (duplicates), and the next
//! nonce of each owner at each contract.

use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use signet_core::UnixTime;
use signet_core::eth::{Address, EthSignature, U256};
use signet_core::turbine::KeyId;
use signet_core::turbine::permit::MessageKind;

use super::{RedbRegistry, db_error};
use crate::store::error::RegistryError;
use crate::store::relayer::{AcceptedMessage, MAX_RELAYED_LISTED, RelayerStore, RelayerStoreError};

/// owner (20) ‖ contract (20) ‖ nonce (32) -> kind (1) ‖ accepted at (8, LE) ‖ key id length
/// (1) and bytes ‖ the relayer body (everything but the nonce).
const RELAYED: TableDefinition<&[u8], &[u8]> = TableDefinition::new("relayed");
/// owner (20) ‖ accepted at (8, BE) ‖ contract (20) ‖ nonce (32) -> nothing.
const BY_TIME: TableDefinition<&[u8], ()> = TableDefinition::new("relayed_by_time");
/// signature (65) -> the message's key in `RELAYED`.
const SIGNATURES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("relayed_signatures");
/// owner (20) ‖ contract (20) -> the next nonce (32, BE).
const NONCES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("relayer_nonces");
/// owner (20) -> messages kept.
const COUNTS: TableDefinition<&[u8], u64> = TableDefinition::new("relayed_counts");

/// Creates the tables (with the registry's).
pub(crate) fn create_tables(txn: &WriteTransaction) -> Result<(), RegistryError> {
    txn.open_table(RELAYED).map_err(db_error)?;
    txn.open_table(BY_TIME).map_err(db_error)?;
    txn.open_table(SIGNATURES).map_err(db_error)?;
    txn.open_table(NONCES).map_err(db_error)?;
    txn.open_table(COUNTS).map_err(db_error)?;
    Ok(())
}

fn kind_byte(kind: MessageKind) -> u8 {
    match kind {
        MessageKind::Permit => 0,
        MessageKind::Approval => 1,
        MessageKind::Redemption => 2,
    }
}

fn concat<const N: usize>(parts: &[&[u8]]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut at = 0;
    for part in parts {
        if let Some(slot) = out.get_mut(at..at + part.len()) {
            slot.copy_from_slice(part);
        }
        at += part.len();
    }
    out
}

fn key(owner: &Address, contract: &Address, nonce: &U256) -> [u8; 72] {
    concat(&[owner.as_bytes(), contract.as_bytes(), &nonce.to_be_bytes()])
}

fn time_key(owner: &Address, at: UnixTime, contract: &Address, nonce: &U256) -> [u8; 80] {
    concat(&[owner.as_bytes(), &at.0.to_be_bytes(), contract.as_bytes(), &nonce.to_be_bytes()])
}

fn encode(message: &AcceptedMessage) -> Result<Vec<u8>, RegistryError> {
    let body = message.body()?;
    let kid = message.kid.as_str().as_bytes();
    let mut out = Vec::with_capacity(10 + kid.len() + body.len());
    out.push(kind_byte(message.message.kind()));
    out.extend_from_slice(&message.accepted_at.0.to_le_bytes());
    out.push(u8::try_from(kid.len()).map_err(db_error)?);
    out.extend_from_slice(kid);
    out.extend_from_slice(body.as_bytes());
    Ok(out)
}

fn decode(stored_key: &[u8], bytes: &[u8]) -> Result<AcceptedMessage, RegistryError> {
    let corrupt = || RegistryError::Corrupt("relayed message".into());
    let nonce: [u8; 32] = stored_key.get(40..72).and_then(|n| n.try_into().ok()).ok_or_else(corrupt)?;
    let (&kind, rest) = bytes.split_first().ok_or_else(corrupt)?;
    let kind = [MessageKind::Permit, MessageKind::Approval, MessageKind::Redemption]
        .into_iter()
        .find(|k| kind_byte(*k) == kind)
        .ok_or_else(corrupt)?;
    let (at, rest) = rest.split_first_chunk::<8>().ok_or_else(corrupt)?;
    let (&kid_len, rest) = rest.split_first().ok_or_else(corrupt)?;
    let (kid, body) = rest.split_at_checked(usize::from(kid_len)).ok_or_else(corrupt)?;
    let kid = core::str::from_utf8(kid).ok().and_then(|k| KeyId::new(k).ok()).ok_or_else(corrupt)?;
    let body = core::str::from_utf8(body).map_err(|_| corrupt())?;
    AcceptedMessage::from_stored(
        kind,
        body,
        U256::from_be_bytes(nonce),
        kid,
        UnixTime(i64::from_le_bytes(*at)),
    )
}

fn next_of(
    table: &impl ReadableTable<&'static [u8], &'static [u8]>,
    pair: &[u8; 40],
) -> Result<U256, RegistryError> {
    let value = table.get(pair.as_slice()).map_err(db_error)?;
    Ok(value.and_then(|v| <[u8; 32]>::try_from(v.value()).ok()).map_or(U256::ZERO, U256::from_be_bytes))
}

impl RedbRegistry {
    fn accept_now(&self, messages: &[AcceptedMessage], keep: usize) -> Result<(), RelayerStoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut relayed = txn.open_table(RELAYED).map_err(db_error)?;
            let mut by_time = txn.open_table(BY_TIME).map_err(db_error)?;
            let mut signatures = txn.open_table(SIGNATURES).map_err(db_error)?;
            let mut nonces = txn.open_table(NONCES).map_err(db_error)?;
            let mut counts = txn.open_table(COUNTS).map_err(db_error)?;
            for accepted in messages {
                let owner = accepted.message.owner();
                let contract = accepted.contract().ok_or(RegistryError::Corrupt("unknown chain".into()))?;
                let pair: [u8; 40] = concat(&[owner.as_bytes(), contract.as_bytes()]);
                let next = next_of(&nonces, &pair)?;
                let nonce = accepted.message.nonce();
                if signatures.get(accepted.signature.to_bytes().as_slice()).map_err(db_error)?.is_some() {
                    return Err(RelayerStoreError::Duplicate);
                }
                if nonce != next {
                    return Err(RelayerStoreError::Nonce { next });
                }
                let after = nonce.checked_add_one().ok_or(RelayerStoreError::Nonce { next })?;
                relayed
                    .insert(key(&owner, &contract, &nonce).as_slice(), encode(accepted)?.as_slice())
                    .map_err(db_error)?;
                by_time
                    .insert(time_key(&owner, accepted.accepted_at, &contract, &nonce).as_slice(), ())
                    .map_err(db_error)?;
                signatures
                    .insert(
                        accepted.signature.to_bytes().as_slice(),
                        key(&owner, &contract, &nonce).as_slice(),
                    )
                    .map_err(db_error)?;
                nonces.insert(pair.as_slice(), after.to_be_bytes().as_slice()).map_err(db_error)?;
                let held =
                    counts.get(owner.as_bytes().as_slice()).map_err(db_error)?.map_or(0, |v| v.value()) + 1;
                counts.insert(owner.as_bytes().as_slice(), held).map_err(db_error)?;
                // Past the cap the owner's oldest go (their nonces stay counted).
                if held > u64::try_from(keep.max(1)).unwrap_or(u64::MAX) {
                    let low: [u8; 80] = concat(&[owner.as_bytes()]);
                    let mut high = [0xffu8; 80];
                    if let Some(o) = high.get_mut(..20) {
                        o.copy_from_slice(owner.as_bytes());
                    }
                    let oldest = by_time
                        .range(low.as_slice()..=high.as_slice())
                        .map_err(db_error)?
                        .next()
                        .transpose()
                        .map_err(db_error)?
                        .map(|(k, _)| k.value().to_vec());
                    if let Some(oldest) = oldest {
                        by_time.remove(oldest.as_slice()).map_err(db_error)?;
                        let stored: [u8; 72] = concat(&[
                            oldest.get(..20).unwrap_or_default(),
                            oldest.get(28..80).unwrap_or_default(),
                        ]);
                        if let Some(value) = relayed.remove(stored.as_slice()).map_err(db_error)? {
                            let old = decode(&stored, value.value())?;
                            signatures.remove(old.signature.to_bytes().as_slice()).map_err(db_error)?;
                        }
                        counts.insert(owner.as_bytes().as_slice(), held - 1).map_err(db_error)?;
                    }
                }
            }
        }
        txn.commit().map_err(db_error)?;
        Ok(())
    }

    fn relayed_now(&self, owner: &Address, limit: usize) -> Result<Vec<AcceptedMessage>, RegistryError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let by_time = txn.open_table(BY_TIME).map_err(db_error)?;
        let relayed = txn.open_table(RELAYED).map_err(db_error)?;
        let low: [u8; 80] = concat(&[owner.as_bytes()]);
        let mut high = [0xffu8; 80];
        if let Some(o) = high.get_mut(..20) {
            o.copy_from_slice(owner.as_bytes());
        }
        let mut out = Vec::new();
        for item in by_time.range(low.as_slice()..=high.as_slice()).map_err(db_error)?.rev() {
            if out.len() >= limit.clamp(1, MAX_RELAYED_LISTED) {
                break;
            }
            let (k, _) = item.map_err(db_error)?;
            let k = k.value();
            let stored: [u8; 72] =
                concat(&[k.get(..20).unwrap_or_default(), k.get(28..80).unwrap_or_default()]);
            let value = relayed
                .get(stored.as_slice())
                .map_err(db_error)?
                .ok_or(RegistryError::Corrupt("relayed index".into()))?;
            out.push(decode(&stored, value.value())?);
        }
        Ok(out)
    }
}

/// On a blocking thread, as the order store.
impl RelayerStore for RedbRegistry {
    async fn next_nonce(&self, owner: &Address, contract: &Address) -> Result<U256, RegistryError> {
        let pair: [u8; 40] = concat(&[owner.as_bytes(), contract.as_bytes()]);
        self.blocking(move |r| {
            let txn = r.db.begin_read().map_err(db_error)?;
            next_of(&txn.open_table(NONCES).map_err(db_error)?, &pair)
        })
        .await
    }

    async fn accept_messages(
        &self,
        messages: &[AcceptedMessage],
        keep_per_owner: usize,
    ) -> Result<(), RelayerStoreError> {
        let messages = messages.to_vec();
        self.blocking(move |r| r.accept_now(&messages, keep_per_owner)).await
    }

    async fn relayed_signature(
        &self,
        signature: &EthSignature,
    ) -> Result<Option<AcceptedMessage>, RegistryError> {
        let bytes = signature.to_bytes();
        self.blocking(move |r| {
            let txn = r.db.begin_read().map_err(db_error)?;
            let signatures = txn.open_table(SIGNATURES).map_err(db_error)?;
            let Some(stored) = signatures.get(bytes.as_slice()).map_err(db_error)? else { return Ok(None) };
            let stored = stored.value().to_vec();
            let relayed = txn.open_table(RELAYED).map_err(db_error)?;
            let value = relayed.get(stored.as_slice()).map_err(db_error)?;
            value.map(|v| decode(&stored, v.value())).transpose()
        })
        .await
    }

    async fn relayed(&self, owner: &Address, limit: usize) -> Result<Vec<AcceptedMessage>, RegistryError> {
        let owner = *owner;
        self.blocking(move |r| r.relayed_now(&owner, limit)).await
    }
}

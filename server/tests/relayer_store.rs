//! The relayer store's semantics, written once and run against both registries (redb, and a
//! real PostgreSQL: Debian package `postgresql`): nonces counted per owner and contract, each
//! message accepted once and in order, a batch all or nothing, an owner's oldest dropped past
//! the cap with its nonces still counted, listings newest first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use signet_core::UnixTime;
use signet_core::eth::{U256, WalletKey};
use signet_core::turbine::KeyId;
use signet_core::turbine::permit::{ChainContracts, CtfApproval, TypedMessage, UsdcPermit};
use signet_server::Registry;
use signet_server::store::{AcceptedMessage, RedbRegistry, RelayerStore, RelayerStoreError};
use support::{PostgresServer, block, postgres_registry};

fn chain() -> &'static ChainContracts {
    ChainContracts::of(84532).unwrap()
}

fn permit(wallet: &WalletKey, nonce: u128, at: i64) -> AcceptedMessage {
    let message = TypedMessage::Permit(UsdcPermit {
        owner: wallet.address(),
        spender: chain().settlement,
        value: U256::from_u128(nonce + 1),
        nonce: U256::from_u128(nonce),
        deadline: U256::MAX,
    });
    accepted(wallet, message, at)
}

fn accepted(wallet: &WalletKey, message: TypedMessage, at: i64) -> AcceptedMessage {
    AcceptedMessage {
        chain_id: 84532,
        signature: message.sign(chain(), wallet).unwrap(),
        message,
        market_address: None,
        kid: KeyId::new("k").unwrap(),
        accepted_at: UnixTime(at),
    }
}

async fn semantics(registry: Registry) {
    let alice = WalletKey::from_bytes(&[0xa1; 32]).unwrap();
    let owner = alice.address();
    let usdc = chain().usdc;
    assert_eq!(registry.next_nonce(&owner, &usdc).await.unwrap(), U256::ZERO);
    registry.accept_messages(&[permit(&alice, 0, 10)], 3).await.unwrap();
    assert_eq!(registry.next_nonce(&owner, &usdc).await.unwrap(), U256::from_u128(1));
    // Once, and in order.
    let again = registry.accept_messages(&[permit(&alice, 0, 11)], 3).await.unwrap_err();
    assert!(matches!(again, RelayerStoreError::Duplicate | RelayerStoreError::Nonce { .. }), "{again:?}");
    let skipped = registry.accept_messages(&[permit(&alice, 5, 11)], 3).await.unwrap_err();
    assert!(
        matches!(skipped, RelayerStoreError::Nonce { next } if next == U256::from_u128(1)),
        "{skipped:?}"
    );
    // The CTF contract counts its own nonces; a batch is all or nothing.
    let approval = |nonce: u128| {
        TypedMessage::Approval(CtfApproval {
            owner,
            operator: chain().settlement,
            approved: true,
            nonce: U256::from_u128(nonce),
            deadline: U256::MAX,
        })
    };
    let broken = [accepted(&alice, approval(0), 12), accepted(&alice, approval(2), 12)];
    assert!(registry.accept_messages(&broken, 100).await.is_err());
    assert_eq!(
        registry.next_nonce(&owner, &chain().ctf).await.unwrap(),
        U256::ZERO,
        "nothing of the batch kept"
    );
    let batch = [accepted(&alice, approval(0), 12), accepted(&alice, approval(1), 12)];
    registry.accept_messages(&batch, 100).await.unwrap();
    assert_eq!(registry.next_nonce(&owner, &chain().ctf).await.unwrap(), U256::from_u128(2));
    // Found by signature.
    let found = registry.relayed_signature(&batch[1].signature).await.unwrap().unwrap();
    assert_eq!(found, batch[1]);
    // Past the cap (3) the oldest go; nonces stay counted.
    for nonce in 1..4 {
        registry.accept_messages(&[permit(&alice, nonce, 20 + nonce as i64)], 3).await.unwrap();
    }
    let listed = registry.relayed(&owner, 100).await.unwrap();
    let times: Vec<i64> = listed.iter().map(|m| m.accepted_at.0).collect();
    assert_eq!(times, [23, 22, 21], "newest first, three kept");
    assert_eq!(registry.next_nonce(&owner, &usdc).await.unwrap(), U256::from_u128(4));
    assert!(registry.relayed_signature(&batch[0].signature).await.unwrap().is_none(), "dropped with it");
    assert!(
        registry
            .relayed(&WalletKey::from_bytes(&[0xb0; 32]).unwrap().address(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[test]
fn redb_relayer_semantics() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::from(RedbRegistry::open_or_create(&dir.path().join("keys.redb")).unwrap());
    block(semantics(registry));
}

#[test]
fn postgres_relayer_semantics() {
    let server = PostgresServer::start();
    let url = server.url();
    block(async { semantics(postgres_registry(&url, 4).await).await });
}

//! The third review's Sybil fill, scaled down: anyone can register keys, so nine free keys
//! taking an eighth each filled the memory replay store and every other key got `replay cache
//! full` for minutes. Here a small store (4,096 nonces, an eighth per key) is attacked by keys
//! arriving one after another, each taking all it is allowed, and the figures are printed: how
//! much each attacker got, the room left, and whether a key in use before the attack (with a
//! reserve) and a key new to it are still served.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use signet_core::UnixTime;
use signet_core::turbine::{KeyId, Nonce, ReplayError, ReplayGuard};
use signet_server::store::{MemoryReplayConfig, MemoryReplayStore};

const CAPACITY: usize = 4_096;

fn nonce(key: u32, i: u32) -> Nonce {
    let mut bytes = [0u8; 16];
    bytes[..4].copy_from_slice(&key.to_le_bytes());
    bytes[4..8].copy_from_slice(&i.to_le_bytes());
    Nonce::from_bytes(bytes)
}

/// Records up to `limit` fresh nonces of `kid` (key number `k`, from `first`) at `now`; how many
/// were taken before the first refusal, and that refusal.
fn take(
    store: &MemoryReplayStore,
    kid: &KeyId,
    k: u32,
    first: u32,
    limit: u32,
    now: UnixTime,
) -> (u32, Option<ReplayError>) {
    let mut guard = store;
    for i in 0..limit {
        if let Err(e) = guard.check_and_record(kid, &nonce(k, first + i), UnixTime(now.0 + 300), now) {
            return (i, Some(e));
        }
    }
    (limit, None)
}

/// `attackers` keys, one after another, each taking all it may; returns what each got.
fn attack(store: &MemoryReplayStore, attackers: u32, now: UnixTime) -> Vec<u32> {
    (0..attackers)
        .map(|a| take(store, &KeyId::new(&format!("sybil-{a}")).unwrap(), 1_000 + a, 0, 1_000, now).0)
        .collect()
}

#[test]
fn free_keys_cannot_lock_out_a_key_in_use_nor_fill_the_store_with_nine_keys() {
    let config = MemoryReplayConfig::sized(CAPACITY);
    // The start of a 300 s epoch (1,800,000,000 is a multiple of 300).
    let epoch = 1_800_000_000;
    let store = MemoryReplayStore::new(config, UnixTime(0), 300);

    // A trading bot in use before the attack: 200 live nonces in the epoch before.
    let bot = KeyId::new("bot").unwrap();
    assert_eq!(take(&store, &bot, 1, 0, 200, UnixTime(epoch + 10)), (200, None));

    // The review's nine keys, each now allowed less as the store fills: room is left.
    let now = UnixTime(epoch + 310);
    store.purge(now);
    let nine = attack(&store, 9, now);
    let live_after_nine = store.stats(now).live;
    let newcomer = KeyId::new("newcomer").unwrap();
    let (served, refusal) = take(&store, &newcomer, 2, 0, 20, now);
    println!(
        "sybil fill, capacity {CAPACITY}: 9 attacker keys took {nine:?}; {live_after_nine} nonces live, \
         {} free; a new key then served {served} of 20 ({refusal:?})",
        CAPACITY.saturating_sub(live_after_nine)
    );
    assert_eq!(served, 20, "the review's nine keys filled the store");

    // Sixty more keys, one after another: the shared room goes, but a new key still gets
    // its floor from the last sixteenth.
    let more = attack(&store, 60, now);
    let live = store.stats(now).live;
    let late = KeyId::new("late").unwrap();
    let late_served = take(&store, &late, 3, 0, 20, now).0;
    println!(
        "sybil fill, 60 more keys: they took {} in all; {live} live of {CAPACITY}; a key new to the attack \
         served {late_served} (its floor: {})",
        more.iter().sum::<u32>(),
        config.floor
    );
    assert_eq!(late_served as usize, config.floor, "a new key did not get its floor");

    // How many keys it takes to leave a new key nothing at all.
    let mut keys = 9 + 60;
    let locked_out = loop {
        let k = 10_000 + keys;
        if take(&store, &KeyId::new(&format!("probe-{keys}")).unwrap(), k, 0, 1_000, now).0 == 0 {
            break keys;
        }
        keys += 1;
        assert!(keys < 5_000, "bounded");
    };
    // The bot, in use the epoch before, keeps its rate: its old nonces expire and new ones fit
    // in its reserve, however full the rest is.
    let later = UnixTime(epoch + 320);
    let (bot_served, bot_refusal) = take(&store, &bot, 1, 1_000, 200, later);
    let live = store.stats(later).live;
    println!(
        "sybil fill: a new key got nothing only after {locked_out} attacker keys (the review's fill took 9); \
         the bot, in use the epoch before, then served {bot_served} of 200 ({bot_refusal:?}); {live} live \
         (hard bound {})",
        config.hard_capacity()
    );
    assert!(locked_out >= 200, "{locked_out} keys locked a new key out");
    assert_eq!(bot_served, 200, "a key with history was locked out");
    assert!(live <= config.hard_capacity());
}

//! Replay protection at server scale, through `VerifierService`: the in-process store under
//! load, expiry, capacity and per-key fairness; and Redis shared by several services, racing,
//! going down and coming back (a real `redis-server` on a free loopback port).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::sync::{Arc, Barrier};

use signet_core::turbine::{
    AuthError, Claims, IssuedApiKey, KeyId, KeyRing, MAX_TOKEN_LEN, PreparedSigningKey, VerifyConfig, mint,
};
use signet_core::{Clock, UnixTime};
use signet_server::VerifierService;
use signet_server::store::{
    MemoryReplayConfig, MemoryReplayStore, RedisReplayConfig, RedisReplayStore, ReplayStore,
};
use signet_std::{SystemClock, os_rng};
use support::RedisServer;

type Service = VerifierService<KeyRing<4>>;

/// An API key and what mints its tokens.
struct Key {
    kid: KeyId,
    signer: PreparedSigningKey,
}

impl Key {
    fn new(ring: &mut KeyRing<4>) -> Self {
        let issued = IssuedApiKey::generate(&mut os_rng());
        ring.insert(issued.kid.clone(), issued.record()).unwrap();
        Key { kid: issued.kid.clone(), signer: PreparedSigningKey::new(&issued.secret.signing_key()) }
    }

    fn header(&self, ts: UnixTime) -> String {
        let claims = Claims::generate(self.kid.clone(), ts, &mut os_rng());
        let mut buf = [0u8; MAX_TOKEN_LEN];
        format!("Bearer {}", mint(&self.signer, &claims, &mut buf).unwrap())
    }
}

fn memory_service(keys: KeyRing<4>, config: VerifyConfig, capacity: usize, per_key: usize) -> Service {
    // Each key may hold `per_key` however full the store is: these tests are about expiry,
    // capacity and one key's cap (tests/replay_fairness.rs has the shrinking shares).
    let replay = MemoryReplayConfig { capacity, per_key, floor: per_key };
    let store = MemoryReplayStore::new(replay, UnixTime(0), config.window_secs);
    VerifierService::with_replay_store(keys, config, ReplayStore::Memory(store))
}

fn redis_service(keys: KeyRing<4>, url: &str, per_key: usize) -> Service {
    let config = RedisReplayConfig { per_key, ..RedisReplayConfig::default() };
    let store = RedisReplayStore::open(url, config).unwrap();
    support::block(store.prepare()).unwrap();
    VerifierService::with_replay_store(keys, VerifyConfig::default(), ReplayStore::Redis(Box::new(store)))
}

#[test]
fn the_memory_store_takes_100_000_tokens_in_one_window_and_refuses_each_replay() {
    let mut ring = KeyRing::new();
    let key = Key::new(&mut ring);
    let service = Arc::new(memory_service(ring, VerifyConfig::default(), 4 << 20, 1 << 20));
    let now = UnixTime(1_800_000_000);
    let key = Arc::new(key);
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (service, key) = (Arc::clone(&service), Arc::clone(&key));
            std::thread::spawn(move || {
                for _ in 0..50_000 {
                    let header = key.header(now);
                    assert_eq!(service.verify_at(Some(header.as_bytes()), now).map(|c| c.ts), Ok(now));
                    assert_eq!(
                        service.verify_at(Some(header.as_bytes()), now),
                        Err(AuthError::TokenReplayed)
                    );
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let ReplayStore::Memory(store) = service.replay_store() else { panic!() };
    assert_eq!(store.stats(now).live, 100_000);
}

#[test]
fn memory_entries_expire_a_full_store_refuses_and_recovers() {
    let mut ring = KeyRing::new();
    let (a, b) = (Key::new(&mut ring), Key::new(&mut ring));
    // A 5-second window, so the test moves time rather than waiting on it.
    let config = VerifyConfig { window_secs: 5, max_clock_skew_secs: 1 };
    let service = memory_service(ring, config, 1_000, 1_000);
    let ReplayStore::Memory(store) = service.replay_store() else { panic!() };
    let t0 = UnixTime(1_800_000_000);
    let empty = store.stats(t0);
    assert_eq!((empty.live, empty.table_bytes), (0, 0));
    for i in 0..1_000 {
        let key = if i % 2 == 0 { &a } else { &b };
        assert_eq!(service.verify_at(Some(key.header(t0).as_bytes()), t0).map(|_| ()), Ok(()), "token {i}");
    }
    let full = store.stats(t0);
    assert_eq!(full.live, 1_000);
    assert!(full.table_bytes > 0);
    let refused = service.verify_at(Some(a.header(t0).as_bytes()), t0).unwrap_err();
    assert_eq!(
        (refused, refused.http_status(), refused.to_string().as_str()),
        (AuthError::ReplayCacheFull, 503, "replay cache full")
    );
    // Past the window and its slice, the entries are gone and memory is back where it began.
    let later = UnixTime(t0.0 + 20);
    let after = store.stats(later);
    assert_eq!((after.live, after.table_bytes), (0, 0));
    assert_eq!(service.verify_at(Some(a.header(later).as_bytes()), later).map(|_| ()), Ok(()));
}

/// One key floods past its cap: 429 for it, every token of another key accepted.
fn flooding_key_is_limited(service: &Service, flood: &Key, other: &Key, cap: usize) {
    let now = SystemClock.now();
    for i in 0..cap {
        assert_eq!(
            service.verify(Some(flood.header(now).as_bytes())).map(|_| ()),
            Ok(()),
            "token {i} within the cap"
        );
    }
    for _ in 0..20 {
        let refused = service.verify(Some(flood.header(now).as_bytes())).unwrap_err();
        assert_eq!(
            (refused, refused.http_status(), refused.to_string().as_str()),
            (AuthError::RateLimited, 429, "rate limit exceeded")
        );
    }
    for i in 0..cap {
        assert_eq!(
            service.verify(Some(other.header(now).as_bytes())).map(|_| ()),
            Ok(()),
            "other key's token {i}"
        );
    }
}

#[test]
fn a_flooding_key_gets_429_and_others_do_not_notice_memory() {
    let mut ring = KeyRing::new();
    let (flood, other) = (Key::new(&mut ring), Key::new(&mut ring));
    let service = memory_service(ring, VerifyConfig::default(), 10_000, 200);
    flooding_key_is_limited(&service, &flood, &other, 200);
}

#[test]
fn a_flooding_key_gets_429_and_others_do_not_notice_redis() {
    let redis = RedisServer::start();
    let mut ring = KeyRing::new();
    let (flood, other) = (Key::new(&mut ring), Key::new(&mut ring));
    let service = redis_service(ring, &redis.url(), 200);
    flooding_key_is_limited(&service, &flood, &other, 200);
}

#[test]
fn redis_is_shared_by_services_and_outlives_them() {
    let redis = RedisServer::start();
    let mut ring = KeyRing::new();
    let key = Key::new(&mut ring);
    let header = key.header(SystemClock.now());
    {
        let first = redis_service(ring.clone(), &redis.url(), 1_000);
        let second = redis_service(ring.clone(), &redis.url(), 1_000);
        assert_eq!(first.verify(Some(header.as_bytes())).map(|c| c.kid), Ok(key.kid.clone()));
        assert_eq!(second.verify(Some(header.as_bytes())), Err(AuthError::TokenReplayed));
    }
    // Both gone and rebuilt (a restart of every instance): still used.
    let rebuilt = redis_service(ring, &redis.url(), 1_000);
    assert_eq!(rebuilt.verify(Some(header.as_bytes())), Err(AuthError::TokenReplayed));
}

#[test]
fn sixteen_threads_on_two_services_racing_one_token_accept_it_once() {
    let redis = RedisServer::start();
    let mut ring = KeyRing::new();
    let key = Key::new(&mut ring);
    let services = [
        Arc::new(redis_service(ring.clone(), &redis.url(), 1_000)),
        Arc::new(redis_service(ring, &redis.url(), 1_000)),
    ];
    for round in 0..10 {
        let header = Arc::new(key.header(SystemClock.now()));
        let barrier = Arc::new(Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|i| {
                let (service, header, barrier) =
                    (Arc::clone(&services[i % 2]), Arc::clone(&header), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    barrier.wait();
                    service.verify(Some(header.as_bytes()))
                })
            })
            .collect();
        let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "round {round}: {outcomes:?}");
        assert!(outcomes.iter().all(|o| o.is_ok() || *o == Err(AuthError::TokenReplayed)), "{outcomes:?}");
    }
}

#[test]
fn redis_down_is_503_never_acceptance_and_coming_back_heals() {
    let mut redis = RedisServer::start();
    let mut ring = KeyRing::new();
    let key = Key::new(&mut ring);
    let service = redis_service(ring, &redis.url(), 1_000);
    assert!(service.verify(Some(key.header(SystemClock.now()).as_bytes())).is_ok());
    redis.stop();
    for _ in 0..5 {
        let refused = service.verify(Some(key.header(SystemClock.now()).as_bytes())).unwrap_err();
        assert_eq!(
            (refused, refused.http_status(), refused.to_string().as_str()),
            (AuthError::ReplayStoreUnavailable, 503, "replay store unavailable")
        );
    }
    redis.restart();
    // Restarted empty: what was issued up to this second may have been used before, so it is
    // refused as used; a token of the next second passes.
    let back = std::time::Instant::now();
    loop {
        match service.verify(Some(key.header(SystemClock.now()).as_bytes())) {
            Ok(_) => break,
            Err(e) => assert_eq!(e, AuthError::TokenReplayed),
        }
        assert!(back.elapsed() < core::time::Duration::from_millis(1_500), "no fresh token accepted");
        std::thread::sleep(core::time::Duration::from_millis(50));
    }
    // The async path (what servers use) heals the same way.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let first = service.verify_async(Some(key.header(SystemClock.now()).as_bytes())).await;
        assert!(first.is_ok(), "{first:?}");
        redis.stop();
        let refused = service.verify_async(Some(key.header(SystemClock.now()).as_bytes())).await;
        assert_eq!(refused, Err(AuthError::ReplayStoreUnavailable));
        redis.restart();
        // The connection manager reconnects on its own; give it a few tries.
        let mut healed = false;
        for _ in 0..50 {
            if service.verify_async(Some(key.header(SystemClock.now()).as_bytes())).await.is_ok() {
                healed = true;
                break;
            }
            tokio::time::sleep(core::time::Duration::from_millis(100)).await;
        }
        assert!(healed, "the async path did not reconnect");
    });
}

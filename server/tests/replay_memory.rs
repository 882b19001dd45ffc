//! Memory of the in-process replay store, measured with a counting allocator: bytes per live
//! nonce with the default store full (4,194,304 nonces from 16 keys, expiries spread over the
//! window), and what is left once they have expired. No harness, so no other thread allocates
//! meanwhile. Prints the figures the README quotes.
#![allow(clippy::indexing_slicing)]

use std::alloc::System;
use std::process::ExitCode;

use signet_core::UnixTime;
use signet_core::turbine::{KeyId, Nonce, ReplayGuard};
use signet_server::store::{DEFAULT_REPLAY_CAPACITY, MemoryReplayConfig, MemoryReplayStore};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn net_bytes(region: &Region<'_, System>) -> i64 {
    let s = region.change();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64 + s.bytes_reallocated as i64
}

fn main() -> ExitCode {
    let now = UnixTime(1_800_000_000);
    let kids: Vec<KeyId> =
        (0..16).map(|i| KeyId::new(&format!("key-{i}")).unwrap_or_else(|_| unreachable!())).collect();
    // Each key's floor a sixteenth, so the sixteen keys fill it whatever the shares allow:
    // this measures memory, not fairness (tests/replay_fairness.rs does that).
    let config = MemoryReplayConfig { floor: DEFAULT_REPLAY_CAPACITY / 16, ..MemoryReplayConfig::default() };
    let region = Region::new(GLOBAL);
    let store = MemoryReplayStore::new(config, UnixTime(0), 300);
    let empty = net_bytes(&region);
    let mut guard = &store;
    let mut fill = |count: usize| {
        for i in 0..count {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&(i as u64).to_le_bytes());
            let expires = UnixTime(now.0 + 300 + (i % 60) as i64);
            if guard.check_and_record(&kids[i % kids.len()], &Nonce::from_bytes(bytes), expires, now).is_err()
            {
                return false;
            }
        }
        true
    };
    let mut report = Vec::new();
    for target in [1_000_000, DEFAULT_REPLAY_CAPACITY] {
        if !fill(target) {
            eprintln!("replay_memory: FAILED: a nonce was refused below capacity");
            return ExitCode::FAILURE;
        }
        report.push((target, (net_bytes(&region) - empty) as f64 / target as f64));
        // All expired: the next fill starts from an empty store.
        store.purge(UnixTime(now.0 + 10_000));
    }
    let left = net_bytes(&region) - empty;
    for (count, per) in &report {
        println!("memory store: {count} live nonces: {per:.1} bytes per nonce");
    }
    let worst = report.iter().map(|&(_, per)| per).fold(0.0, f64::max);
    let full = report.last().map_or(0.0, |&(n, per)| n as f64 * per) / (1 << 20) as f64;
    println!(
        "memory store: default capacity {DEFAULT_REPLAY_CAPACITY} full: {full:.0} MiB; after expiry {left} bytes held"
    );
    if worst <= 64.0 && left < 64 * 1024 {
        ExitCode::SUCCESS
    } else {
        eprintln!("replay_memory: FAILED: over 64 bytes a nonce, or memory not returned");
        ExitCode::FAILURE
    }
}

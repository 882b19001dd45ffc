//! signet's hot paths beside the raw primitives and peer crates, in one criterion run.
//! `cargo run --release -p signet-benches --bin report` turns the results into ratios.

use core::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use signet_benches::order_peers::AlloyOrder;
use signet_benches::permits::{AlloyPermits, Permits};
use signet_benches::{Jwt, NOW, Orders, Turbine, Wallet, peers};
use signet_core::UnixTime;
use signet_core::bitzoom::jwt::MAX_JWT_LEN;
use signet_core::eth::{eip191_hash, recover_address};
use signet_core::turbine::{KeyId, MAX_TOKEN_LEN, Nonce, NonceCache, ReplayGuard};

fn turbine(c: &mut Criterion) {
    let t = Turbine::new();
    let mut g = c.benchmark_group("turbine");
    g.bench_function("raw-sign", |b| b.iter(|| black_box(&t).raw_sign()));
    g.bench_function("raw-sign-expanded", |b| b.iter(|| black_box(&t).raw_sign_expanded()));
    let mut buf = [0u8; MAX_TOKEN_LEN];
    g.bench_function("mint", |b| b.iter(|| black_box(&t).mint(&mut buf)));
    g.bench_function("mint-prepared", |b| b.iter(|| black_box(&t).mint_prepared(&mut buf)));
    g.bench_function("raw-verify", |b| b.iter(|| black_box(&t).raw_verify()));
    g.bench_function("verify", |b| b.iter(|| black_box(&t).verify()));
    // The replay cache alone: a large cache at steady state, each insert a fresh nonce.
    let mut cache = Box::new(NonceCache::<512>::new());
    let kid = KeyId::new("e792e6d8c4bd2122").unwrap_or_else(|_| unreachable!());
    let mut n: u128 = 0;
    g.bench_function("replay-insert", |b| {
        b.iter(|| {
            n += 1;
            let now = UnixTime(NOW.0 + (n / 1000) as i64);
            let nonce = Nonce::from_bytes(n.to_le_bytes());
            black_box(cache.check_and_record(&kid, &nonce, UnixTime(now.0 + 1), now))
        })
    });
    g.finish();
}

fn eth(c: &mut Criterion) {
    let w = Wallet::new();
    let mut g = c.benchmark_group("eth");
    g.bench_function("eip191-hash", |b| b.iter(|| eip191_hash(black_box(w.message.as_bytes()))));
    g.bench_function("personal-sign", |b| b.iter(|| black_box(&w.key).personal_sign(w.message.as_bytes())));
    g.bench_function("recover", |b| {
        b.iter(|| recover_address(black_box(w.message.as_bytes()), &w.signature))
    });
    g.finish();
}

fn order(c: &mut Criterion) {
    let o = Orders::new();
    let alloy = AlloyOrder::new(&o);
    let mut g = c.benchmark_group("order");
    g.bench_function("digest", |b| b.iter(|| black_box(&o.order).digest(&o.domain)));
    g.bench_function("alloy-signing-hash", |b| b.iter(|| black_box(&alloy).signing_hash()));
    g.bench_function("raw-sign-prehash", |b| b.iter(|| black_box(&o).raw_sign()));
    g.bench_function("sign", |b| b.iter(|| black_box(&o).sign()));
    g.bench_function("raw-recover", |b| b.iter(|| black_box(&o).raw_recover()));
    g.bench_function("verify-body", |b| b.iter(|| black_box(&o).verify_body()));
    g.finish();
}

fn permit(c: &mut Criterion) {
    let m = Permits::new();
    let alloy = AlloyPermits::new(&m);
    let mut g = c.benchmark_group("permit");
    for (i, name) in ["permit", "approval", "redemption"].into_iter().enumerate() {
        g.bench_function(format!("{name}-digest"), |b| b.iter(|| black_box(&m).digest(i)));
        g.bench_function(format!("alloy-{name}-hash"), |b| b.iter(|| black_box(&alloy).signing_hash(i)));
        g.bench_function(format!("{name}-verify-body"), |b| b.iter(|| black_box(&m).verify_body(i)));
    }
    g.bench_function("raw-recover", |b| b.iter(|| black_box(&m).raw_recover(0)));
    g.finish();
}

fn jwt(c: &mut Criterion) {
    let j = Jwt::new();
    let p = peers::Peers::new(&j);
    let mut g = c.benchmark_group("jwt");
    let mut buf = [0u8; MAX_JWT_LEN];
    for (i, name) in ["hs256", "eddsa", "es256k"].into_iter().enumerate() {
        g.bench_function(format!("{name}-mint"), |b| b.iter(|| black_box(&j).mint(i, &mut buf)));
        g.bench_function(format!("{name}-verify"), |b| b.iter(|| black_box(&j).verify(i)));
    }
    g.bench_function("jsonwebtoken-hs256-encode", |b| b.iter(|| black_box(&p).jsonwebtoken_hs256_encode(&j)));
    g.bench_function("jsonwebtoken-hs256-decode", |b| b.iter(|| black_box(&p).jsonwebtoken_hs256_decode()));
    g.bench_function("jsonwebtoken-eddsa-encode", |b| b.iter(|| black_box(&p).jsonwebtoken_eddsa_encode(&j)));
    g.bench_function("jsonwebtoken-eddsa-decode", |b| b.iter(|| black_box(&p).jsonwebtoken_eddsa_decode()));
    g.bench_function("jwt-compact-eddsa-encode", |b| b.iter(|| black_box(&p).jwt_compact_eddsa_encode(&j)));
    g.bench_function("jwt-compact-eddsa-decode", |b| b.iter(|| black_box(&p).jwt_compact_eddsa_decode()));
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(core::time::Duration::from_millis(500))
        .measurement_time(core::time::Duration::from_secs(2))
        .sample_size(50)
}

criterion_group! { name = benches; config = config(); targets = turbine, eth, order, permit, jwt }
criterion_main!(benches);

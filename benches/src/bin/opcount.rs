//! Does exactly N operations on fixed inputs, for instruction counting under valgrind:
//! `valgrind --tool=callgrind target/release/opcount OP N`. Subtract a run with a smaller N to
//! cancel the fixed setup, and divide by the difference in N.

use core::hint::black_box;
use std::process::ExitCode;

use signet_benches::order_peers::AlloyOrder;
use signet_benches::peers::Peers;
use signet_benches::permits::{AlloyPermits, Permits};
use signet_benches::{Jwt, Orders, Turbine};
use signet_core::bitzoom::jwt::MAX_JWT_LEN;
use signet_core::turbine::MAX_TOKEN_LEN;

const OPS: [&str; 33] = [
    "raw-sign",
    "raw-sign-expanded",
    "mint",
    "mint-prepared",
    "raw-verify",
    "verify",
    "verify-overhead",
    "jwt-hs256-mint",
    "jwt-hs256-verify",
    "jwt-eddsa-mint",
    "jwt-eddsa-verify",
    "jsonwebtoken-hs256-encode",
    "jsonwebtoken-hs256-decode",
    "jsonwebtoken-eddsa-encode",
    "jsonwebtoken-eddsa-decode",
    "jwt-compact-eddsa-encode",
    "jwt-compact-eddsa-decode",
    "order-digest",
    "alloy-signing-hash",
    "raw-sign-prehash",
    "order-sign",
    "raw-recover",
    "order-verify-body",
    "permit-digest",
    "approval-digest",
    "redemption-digest",
    "alloy-permit-hash",
    "alloy-approval-hash",
    "alloy-redemption-hash",
    "permit-raw-recover",
    "permit-verify-body",
    "approval-verify-body",
    "redemption-verify-body",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(op), Some(Ok(n))) = (args.first(), args.get(1).map(|n| n.parse::<u64>())) else {
        eprintln!("usage: opcount <{}> <N>", OPS.join("|"));
        return ExitCode::FAILURE;
    };
    if !OPS.contains(&op.as_str()) {
        eprintln!("unknown operation {op:?}; one of {}", OPS.join(", "));
        return ExitCode::FAILURE;
    }
    let t = Turbine::new();
    let (j, mut jbuf) = (Jwt::new(), [0u8; MAX_JWT_LEN]);
    let p = Peers::new(&j);
    let o = Orders::new();
    let alloy = AlloyOrder::new(&o);
    let m = Permits::new();
    let alloy_m = AlloyPermits::new(&m);
    let mut buf = [0u8; MAX_TOKEN_LEN];
    let mut ok = true;
    for _ in 0..n {
        let t = black_box(&t);
        ok &= match op.as_str() {
            "raw-sign" => black_box(t.raw_sign()) == t.signature,
            "raw-sign-expanded" => black_box(t.raw_sign_expanded()) == t.signature,
            "mint" => black_box(t.mint(&mut buf)) > 0,
            "mint-prepared" => black_box(t.mint_prepared(&mut buf)) > 0,
            "raw-verify" => black_box(t.raw_verify()),
            "verify" => black_box(t.verify()),
            "verify-overhead" => black_box(t.verify_overhead()),
            "jwt-hs256-mint" => black_box(&j).mint(0, &mut jbuf) > 0,
            "jwt-hs256-verify" => black_box(&j).verify(0),
            "jwt-eddsa-mint" => black_box(&j).mint(1, &mut jbuf) > 0,
            "jwt-eddsa-verify" => black_box(&j).verify(1),
            "jsonwebtoken-hs256-encode" => !black_box(&p).jsonwebtoken_hs256_encode(&j).is_empty(),
            "jsonwebtoken-hs256-decode" => black_box(&p).jsonwebtoken_hs256_decode(),
            "jsonwebtoken-eddsa-encode" => !black_box(&p).jsonwebtoken_eddsa_encode(&j).is_empty(),
            "jsonwebtoken-eddsa-decode" => black_box(&p).jsonwebtoken_eddsa_decode(),
            "jwt-compact-eddsa-encode" => !black_box(&p).jwt_compact_eddsa_encode(&j).is_empty(),
            "jwt-compact-eddsa-decode" => black_box(&p).jwt_compact_eddsa_decode(),
            "order-digest" => black_box(&o).order.digest(&o.domain) == o.digest,
            "alloy-signing-hash" => black_box(&alloy).signing_hash() == o.digest,
            "raw-sign-prehash" => black_box(&o).raw_sign() == o.signed.signature,
            "order-sign" => black_box(&o).sign(),
            "raw-recover" => black_box(&o).raw_recover(),
            "order-verify-body" => black_box(&o).verify_body(),
            "permit-digest" => black_box(&m).digest(0) == m.digests[0],
            "approval-digest" => black_box(&m).digest(1) == m.digests[1],
            "redemption-digest" => black_box(&m).digest(2) == m.digests[2],
            "alloy-permit-hash" => black_box(&alloy_m).signing_hash(0) == m.digests[0],
            "alloy-approval-hash" => black_box(&alloy_m).signing_hash(1) == m.digests[1],
            "alloy-redemption-hash" => black_box(&alloy_m).signing_hash(2) == m.digests[2],
            "permit-raw-recover" => black_box(&m).raw_recover(0),
            "permit-verify-body" => black_box(&m).verify_body(0),
            "approval-verify-body" => black_box(&m).verify_body(1),
            "redemption-verify-body" => black_box(&m).verify_body(2),
            _ => false,
        };
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

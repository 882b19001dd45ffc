//! Does exactly N operations on fixed inputs, for instruction counting under valgrind:
//! `valgrind --tool=callgrind target/release/opcount OP N`. Subtract a run with a smaller N to
//! cancel the fixed setup, and divide by the difference in N.

use core::hint::black_box;
use std::process::ExitCode;

use signet_benches::Turbine;
use signet_core::MAX_TOKEN_LEN;

const OPS: [&str; 7] =
    ["raw-sign", "raw-sign-expanded", "mint", "mint-prepared", "raw-verify", "verify", "verify-overhead"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(op), Some(Ok(n))) = (args.first(), args.get(1).map(|n| n.parse::<u64>())) else {
        eprintln!("usage: opcount <{}> <N>", OPS.join("|"));
        return ExitCode::FAILURE;
    };
    let t = Turbine::new();
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
            _ => {
                eprintln!("unknown operation {op:?}; one of {}", OPS.join(", "));
                return ExitCode::FAILURE;
            }
        };
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

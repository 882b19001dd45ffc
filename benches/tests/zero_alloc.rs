//! Proves that mint, verify, JWT verify, registration recovery, order signing and checking, the
//! current SDK's permits, approvals and redemptions (digest, signing, bodies, what the device
//! shows), orders with a permit and bot metadata, and the HD wallet (BIP-39 parsing and checks, PBKDF2, BIP-32) never touch the heap: a
//! counting global allocator sees zero allocations across the calls. Runs without libtest's
//! harness so no other thread allocates meanwhile.

use std::alloc::System;
use std::process::ExitCode;

use core::fmt::Write as _;

use signet_benches::permits::Permits;
use signet_benches::{Jwt, Orders, Turbine, Wallet};
use signet_core::eth::{DerivationPath, Mnemonic, Passphrase, Seed, WalletKey, is_nfkd, recover_address};
use signet_core::turbine::MAX_TOKEN_LEN;
use signet_core::turbine::order::{
    MAX_ORDER_BODY_LEN, MAX_ORDER_SUBMISSION_LEN, MAX_ORDER_SUMMARY_LEN, OrderSubmission,
};
use signet_core::turbine::permit::{
    BotMetadata, MAX_MESSAGE_SUMMARY_LEN, MAX_RELAYER_BODY_LEN, OrderPermit, RelayerBody,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations (and reallocations) made while running `op`, which must also succeed.
fn allocations(op: impl FnOnce() -> bool) -> Result<usize, &'static str> {
    let region = Region::new(GLOBAL);
    let ok = op();
    let stats = region.change();
    if ok { Ok(stats.allocations + stats.reallocations) } else { Err("operation failed") }
}

fn main() -> ExitCode {
    let (t, w, j, o, m) = (Turbine::new(), Wallet::new(), Jwt::new(), Orders::new(), Permits::new());
    let wallet = signet_core::eth::WalletKey::from_bytes(&[0x11; 32]).unwrap_or_else(|_| unreachable!());
    let mut submission = OrderSubmission::new(o.signed);
    submission.permit = Some(OrderPermit {
        nonce: m.messages[0].nonce(),
        value: signet_core::eth::U256::MAX,
        deadline: m.messages[0].deadline(),
        signature: m.signatures[0],
    });
    submission.bot = BotMetadata::new("bot-7", 15).ok();
    let mut submission_buf = [0u8; MAX_ORDER_SUBMISSION_LEN];
    let submission_body = heapless::Vec::<u8, MAX_ORDER_SUBMISSION_LEN>::from_slice(
        submission.write_body(&mut submission_buf).unwrap_or_default().as_bytes(),
    )
    .unwrap_or_default();
    let mut buf = [0u8; MAX_TOKEN_LEN];
    const PHRASE: &str = "legal winner thank year wave sausage worth useful legal winner thank year \
                          wave sausage worth useful legal winner thank year wave sausage worth title";
    const RESTORED: &str = "0xa518BD18b6Cc8A6B4642F5E71fD00302961dE3a3"; // eth-account, passphrase TREZOR
    let ops: [(&str, &dyn Fn() -> bool); 25] = [
        ("turbine mint", &|| t.mint(&mut [0u8; MAX_TOKEN_LEN]) > 0),
        ("turbine mint (prepared key)", &|| t.mint_prepared(&mut [0u8; MAX_TOKEN_LEN]) > 0),
        ("turbine verify", &|| t.verify()),
        ("jwt HS256 verify", &|| j.verify(0)),
        ("jwt EdDSA verify", &|| j.verify(1)),
        ("jwt ES256K verify", &|| j.verify(2)),
        ("registration recovery", &|| {
            recover_address(w.message.as_bytes(), &w.signature).is_ok_and(|a| a == w.key.address())
        }),
        ("registration check", &|| {
            signet_core::turbine::verify_registration(
                &w.key.address().to_checksummed(),
                &w.signature.to_hex(),
            )
            .is_ok()
        }),
        ("personal_sign", &|| w.key.personal_sign(w.message.as_bytes()) == w.signature),
        ("order sign (EIP-712)", &|| o.sign()),
        ("order body write", &|| o.signed.write_body(&mut [0u8; MAX_ORDER_BODY_LEN]).is_ok()),
        ("order body read and verify", &|| o.verify_body()),
        ("order summary", &|| {
            let mut line = heapless::String::<MAX_ORDER_SUMMARY_LEN>::new();
            write!(line, "{}", o.order.summary(&o.domain)).is_ok() && line.starts_with("BUY YES")
        }),
        ("permit digest (EIP-712)", &|| m.digest(0) == m.digests[0]),
        ("redemption digest (uint256[] streamed)", &|| m.digest(2) == m.digests[2]),
        ("permit sign", &|| m.messages[0].sign(m.chain, &wallet).is_ok_and(|s| s == m.signatures[0])),
        ("relayer body write", &|| {
            let body = RelayerBody::new(137, m.messages[2].clone(), m.signatures[2]);
            body.write(&mut [0u8; MAX_RELAYER_BODY_LEN]).is_ok()
        }),
        ("relayer bodies read and verify", &|| (0..3).all(|i| m.verify_body(i))),
        ("permit summary and warnings", &|| {
            let mut line = heapless::String::<MAX_MESSAGE_SUMMARY_LEN>::new();
            write!(line, "{}", m.messages[0].summary(m.chain)).is_ok()
                && line.contains("UNLIMITED")
                && m.messages[0].warnings(m.chain, 1_767_225_600).any()
        }),
        ("order with permit and bot metadata: read", &|| {
            OrderSubmission::parse_body(&submission_body).is_ok_and(|s| s == submission)
        }),
        ("order with permit and bot metadata: write", &|| {
            submission.write_body(&mut [0u8; MAX_ORDER_SUBMISSION_LEN]).is_ok()
        }),
        ("BIP-39 phrase parse", &|| Mnemonic::parse(PHRASE).is_ok_and(|m| m.word_count() == 24)),
        ("passphrase NFKD check", &|| is_nfkd("TREZOR \u{1100}\u{1161}") && !is_nfkd("\u{d55c}")),
        ("BIP-32 derivation (m/0'/1/2'/2/1000000000)", &|| {
            DerivationPath::parse("m/0'/1/2'/2/1000000000")
                .and_then(|path| WalletKey::from_seed(&Seed::from_bytes([7; 64]), &path))
                .is_ok()
        }),
        ("wallet from mnemonic (PBKDF2 + BIP-32)", &|| {
            let passphrase = Passphrase::new("TREZOR");
            Mnemonic::parse(PHRASE)
                .and_then(|m| WalletKey::from_mnemonic(&m, &passphrase?, 0))
                .is_ok_and(|key| key.address().to_checksummed() == RESTORED)
        }),
    ];
    // A control: the counter must see an allocation that does happen.
    if !allocations(|| core::hint::black_box(vec![1u8; 8]).len() == 8).is_ok_and(|n| n > 0) {
        println!("zero_alloc: the counting allocator saw nothing; the test would prove nothing");
        return ExitCode::FAILURE;
    }
    // The first call of anything may initialise lazily; count from the second.
    let _ = t.mint(&mut buf);
    let mut failed = 0;
    for (name, op) in ops {
        let _ = op();
        match allocations(op) {
            Ok(0) => println!("{name}: 0 allocations"),
            Ok(n) => {
                failed += 1;
                println!("{name}: {n} allocations (expected 0)");
            }
            Err(e) => {
                failed += 1;
                println!("{name}: {e}");
            }
        }
    }
    println!("zero_alloc: {} passed, {failed} failed", ops.len() - failed);
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

//! Secrets are built where they can be wiped: the credentials file text is one buffer sized
//! before it is filled, so no reallocation or temporary string leaves a copy of a key in freed
//! heap memory. A counting global allocator checks it; no harness, so no other thread
//! allocates meanwhile.

use std::alloc::System;
use std::process::ExitCode;

use signet_core::eth::WalletKey;
use signet_core::turbine::IssuedApiKey;
use signet_std::{Credentials, Secret, TurbineApiKey, os_rng};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> ExitCode {
    let issued = IssuedApiKey::generate(&mut os_rng());
    let creds = Credentials {
        turbine_host: Some("https://api.turbinefi.com".into()),
        wallet: Some(WalletKey::generate(&mut os_rng())),
        turbine_api: Some(TurbineApiKey { key_id: issued.kid.clone(), secret: issued.secret.clone() }),
        bitzoom_token: Some(Secret::new("eyJhbGciOiJIUzI1NiJ9.e30.sig".into())),
        bitzoom_api_key: Some("bz-key".into()),
        bitzoom_api_secret: Some(Secret::new("bz-secret".into())),
    };
    let region = Region::new(GLOBAL);
    let text = creds.to_file_text();
    let stats = region.change();
    let whole = text.len() == text.capacity() && text.ends_with(b"BITZOOM_API_SECRET=bz-secret\n");
    println!(
        "credentials text: {} bytes, {} allocation(s), {} reallocation(s)",
        text.len(),
        stats.allocations,
        stats.reallocations
    );
    if stats.allocations == 1 && stats.reallocations == 0 && whole {
        ExitCode::SUCCESS
    } else {
        eprintln!("secret_memory: FAILED: the credentials text must be built in one pre-sized buffer");
        ExitCode::FAILURE
    }
}

//! Verifier firmware probe: the core verifier on a Cortex-M4 under QEMU, checking a flat token
//! and hostile ones (nested to the JSON bound with escapes; the review's stray-quote bypass
//! over 200 levels) and a JWT nested to the bound, with the deepest stack each took. Kept apart
//! from the device demo so that firmware links only what a signing device runs.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use signet_core::bitzoom::jwt::{JwtVerifier, JwtVerifyingKey};
use signet_core::ed25519_dalek::SigningKey;
use signet_core::turbine::{AuthError, Claims, KeyId, KeyRecord, KeyRing, NonceCache, Verifier};
use signet_core::{HmacKey, UnixTime};
use signet_qemu_firmware::{API_KEY_ID, API_KEY_SEED, DEMO_TIME, exit, hostile, measure, start_counting};

/// A firmware-class verifier: one key and a small replay cache.
type DemoVerifier = Verifier<KeyRing<1>, NonceCache<4>>;

#[entry]
fn main() -> ! {
    exit(run().is_some())
}

fn check(verifier: &mut DemoVerifier, header: &[u8]) -> Result<Claims, AuthError> {
    verifier.verify(Some(header), UnixTime(DEMO_TIME))
}

/// Verifies `token` with a fresh verifier: the outcome and the deepest stack.
fn verify(token: &str) -> Option<(Result<Claims, AuthError>, usize)> {
    let mut keys = KeyRing::<1>::new();
    let record = KeyRecord::active(SigningKey::from_bytes(&API_KEY_SEED).verifying_key());
    keys.insert(KeyId::new(API_KEY_ID).ok()?, record).ok()?;
    let mut header = [0u8; 1024];
    let len = 7 + token.len();
    header.get_mut(..7)?.copy_from_slice(b"Bearer ");
    header.get_mut(7..len)?.copy_from_slice(token.as_bytes());
    let mut verifier = Verifier::new(keys, NonceCache::new());
    let (outcome, _, stack) = measure(&mut verifier, header.get(..len)?, check);
    Some((outcome, stack))
}

fn verify_jwt(verifier: &JwtVerifier, token: &[u8]) -> bool {
    verifier.verify::<serde::de::IgnoredAny>(token, UnixTime(DEMO_TIME)).is_ok()
}

fn run() -> Option<()> {
    start_counting(cortex_m::Peripherals::take()?.SYST);
    let (outcome, flat) = verify(hostile::TURBINE_FLAT)?;
    outcome.ok()?;
    hprintln!("verify-stack-bytes: {}", flat);

    let (outcome, deep) = verify(hostile::TURBINE_DEEP)?;
    outcome.ok()?;
    let (outcome, bypass) = verify(hostile::TURBINE_BYPASS)?;
    (outcome == Err(AuthError::InvalidTokenFormat)).then_some(())?;
    hprintln!("verify-hostile-stack-bytes: {}", deep.max(bypass));

    // serde-json-core recurses through every level of the claims read into `IgnoredAny`.
    let verifier = JwtVerifier::new(JwtVerifyingKey::Hs256(HmacKey::new(b"qemu demo jwt secret")));
    let (ok, _, stack) = measure(&verifier, hostile::JWT_DEEP.as_bytes(), verify_jwt);
    ok.then_some(())?;
    hprintln!("jwt-verify-hostile-stack-bytes: {}", stack);
    Some(())
}

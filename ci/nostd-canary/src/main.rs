//! no_std canary: mints and verifies a token and signs and checks a wallet registration with
//! signet-core; exits 0 only if all of it works.
//! Built and run on the host by `.ci/run`; the C runtime calls `main`, nothing of Rust's std
//! is linked.
#![no_std]
#![no_main]

use core::panic::PanicInfo;

use signet_core::ed25519_dalek::SigningKey;
use signet_core::eth::WalletKey;
use signet_core::{
    Claims, KeyId, KeyRecord, KeyRing, MAX_TOKEN_LEN, Nonce, NonceCache, UnixTime, Verifier, mint,
    verify_registration,
};

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}

// libc provides memcpy and friends (and the startup code that calls `main`); it is C, not Rust std.
#[link(name = "c")]
unsafe extern "C" {}

fn run() -> Option<()> {
    let key = SigningKey::from_bytes(&[7; 32]);
    let kid = KeyId::new("canary").ok()?;
    let now = UnixTime(1_735_779_017);
    let claims = Claims { kid: kid.clone(), ts: now, nonce: Nonce::from_bytes([1; 16]) };
    let mut token = [0u8; MAX_TOKEN_LEN + 7];
    let (prefix, rest) = token.split_at_mut(7);
    prefix.copy_from_slice(b"Bearer ");
    let len = mint(&key, &claims, rest).ok()?.len();
    let mut keys = KeyRing::<1>::new();
    keys.insert(kid, KeyRecord::active(key.verifying_key())).ok()?;
    let mut verifier = Verifier::new(keys, NonceCache::<1>::new());
    let header = token.get(..7 + len)?;
    (verifier.verify(Some(header), now).ok()? == claims).then_some(())?;
    // A replay must be refused.
    verifier.verify(Some(header), now).is_err().then_some(())?;

    // A wallet registration: personal_sign, then the server-side recovery check.
    let wallet = WalletKey::from_bytes(&[0x22; 32]).ok()?;
    let request = wallet.sign_registration();
    let address = verify_registration(&request.address.to_checksummed(), &request.signature.to_hex()).ok()?;
    (address == wallet.address()).then_some(())
}

#[unsafe(no_mangle)]
extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    if run().is_some() { 0 } else { 1 }
}

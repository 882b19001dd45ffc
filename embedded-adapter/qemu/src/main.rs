//! Demo firmware: the signet-embedded device on a Cortex-M4 under QEMU (mps2-an386).
//!
//! It runs the real adapter code (the DS3231 driver over a simulated I2C register file, the
//! debounced button over a simulated pin the user "presses" after a few samples) with fixed
//! demo keys and a fixed time, mints a token and signs a wallet registration through
//! `Device::handle`, and prints what the host needs to check them, with the instructions
//! (SysTick under `-icount shift=0`) and the stack (painting) each operation took. (The
//! verifier's stack is measured by the `verify-stack` firmware, so this one links only what a
//! signing device runs.)
#![no_std]
#![no_main]

use chacha20::ChaCha20Rng;
use chacha20::rand_core::SeedableRng;
use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use signet_core::KeyId;
use signet_core::ed25519_dalek::SigningKey;
use signet_core::eth::{EthSignature, WalletKey};
use signet_core::link::{Request, Response};
use signet_embedded::sim::{NoDelay, SimulatedButton, SimulatedLed, SimulatedRtc};
use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, RtcClock};
use signet_qemu_firmware::{API_KEY_ID, API_KEY_SEED, DEMO_TIME, WALLET_KEY, exit, measure, start_counting};

type Firmware = Device<RtcClock<SimulatedRtc>, Button<SimulatedButton, SimulatedLed, NoDelay>, ChaCha20Rng>;

/// Nonce randomness. A real device seeds from its hardware RNG; QEMU's board has none.
const RNG_SEED: [u8; 32] = *b"signet qemu demo nonce seed 0001";

#[entry]
fn main() -> ! {
    exit(run().is_some())
}

fn run() -> Option<()> {
    let per_tick = start_counting(cortex_m::Peripherals::take()?.SYST);
    hprintln!("systick-instructions-per-tick: {}", per_tick);

    let mut keys = DeviceKeys::new(WalletKey::from_bytes(&WALLET_KEY).ok()?);
    keys.set_api_key(KeyId::new(API_KEY_ID).ok()?, &SigningKey::from_bytes(&API_KEY_SEED));
    let clock = RtcClock::new(SimulatedRtc::default());
    let button = Button::new(
        SimulatedButton::presses_every(4),
        SimulatedLed::default(),
        NoDelay,
        ButtonConfig::default(),
    );
    let mut device = Device::new(keys, clock, button, ChaCha20Rng::from_seed(RNG_SEED));
    (device.handle(&Request::SetTime { unix_secs: DEMO_TIME }) == Response::TimeSet).then_some(())?;

    let (public_key, address) = {
        let (_, public_key) = device.keys().api_key()?;
        (public_key, device.keys().address().to_checksummed())
    };

    let (response, ticks, stack) = measure(&mut device, &Request::MintToken, Firmware::handle);
    let Response::Token { token } = response else { return None };
    let token = core::str::from_utf8(&token).ok()?;
    let mut hex = [0u8; 64];
    hex::encode_to_slice(public_key, &mut hex).ok()?;
    hprintln!("token: {}", token);
    hprintln!("public-key: {}", core::str::from_utf8(&hex).ok()?);
    hprintln!("mint-instructions: {}", ticks * per_tick);
    hprintln!("mint-stack-bytes: {}", stack);

    let request = Request::SignRegistration { address: address.clone() };
    let (response, ticks, stack) = measure(&mut device, &request, Firmware::handle);
    let Response::Registration { signature } = response else { return None };
    let signature = EthSignature::from_bytes(signature.into_array().ok()?);
    hprintln!("registration-address: {}", address);
    hprintln!("registration-signature: {}", signature.to_hex());
    hprintln!("registration-instructions: {}", ticks * per_tick);
    hprintln!("registration-stack-bytes: {}", stack);
    Some(())
}

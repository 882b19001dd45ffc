//! Demo firmware: the signet-embedded device on a Cortex-M4 under QEMU (mps2-an386).
//!
//! It runs the real adapter code (the DS3231 driver over a simulated I2C register file, the
//! debounced button over a simulated pin the user "presses" after a few samples) with fixed
//! demo keys and a fixed time, mints a token and signs a wallet registration through
//! `Device::handle`, and prints what the host needs to check them, with the instructions
//! (SysTick under `-icount shift=0`) and the stack (painting) each operation took.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::ptr::{read_volatile, write_volatile};

use chacha20::ChaCha20Rng;
use chacha20::rand_core::SeedableRng;
use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use signet_core::KeyId;
use signet_core::ed25519_dalek::SigningKey;
use signet_core::eth::{EthSignature, WalletKey};
use signet_core::link::{Request, Response};
use signet_embedded::sim::{NoDelay, SimulatedButton, SimulatedLed, SimulatedRtc};
use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, RtcClock};

type Firmware = Device<RtcClock<SimulatedRtc>, Button<SimulatedButton, SimulatedLed, NoDelay>, ChaCha20Rng>;

/// 2026-11-23T12:00:00Z.
const DEMO_TIME: i64 = 1_795_435_200;
const API_KEY_ID: &str = "qemu-demo-device";
/// Demo keys: public on purpose, so the host can check what the firmware prints.
const API_KEY_SEED: [u8; 32] = *b"signet qemu demo api key seed 01";
const WALLET_KEY: [u8; 32] = *b"signet qemu demo wallet key 0001";
/// Nonce randomness. A real device seeds from its hardware RNG; QEMU's board has none.
const RNG_SEED: [u8; 32] = *b"signet qemu demo nonce seed 0001";

/// Words below the stack pointer painted before an operation.
const PAINT_WINDOW: usize = 48 * 1024;
const PAINT: u32 = 0x5AA5_C33C;

#[entry]
fn main() -> ! {
    let code = if run().is_some() { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE };
    debug::exit(code);
    loop {
        cortex_m::asm::wfi();
    }
}

fn run() -> Option<()> {
    let peripherals = cortex_m::Peripherals::take()?;
    let mut syst = peripherals.SYST;
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(0x00FF_FFFF);
    syst.clear_current();
    syst.enable_counter();
    let per_tick = instructions_per_tick();
    hprintln!("systick-instructions-per-tick: {}", per_tick);

    let mut keys = DeviceKeys::new(WalletKey::from_bytes(&WALLET_KEY).ok()?);
    keys.set_api_key(KeyId::new(API_KEY_ID).ok()?, &SigningKey::from_bytes(&API_KEY_SEED));
    let clock = RtcClock::new(SimulatedRtc::default());
    let button = Button::new(
        SimulatedButton::pressed_after(3),
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

    let (response, ticks, stack) = measure(&mut device, &Request::MintToken);
    let Response::Token { token } = response else { return None };
    let token = core::str::from_utf8(&token).ok()?;
    let mut hex = [0u8; 64];
    hex::encode_to_slice(public_key, &mut hex).ok()?;
    hprintln!("token: {}", token);
    hprintln!("public-key: {}", core::str::from_utf8(&hex).ok()?);
    hprintln!("mint-instructions: {}", ticks * per_tick);
    hprintln!("mint-stack-bytes: {}", stack);

    let request = Request::SignRegistration { address: address.clone() };
    let (response, ticks, stack) = measure(&mut device, &request);
    let Response::Registration { signature } = response else { return None };
    let signature = EthSignature::from_bytes(signature.into_array().ok()?);
    hprintln!("registration-address: {}", address);
    hprintln!("registration-signature: {}", signature.to_hex());
    hprintln!("registration-instructions: {}", ticks * per_tick);
    hprintln!("registration-stack-bytes: {}", stack);
    Some(())
}

/// SysTick ticks since an earlier reading (it counts down from its 24-bit reload).
fn ticks_since(start: u32) -> u32 {
    start.wrapping_sub(SYST::get_current()) & 0x00FF_FFFF
}

/// Instructions per SysTick tick, from a loop of exactly two instructions per round: under
/// `-icount shift=0` one instruction takes 1 ns of virtual time, and the board's 25 MHz core
/// clock ticks every 40 ns.
fn instructions_per_tick() -> u32 {
    const ROUNDS: u32 = 200_000;
    let start = SYST::get_current();
    // SAFETY: a register-only countdown loop.
    unsafe {
        core::arch::asm!("1:", "subs {0}, {0}, #1", "bne 1b", inout(reg) ROUNDS => _, options(nomem, nostack));
    }
    let ticks = ticks_since(start).max(1);
    (2 * ROUNDS + ticks / 2) / ticks
}

/// Runs one request with the stack below here painted, and returns the answer, the SysTick
/// ticks it took and the deepest stack it reached (bytes below the stack pointer at the call).
#[inline(never)]
fn measure(device: &mut Firmware, request: &Request) -> (Response, u32, usize) {
    let sp = cortex_m::register::msp::read() as usize;
    let bottom = sp - PAINT_WINDOW;
    let mut word = bottom;
    while word < sp {
        // SAFETY: RAM below the stack pointer is unused (no interrupts are enabled) and the
        // window lies inside the RAM region of memory.x.
        unsafe { write_volatile(word as *mut u32, PAINT) };
        word += 4;
    }
    // Through a function pointer the compiler cannot inline `handle` into this frame (whose
    // stack was reserved before painting).
    let handle: fn(&mut Firmware, &Request) -> Response = black_box(Firmware::handle);
    let start = SYST::get_current();
    let response = handle(device, request);
    let ticks = ticks_since(start);
    let mut deepest = sp;
    let mut word = bottom;
    while word < sp {
        // SAFETY: as above; reading back the window.
        if unsafe { read_volatile(word as *const u32) } != PAINT {
            deepest = word;
            break;
        }
        word += 4;
    }
    (response, ticks, sp - deepest)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

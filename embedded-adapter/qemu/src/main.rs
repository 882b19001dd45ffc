//! Demo firmware: the signet-embedded device on a Cortex-M4 under QEMU (mps2-an386).
//!
//! It runs the real adapter code (the DS3231 driver over a simulated I2C register file, the
//! debounced button over a simulated pin the user "presses" after a few samples, the semihosting
//! console as the display) with fixed demo keys and a fixed time, mints a token, signs a wallet
//! registration and a Turbine order through `Device::handle`, and prints what the host needs to
//! check them, with the instructions (SysTick under `-icount shift=0`) and the stack (painting)
//! each operation took. (The
//! verifier's stack is measured by the `verify-stack` firmware, so this one links only what a
//! signing device runs.)
#![no_std]
#![no_main]

use chacha20::ChaCha20Rng;
use chacha20::rand_core::SeedableRng;
use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use signet_core::ed25519_dalek::SigningKey;
use signet_core::eth::{Address, EthSignature, WalletKey};
use signet_core::link::{Request, Response};
use signet_core::turbine::KeyId;
use signet_core::turbine::order::MAX_ORDER_BODY_LEN;
use signet_core::turbine::order::{MarketId, Order, OrderArgs, OrderDomain, Outcome, Side, SignedOrder};
use signet_embedded::sim::{NoDelay, SimulatedButton, SimulatedLed, SimulatedRtc};
use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, RtcClock, TextDisplay};
use signet_qemu_firmware::{API_KEY_ID, API_KEY_SEED, DEMO_TIME, WALLET_KEY, exit, measure, start_counting};

type Firmware =
    Device<RtcClock<SimulatedRtc>, Button<SimulatedButton, SimulatedLed, NoDelay>, ChaCha20Rng, Console>;

/// The display: the semihosting console, one `display:` line per text shown.
struct Console;

impl TextDisplay for Console {
    type Error = core::convert::Infallible;

    fn show(&mut self, line: &str) -> Result<(), Self::Error> {
        hprintln!("display: {}", line);
        Ok(())
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

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
    let mut device = Device::new(keys, clock, button, ChaCha20Rng::from_seed(RNG_SEED)).with_display(Console);
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

    sign_order(&mut device, per_tick)
}

/// Signs the demo order (Polygon, the SDK's settlement contract): the device shows it on the
/// console, the simulated user presses, and the host gets the SDK's body with the domain.
fn sign_order(device: &mut Firmware, per_tick: u32) -> Option<()> {
    let trader = device.keys().address();
    let order = Order::new(OrderArgs {
        market_id: MarketId::parse(b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928")
            .ok()?,
        trader,
        side: Side::Buy,
        outcome: Outcome::Yes,
        price: 642_000,
        size: 12_500_000,
        // The SDK's form: the time above 32 random bits (fixed here).
        nonce: ((DEMO_TIME as u128) << 32) | 0x5167_6e65,
        expiration: DEMO_TIME as u64 + 3600,
        maker_fee_recipient: Address::from_bytes([0; 20]),
    })
    .ok()?;
    let domain = OrderDomain::for_chain(137)?;
    let request = Request::SignOrder { order, domain };
    let (response, ticks, stack) = measure(device, &request, Firmware::handle);
    let Response::OrderSignature { signature } = response else { return None };
    let signed = SignedOrder { order, signature: EthSignature::from_bytes(signature.into_array().ok()?) };
    let mut buf = [0u8; MAX_ORDER_BODY_LEN];
    let body = signed.write_body(&mut buf).ok()?;
    // The SDK's body with the domain beside it, so the host can check it on its own.
    let body = body.strip_suffix('}')?;
    hprintln!(
        "order-json: {},\"chainId\":{},\"verifyingContract\":\"{}\"}}",
        body,
        domain.chain_id(),
        domain.verifying_contract()
    );
    hprintln!("order-signature: {}", signed.signature.to_hex());
    hprintln!("order-instructions: {}", ticks * per_tick);
    hprintln!("order-stack-bytes: {}", stack);
    Some(())
}

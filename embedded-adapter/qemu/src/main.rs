//! Demo firmware: the signet-embedded device on a Cortex-M4 under QEMU (mps2-an386).
//!
//! It runs the real adapter code (the DS3231 driver over a simulated I2C register file, the
//! device's state in a simulated NOR flash, a simulated user who writes down the backup words and
//! presses, the semihosting console as the display). Starting from an empty flash it makes a
//! wallet (words shown and two asked back), installs an API key, starts again over the same flash
//! ("reboots") and finds both kept, mints a token, signs a registration, a USDC permit, a CTF
//! approval, a redemption and a Turbine order; a
//! second device restores a fixed mnemonic. It prints what the host needs to check all of it,
//! with the instructions (SysTick under `-icount shift=0`) and the stack (painting) each
//! operation took. (The verifier's stack is measured by the `verify-stack` firmware, so this one
//! links only what a signing device runs.)
#![no_std]
#![no_main]

use chacha20::ChaCha20Rng;
use chacha20::rand_core::SeedableRng;
use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use signet_core::eth::{
    Address, DerivationPath, EthSignature, Mnemonic, Passphrase, WalletKey, english_index,
};
use signet_core::link::{KeySecret, Request, Response, RestoreSecret};
use signet_core::pin::{Keys, PIN_ITERATIONS, Pin, SealedKeys};
use signet_core::turbine::order::MAX_ORDER_BODY_LEN;
use signet_core::turbine::order::{MarketId, Order, OrderArgs, OrderDomain, Outcome, Side, SignedOrder};
use signet_embedded::sim::{SimulatedFlash, SimulatedRtc, SimulatedUser};
use signet_embedded::{Device, FlashStorage, RtcClock, TextDisplay};
use signet_qemu_firmware::{API_KEY_ID, API_KEY_SEED, DEMO_TIME, exit, measure, start_counting};

mod messages;

type Flash = SimulatedFlash<16384>;
type Firmware<'u> =
    Device<RtcClock<SimulatedRtc>, &'u SimulatedUser, ChaCha20Rng, Console<'u>, FlashStorage<Flash>>;

/// Where the state lives in the flash: its last three sectors (two 4 KiB slots and the PIN counter).
const STATE_OFFSET: u32 = 4096;

/// The restore demo: BIP-39's published 24-word vector (entropy 7f7f…) and a passphrase.
const RESTORE_WORDS: &str = "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title";
const RESTORE_PASSPHRASE: &str = "TREZOR";

/// The display: the semihosting console (one `display:` line per text shown), and the simulated
/// user reading it.
struct Console<'u>(&'u SimulatedUser);

impl TextDisplay for Console<'_> {
    type Error = core::convert::Infallible;

    fn show(&mut self, line: &str) -> Result<(), Self::Error> {
        hprintln!("display: {}", line);
        let mut user = self.0;
        user.show(line)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        let mut user = self.0;
        user.clear()
    }
}

/// Randomness for the wallet's entropy and the nonces. A real device seeds from its hardware
/// RNG (see the Pico firmware); QEMU's board has none, so the demo is repeatable.
const RNG_SEED: [u8; 32] = *b"signet qemu demo nonce seed 0001";

#[entry]
fn main() -> ! {
    exit(run().is_some())
}

fn boot<'u>(flash: Flash, user: &'u SimulatedUser, seed: u8) -> Option<Firmware<'u>> {
    let storage = FlashStorage::new(flash, STATE_OFFSET)?;
    let mut rng_seed = RNG_SEED;
    rng_seed[31] = seed;
    let device =
        Device::boot(storage, RtcClock::new(SimulatedRtc::default()), user, ChaCha20Rng::from_seed(rng_seed));
    Some(device.ok()?.with_display(Console(user)))
}

fn derive(mnemonic: &Mnemonic, passphrase: &Passphrase<'static>) -> Option<WalletKey> {
    WalletKey::from_mnemonic(mnemonic, passphrase, 0).ok()
}

fn run() -> Option<()> {
    let per_tick = start_counting(cortex_m::Peripherals::take()?.SYST);
    hprintln!("systick-instructions-per-tick: {}", per_tick);

    // First start: an empty flash, no wallet. The device makes one and shows its words.
    let user = SimulatedUser::new();
    let mut device = boot(Flash::default(), &user, 1)?;
    let (response, ticks, stack) = measure(&mut device, &Request::InitWallet { words: 24 }, Firmware::handle);
    let Response::WalletReady { wallet } = response else { return None };
    let address = Address::from_bytes(wallet).to_checksummed();
    hprintln!("wallet-address: {}", address);
    hprintln!("wallet-init-presses: {}", user.presses());
    hprintln!("wallet-init-instructions: {}", ticks * per_tick);
    hprintln!("wallet-init-stack-bytes: {}", stack);

    // An API key, stored in flash (one commit).
    let install =
        Request::InstallApiKey { kid: API_KEY_ID.try_into().ok()?, secret: KeySecret(API_KEY_SEED) };
    let (response, ticks, stack) = measure(&mut device, &install, Firmware::handle);
    (response == Response::ApiKeyInstalled).then_some(())?;
    hprintln!("api-key-install-instructions: {}", ticks * per_tick);
    hprintln!("api-key-install-stack-bytes: {}", stack);

    // "Reboot": a new device over the same flash contents keeps the wallet and the key.
    let flash = device.into_storage().release();
    let mut device = boot(flash, &user, 2)?;
    (device.address()?.to_checksummed() == address && device.api_key()?.0.as_str() == API_KEY_ID)
        .then_some(())?;
    hprintln!("reboot: wallet and API key kept");
    (device.handle(&Request::SetTime { unix_secs: DEMO_TIME }) == Response::TimeSet).then_some(())?;
    let public_key = device.api_key()?.1;

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

    restore(per_tick)?;
    pin_check(per_tick)?;
    messages::sign_messages(&mut device, &user, per_tick)?;
    // Last, so the order's summary is the last line the display showed.
    sign_order(&mut device, per_tick)
}

/// A second device restores a fixed mnemonic (the host checks the address with eth-account);
/// PBKDF2 and the BIP-32 derivation are measured on their own.
fn restore(per_tick: u32) -> Option<()> {
    let mnemonic = Mnemonic::parse(RESTORE_WORDS).ok()?;
    let passphrase = Passphrase::new(RESTORE_PASSPHRASE).ok()?;
    let (key, ticks, stack) = measure(&mnemonic, &passphrase, derive);
    hprintln!("hd-derivation-instructions: {}", ticks * per_tick);
    hprintln!("hd-derivation-stack-bytes: {}", stack);
    // The two halves on their own: PBKDF2 (2,048 rounds of HMAC-SHA512), then BIP-32.
    let (seed, ticks, stack) = measure(&mnemonic, &passphrase, |m, p| m.to_seed(p));
    hprintln!("pbkdf2-instructions: {}", ticks * per_tick);
    hprintln!("pbkdf2-stack-bytes: {}", stack);
    let path = DerivationPath::ethereum(0).ok()?;
    let (derived, ticks, stack) = measure(&seed, &path, |s, p| WalletKey::from_seed(s, p).ok());
    (derived?.address() == key.as_ref()?.address()).then_some(())?;
    hprintln!("bip32-instructions: {}", ticks * per_tick);
    hprintln!("bip32-stack-bytes: {}", stack);
    let user = SimulatedUser::new();
    let storage = FlashStorage::new(Flash::default(), STATE_OFFSET)?;
    let rng = ChaCha20Rng::from_seed(RNG_SEED);
    let mut device =
        Device::boot(storage, RtcClock::new(SimulatedRtc::default()), &user, rng).ok()?.with_display(&user);
    let mut words = heapless::Vec::new();
    for word in RESTORE_WORDS.split(' ') {
        words.push(english_index(word)?).ok()?;
    }
    let passphrase = heapless::Vec::from_slice(RESTORE_PASSPHRASE.as_bytes()).ok()?;
    let request = Request::RestoreWallet(RestoreSecret { words, passphrase });
    let (response, ticks, stack) = measure(&mut device, &request, |d, r| d.handle(r));
    let Response::WalletReady { wallet } = response else { return None };
    (Address::from_bytes(wallet) == key?.address()).then_some(())?;
    hprintln!("restore-mnemonic: {}", RESTORE_WORDS);
    hprintln!("restore-passphrase: {}", RESTORE_PASSPHRASE);
    hprintln!("restore-address: {}", Address::from_bytes(wallet).to_checksummed());
    hprintln!("restore-instructions: {}", ticks * per_tick);
    hprintln!("restore-stack-bytes: {}", stack);
    Some(())
}

/// Signs the demo order (Polygon, the SDK's settlement contract): the device shows it on the
/// console, the simulated user presses, and the host gets the SDK's body with the domain.
fn sign_order(device: &mut Firmware<'_>, per_tick: u32) -> Option<()> {
    let trader = device.address()?;
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

/// The PIN check of a locked device: PBKDF2-HMAC-SHA256 at [`PIN_ITERATIONS`] and the
/// decryption of the device's keys. A wrong PIN costs the same and is refused.
fn pin_check(per_tick: u32) -> Option<()> {
    const DEVICE_ID: &[u8] = b"qemu mps2-an386";
    fn unlock(sealed: &SealedKeys, pin: &Pin) -> Option<Keys> {
        sealed.unlock(pin, DEVICE_ID).ok()
    }
    let mut rng = ChaCha20Rng::from_seed(RNG_SEED);
    let pin = Pin::new(b"258963").ok()?;
    let sealed = Keys::generate(&mut rng).seal_under(&pin, DEVICE_ID, PIN_ITERATIONS, &mut rng);
    let (keys, ticks, stack) = measure(&sealed, &pin, unlock);
    keys?;
    unlock(&sealed, &Pin::new(b"258964").ok()?).is_none().then_some(())?;
    hprintln!("pin-check-iterations: {}", sealed.iterations());
    hprintln!("pin-check-instructions: {}", ticks * per_tick);
    hprintln!("pin-check-stack-bytes: {}", stack);
    Some(())
}

//! no_std canary: exercises every part of signet-core (Turbine token mint and verify, wallet
//! registration, EIP-712 order signing, Bitzoom JWT and HMAC request signing, the device link,
//! the BIP-39/BIP-32 wallet) and the embedded adapter's device loop over simulated hardware (a
//! token, an order shown on a display and signed, a wallet made on the device and kept in
//! flash across a restart and a power cut); exits 0 only if all of it works.
//! Built and run on the host by `.ci/run`; the C runtime calls `main`, nothing of Rust's std
//! is linked.
#![no_std]
#![no_main]

use core::panic::PanicInfo;

use chacha20::ChaCha20Rng;
use chacha20::rand_core::SeedableRng;
use signet_embedded::sim::{
    NoDelay, SimulatedButton, SimulatedDisplay, SimulatedFlash, SimulatedLed, SimulatedRtc, SimulatedUser,
};
use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, FlashStorage, RtcClock};

use signet_core::bitzoom::jwt::{JwtSigningKey, JwtVerifier, MAX_JWT_LEN, encode};
use signet_core::bitzoom::request_signing::{SignedRequest, verify_request};
use signet_core::ed25519_dalek::SigningKey;
use signet_core::eth::{Address, EthSignature, Mnemonic, Passphrase, WalletKey};
use signet_core::link;
use signet_core::turbine::order::MAX_ORDER_BODY_LEN;
use signet_core::turbine::order::{MarketId, Order, OrderArgs, OrderDomain, Outcome, Side, SignedOrder};
use signet_core::turbine::{
    Claims, KeyId, KeyRecord, KeyRing, MAX_TOKEN_LEN, Nonce, NonceCache, Verifier, mint, verify_registration,
};
use signet_core::{HmacKey, UnixTime};

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
    (address == wallet.address()).then_some(())?;

    // A Turbine order: EIP-712 signature, the SDK's body written and read back, verified.
    let domain = OrderDomain::for_chain(137)?;
    let order = canary_order(wallet.address())?;
    let signed = order.sign(&domain, &wallet).ok()?;
    let mut body = [0u8; MAX_ORDER_BODY_LEN];
    let body = signed.write_body(&mut body).ok()?;
    let read = SignedOrder::parse_body(body.as_bytes()).ok()?;
    (read == signed && read.verify(&domain).is_ok()).then_some(())?;

    // A Bitzoom HS256 JWT, minted and verified.
    let key = JwtSigningKey::Hs256(HmacKey::new(b"canary-secret"));
    let claims = BitzoomClaims { exp: now.0 + 86_400, iat: now.0, uid: 990_016 };
    let mut jwt = [0u8; MAX_JWT_LEN];
    let jwt = encode(&key, &claims, &mut jwt).ok()?;
    let verified = JwtVerifier::new(key.verifying_key()).verify::<BitzoomClaims>(jwt.as_bytes(), now).ok()?;
    (verified.claims == claims).then_some(())?;

    // A Bitzoom HMAC-signed request, signed and verified once.
    let secret = HmacKey::new(b"demo_secret_7f3b9c2d");
    let request = SignedRequest {
        timestamp: "1712345678901",
        nonce: "nonce-query-001",
        recv_window: "5000",
        method: "GET",
        path: "/api/v1/orders",
        query: "symbol=BTCUSDT&status=OPEN&symbol=ETHUSDT&note=a+b",
        body: b"",
    };
    let signature = request.sign(&secret).ok()?.to_hex();
    let mut cache = NonceCache::<1>::new();
    let api_key = KeyId::new("canary").ok()?;
    verify_request(&secret, &api_key, &request, &signature, 1_712_345_678_901, &mut cache).ok()?;

    // A device-link frame: encode, then decode in place.
    let mut frame = [0u8; link::MAX_FRAME_LEN];
    let len = link::encode(&link::Request::SetTime { unix_secs: now.0 }, &mut frame).ok()?.len();
    let decoded: link::Request = link::decode(frame.get_mut(..len)?).ok()?;
    (decoded == link::Request::SetTime { unix_secs: now.0 }).then_some(())?;

    // The HD wallet: BIP-39 words and seed (PBKDF2-HMAC-SHA512), BIP-32 at MetaMask's path.
    let mnemonic = Mnemonic::parse(
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    )
    .ok()?;
    let account = WalletKey::from_mnemonic(&mnemonic, &Passphrase::new("TREZOR").ok()?, 0).ok()?;
    (account.address().to_checksummed() == "0x9c32F71D4DB8Fb9e1A58B0a80dF79935e7256FA6").then_some(())?;

    // The embedded adapter: a device over a simulated DS3231 and button serves one framed
    // request from a link and mints a token the verifier accepts.
    device_round_trip(now)?;
    // A device over simulated flash makes its wallet (the simulated user checks its words),
    // keeps an API key across a restart, and a power cut mid-commit leaves the old state.
    device_wallet_in_flash(now)
}

fn device_wallet_in_flash(now: UnixTime) -> Option<()> {
    let user = SimulatedUser::new();
    let boot = |flash: SimulatedFlash<16384>, user| {
        let storage = FlashStorage::new(flash, 4096)?;
        let rng = ChaCha20Rng::from_seed([5; 32]);
        Device::boot(storage, RtcClock::new(SimulatedRtc::default()), user, rng)
            .ok()
            .map(|d| d.with_display(user))
    };
    let mut device = boot(SimulatedFlash::default(), &user)?;
    let link::Response::WalletReady { wallet } = device.handle(&link::Request::InitWallet { words: 24 })
    else {
        return None;
    };
    let secret = link::KeySecret([4; 32]);
    let install = link::Request::InstallApiKey { kid: "flash-key".try_into().ok()?, secret };
    (device.handle(&install) == link::Response::ApiKeyInstalled).then_some(())?;
    let mut flash = device.into_storage().release();
    // A cut before the next commit's write: the key stays the one installed.
    flash.cut_power_before(flash.operations() + 2);
    let mut device = boot(flash, &user)?;
    let other =
        link::Request::InstallApiKey { kid: "other".try_into().ok()?, secret: link::KeySecret([6; 32]) };
    (device.handle(&other) == link::Response::Error(link::DeviceError::Storage)).then_some(())?;
    let mut flash = device.into_storage().release();
    flash.power_on();
    let mut device = boot(flash, &user)?;
    (device.address().map(|a| *a.as_bytes()) == Some(wallet)).then_some(())?;
    (device.api_key().map(|(kid, _)| kid.as_str() == "flash-key") == Some(true)).then_some(())?;
    (device.handle(&link::Request::SetTime { unix_secs: now.0 }) == link::Response::TimeSet).then_some(())?;
    matches!(device.handle(&link::Request::MintToken), link::Response::Token { .. }).then_some(())
}

fn canary_order(trader: Address) -> Option<Order> {
    Order::new(OrderArgs {
        market_id: MarketId::parse(b"0x1f").ok()?,
        trader,
        side: Side::Sell,
        outcome: Outcome::No,
        price: 642_000,
        size: 1 << 70,
        nonce: 7,
        expiration: 1_767_229_200,
        maker_fee_recipient: Address::from_bytes([0; 20]),
    })
    .ok()
}

fn device_round_trip(now: UnixTime) -> Option<()> {
    let mut keys = DeviceKeys::new(WalletKey::from_bytes(&[0x22; 32]).ok()?);
    let key = SigningKey::from_bytes(&[9; 32]);
    keys.set_api_key(KeyId::new("device").ok()?, &key);
    let button = Button::new(
        SimulatedButton::presses_every(4),
        SimulatedLed::default(),
        NoDelay,
        ButtonConfig::default(),
    );
    let mut device =
        Device::new(keys, RtcClock::new(SimulatedRtc::default()), button, ChaCha20Rng::from_seed([3; 32]))
            .with_display(SimulatedDisplay::default());
    (device.handle(&link::Request::SetTime { unix_secs: now.0 }) == link::Response::TimeSet).then_some(())?;
    // The device shows an order for its wallet and signs it after the (simulated) press.
    let (order, domain) = (canary_order(device.address()?)?, OrderDomain::for_chain(84532)?);
    let link::Response::OrderSignature { signature } =
        device.handle(&link::Request::SignOrder { order, domain })
    else {
        return None;
    };
    let signed = SignedOrder { order, signature: EthSignature::from_bytes(signature.into_array().ok()?) };
    (signed.verify(&domain).is_ok() && device.display().last.starts_with("SELL NO")).then_some(())?;
    let mut wire = Wire::default();
    let len = link::encode(&link::Request::MintToken, &mut wire.input).ok()?.len();
    wire.input_len = len;
    device.serve(&mut wire).ok()?;
    let answer: link::Response = link::decode(wire.output.get_mut(..wire.output_len)?).ok()?;
    let link::Response::Token { token } = answer else { return None };
    let mut header = [0u8; 7 + MAX_TOKEN_LEN];
    let (prefix, rest) = header.split_at_mut(7);
    prefix.copy_from_slice(b"Bearer ");
    rest.get_mut(..token.len())?.copy_from_slice(&token);
    let mut keys = KeyRing::<1>::new();
    keys.insert(KeyId::new("device").ok()?, KeyRecord::active(key.verifying_key())).ok()?;
    let mut verifier = Verifier::new(keys, NonceCache::<1>::new());
    verifier.verify(Some(header.get(..7 + token.len())?), now).ok().map(|_| ())
}

/// A link that reads one prepared frame and records the answer.
struct Wire {
    input: [u8; link::MAX_FRAME_LEN],
    input_len: usize,
    read: usize,
    output: [u8; link::MAX_FRAME_LEN],
    output_len: usize,
}

impl Default for Wire {
    fn default() -> Self {
        Wire {
            input: [0; link::MAX_FRAME_LEN],
            input_len: 0,
            read: 0,
            output: [0; link::MAX_FRAME_LEN],
            output_len: 0,
        }
    }
}

impl embedded_io::ErrorType for Wire {
    type Error = core::convert::Infallible;
}

impl embedded_io::Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let rest = self.input.get(self.read..self.input_len).unwrap_or_default();
        let n = rest.len().min(buf.len());
        if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
            to.copy_from_slice(from);
        }
        self.read += n;
        Ok(n)
    }
}

impl embedded_io::Write for Wire {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let room = self.output.get_mut(self.output_len..).unwrap_or_default();
        let n = room.len().min(buf.len());
        if let (Some(to), Some(from)) = (room.get_mut(..n), buf.get(..n)) {
            to.copy_from_slice(from);
        }
        self.output_len += n;
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[derive(PartialEq, serde::Serialize, serde::Deserialize)]
struct BitzoomClaims {
    exp: i64,
    iat: i64,
    uid: u64,
}

#[unsafe(no_mangle)]
extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    if run().is_some() { 0 } else { 1 }
}

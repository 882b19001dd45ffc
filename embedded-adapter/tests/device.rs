//! The device through its public API: every request, refusals, and the serve loop over an
//! in-memory link.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use core::convert::Infallible;
use std::collections::VecDeque;

use ed25519_dalek::SigningKey;
use signet_core::UnixTime;
use signet_core::eth::recover_prehash;
use signet_core::eth::{Address, EthSignature, WalletKey, recover_address};
use signet_core::link::{self, DeviceError, KeySecret, MAX_FRAME_LEN, Request, Response};
use signet_core::turbine::order::{MarketId, Order, OrderArgs, OrderDomain, Outcome, Side};
use signet_core::turbine::{KeyId, KeyRecord, KeyRing, NonceCache, Verifier, registration_message};
use signet_embedded::sim::SimulatedDisplay;
use signet_embedded::{Device, DeviceKeys, Error, TextDisplay, TimeSource, UserPresence};

const NOW: UnixTime = UnixTime(1_735_779_017);

/// A settable clock that can be made to fail.
struct FakeClock {
    now: UnixTime,
    broken: bool,
}

impl TimeSource for FakeClock {
    type Error = ();
    fn now(&mut self) -> Result<UnixTime, ()> {
        if self.broken { Err(()) } else { Ok(self.now) }
    }
    fn set(&mut self, time: UnixTime) -> Result<(), ()> {
        self.now = time;
        Ok(())
    }
}

/// Answers confirmations from a script; every scripted answer must be used.
struct Script {
    answers: VecDeque<Result<bool, ()>>,
}

impl Drop for Script {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert!(self.answers.is_empty(), "unused confirmations: {:?}", self.answers);
        }
    }
}

impl UserPresence for Script {
    type Error = ();
    fn confirm(&mut self) -> Result<bool, ()> {
        self.answers.pop_front().expect("an unexpected confirmation")
    }

    fn pause_ms(&mut self, _ms: u32) -> Result<(), ()> {
        Ok(())
    }
}

type TestDevice = Device<FakeClock, Script, rand_core::UnwrapErr<getrandom::SysRng>>;

fn device(answers: &[Result<bool, ()>]) -> TestDevice {
    let mut keys = DeviceKeys::new(WalletKey::from_bytes(&[0x22; 32]).unwrap());
    keys.set_api_key(KeyId::new("e792e6d8c4bd2122").unwrap(), &SigningKey::from_bytes(&[7; 32]));
    let presence = Script { answers: answers.iter().copied().collect() };
    Device::new(
        keys,
        FakeClock { now: NOW, broken: false },
        presence,
        rand_core::UnwrapErr(getrandom::SysRng),
    )
}

fn address_text(device: &TestDevice) -> heapless::String<42> {
    device.address().unwrap().to_checksummed()
}

#[test]
fn info_reports_the_public_keys_only() {
    let mut device = device(&[]);
    let info = device.handle(&Request::DeviceInfo);
    let Response::DeviceInfo { api_key: Some((kid, public_key)), wallet } = info else { panic!("{info:?}") };
    assert_eq!(kid, "e792e6d8c4bd2122");
    assert_eq!(public_key, SigningKey::from_bytes(&[7; 32]).verifying_key().to_bytes());
    assert_eq!(Address::from_bytes(wallet), WalletKey::from_bytes(&[0x22; 32]).unwrap().address());
    let debug = format!("{device:?}");
    assert!(debug.contains("e792e6d8c4bd2122") && !debug.contains("[7, 7"), "{debug}");
}

#[test]
fn minted_tokens_verify_and_are_fresh_each_time() {
    let mut device = device(&[]);
    let mut keys = KeyRing::<1>::new();
    keys.insert(
        KeyId::new("e792e6d8c4bd2122").unwrap(),
        KeyRecord::active(SigningKey::from_bytes(&[7; 32]).verifying_key()),
    )
    .unwrap();
    let mut verifier = Verifier::new(keys, NonceCache::<16>::new());
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let Response::Token { token } = device.handle(&Request::MintToken) else { panic!() };
        let token = String::from_utf8(token.to_vec()).unwrap();
        let claims = verifier.verify_str(Some(&format!("Bearer {token}")), NOW).unwrap();
        assert_eq!(claims.ts, NOW);
        tokens.push(token);
    }
    assert!(tokens[0] != tokens[1] && tokens[1] != tokens[2]);
    // The device's clock is the one it mints with.
    assert_eq!(device.handle(&Request::SetTime { unix_secs: NOW.0 + 100 }), Response::TimeSet);
    let Response::Token { token } = device.handle(&Request::MintToken) else { panic!() };
    assert_eq!(signet_core::turbine::Token::parse(&token).unwrap().ts(), UnixTime(NOW.0 + 100));
    device.clock_mut().broken = true;
    assert_eq!(device.handle(&Request::MintToken), Response::Error(DeviceError::Clock));
}

#[test]
fn moving_the_clock_far_needs_a_press() {
    // Pre-signing for later: the review set the clock 30 days ahead and minted without a press.
    let month = 30 * 86_400;
    let mut device = device(&[Ok(false), Ok(true), Ok(true)]);
    let mint_ts = |device: &mut TestDevice| {
        let Response::Token { token } = device.handle(&Request::MintToken) else { panic!() };
        signet_core::turbine::Token::parse(&token).unwrap().ts()
    };
    assert_eq!(
        device.handle(&Request::SetTime { unix_secs: NOW.0 + month }),
        Response::Error(DeviceError::NotConfirmed)
    );
    assert_eq!(mint_ts(&mut device), NOW, "a refused change leaves the clock alone");
    // Small corrections pass without a press, until together they exceed the bound.
    assert_eq!(device.handle(&Request::SetTime { unix_secs: NOW.0 + 200 }), Response::TimeSet);
    assert_eq!(device.handle(&Request::SetTime { unix_secs: NOW.0 + 300 }), Response::TimeSet);
    assert_eq!(mint_ts(&mut device), UnixTime(NOW.0 + 300));
    // 300 s moved so far; one more second needs the press (scripted: yes).
    assert_eq!(device.handle(&Request::SetTime { unix_secs: NOW.0 + 301 }), Response::TimeSet);
    // Confirmed: the budget starts again.
    assert_eq!(device.handle(&Request::SetTime { unix_secs: NOW.0 + 500 }), Response::TimeSet);
    // A clock with no valid time gives no reference: a press, however small the change.
    device.clock_mut().broken = true;
    assert_eq!(device.handle(&Request::SetTime { unix_secs: NOW.0 }), Response::TimeSet);
}

#[test]
fn registration_is_signed_only_after_confirmation() {
    let mut device = device(&[Ok(true), Ok(false), Err(())]);
    let address = address_text(&device);
    let request = Request::SignRegistration { address: address.clone() };
    let Response::Registration { signature } = device.handle(&request) else { panic!() };
    let signature = EthSignature::from_bytes(signature.into_array().unwrap());
    let message = registration_message(&address).unwrap();
    assert_eq!(recover_address(message.as_bytes(), &signature), Ok(device.address().unwrap()));
    assert_eq!(
        signet_core::turbine::verify_registration(&address, &signature.to_hex()),
        Ok(device.address().unwrap())
    );
    // Not pressed in time, and a failing button: refused.
    assert_eq!(device.handle(&request), Response::Error(DeviceError::NotConfirmed));
    assert_eq!(device.handle(&request), Response::Error(DeviceError::NotConfirmed));
    // Another wallet's address, or no address at all: refused before the user is asked.
    let other = WalletKey::from_bytes(&[0x33; 32]).unwrap().address().to_checksummed();
    assert_eq!(
        device.handle(&Request::SignRegistration { address: other }),
        Response::Error(DeviceError::WrongAddress)
    );
    let junk = Request::SignRegistration { address: "0x12".try_into().unwrap() };
    assert_eq!(device.handle(&junk), Response::Error(DeviceError::BadRequest));
}

#[test]
fn an_api_key_is_installed_only_after_confirmation() {
    let mut device = device(&[Ok(false), Ok(true)]);
    let new_key = SigningKey::from_bytes(&[9; 32]);
    let install =
        Request::InstallApiKey { kid: "new-key".try_into().unwrap(), secret: KeySecret(new_key.to_bytes()) };
    assert_eq!(device.handle(&install), Response::Error(DeviceError::NotConfirmed));
    assert_eq!(device.api_key().unwrap().0.as_str(), "e792e6d8c4bd2122");
    assert_eq!(device.handle(&install), Response::ApiKeyInstalled);
    let (kid, public_key) = device.api_key().unwrap();
    assert_eq!((kid.as_str(), public_key), ("new-key", new_key.verifying_key().to_bytes()));
    let bad_kid = Request::InstallApiKey { kid: "bad\"kid".try_into().unwrap(), secret: KeySecret([1; 32]) };
    assert_eq!(device.handle(&bad_kid), Response::Error(DeviceError::BadRequest));
}

#[test]
fn a_device_without_an_api_key_says_so() {
    let keys = DeviceKeys::new(WalletKey::from_bytes(&[0x22; 32]).unwrap());
    let presence = Script { answers: VecDeque::new() };
    let mut device = Device::new(
        keys,
        FakeClock { now: NOW, broken: false },
        presence,
        rand_core::UnwrapErr(getrandom::SysRng),
    );
    assert_eq!(device.handle(&Request::MintToken), Response::Error(DeviceError::NoApiKey));
    assert!(matches!(device.handle(&Request::DeviceInfo), Response::DeviceInfo { api_key: None, .. }));
}

/// Bytes in, bytes out.
#[derive(Default)]
struct MemoryLink {
    input: VecDeque<u8>,
    output: Vec<u8>,
}

impl embedded_io::ErrorType for MemoryLink {
    type Error = Infallible;
}

impl embedded_io::Read for MemoryLink {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let n = buf.len().min(self.input.len());
        for slot in &mut buf[..n] {
            *slot = self.input.pop_front().unwrap();
        }
        Ok(n)
    }
}

impl embedded_io::Write for MemoryLink {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

fn frame(request: &Request) -> Vec<u8> {
    let mut buf = [0u8; MAX_FRAME_LEN];
    link::encode(request, &mut buf).unwrap().to_vec()
}

fn responses(output: &mut [u8]) -> Vec<Response> {
    output.split_inclusive_mut(|&b| b == 0).map(|f| link::decode(f).unwrap()).collect()
}

#[test]
fn serve_answers_frames_skips_empty_ones_and_refuses_garbage() {
    let mut device = device(&[]);
    let mut link = MemoryLink::default();
    link.input.extend([0, 0]);
    link.input.extend(frame(&Request::SetTime { unix_secs: NOW.0 + 42 }));
    link.input.extend([5, 1, 2, 0]);
    link.input.extend(core::iter::repeat_n(9, MAX_FRAME_LEN * 2));
    link.input.push_back(0);
    link.input.extend(frame(&Request::DeviceInfo));
    for _ in 0..4 {
        device.serve(&mut link).unwrap();
    }
    assert_eq!(device.serve(&mut link), Err(Error::LinkClosed));
    let answers = responses(&mut link.output);
    assert_eq!(answers.len(), 4);
    assert_eq!(answers[0], Response::TimeSet);
    assert_eq!(answers[1], Response::Error(DeviceError::BadRequest));
    assert_eq!(answers[2], Response::Error(DeviceError::BadRequest));
    assert!(matches!(answers[3], Response::DeviceInfo { .. }));
    assert_eq!(device.clock_mut().now(), Ok(UnixTime(NOW.0 + 42)));
    // `run` serves until the link ends.
    link.input.extend(frame(&Request::MintToken));
    link.input.extend(frame(&Request::MintToken));
    link.output.clear();
    assert_eq!(device.run(&mut link), Err(Error::LinkClosed));
    assert_eq!(responses(&mut link.output).len(), 2);
}

/// An order for the device's own wallet.
fn order_for(device: &TestDevice) -> Order {
    Order::new(OrderArgs {
        market_id: MarketId::parse(b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928")
            .unwrap(),
        trader: device.address().unwrap(),
        side: Side::Buy,
        outcome: Outcome::Yes,
        price: 642_000,
        size: 12_500_000,
        nonce: 7_590_176_159_287_148_326,
        expiration: 1_796_119_200,
        maker_fee_recipient: Address::from_bytes([0; 20]),
    })
    .unwrap()
}

#[test]
fn an_order_is_shown_then_signed_only_after_confirmation() {
    let plain = device(&[Ok(true), Ok(false), Err(())]);
    let order = order_for(&plain);
    let domain = OrderDomain::for_chain(137).unwrap();
    let mut device = plain.with_display(SimulatedDisplay::default());
    let request = Request::SignOrder { order, domain };

    let response = device.handle(&request);
    let Response::OrderSignature { signature } = response else { panic!("{response:?}") };
    let signature = EthSignature::from_bytes(signature.into_array().unwrap());
    // The wallet's own signature, the one software signing gives, over the order's digest.
    assert_eq!(recover_prehash(&order.digest(&domain), &signature), Ok(device.address().unwrap()));
    let wallet = WalletKey::from_bytes(&[0x22; 32]).unwrap();
    assert_eq!(order.sign(&domain, &wallet).unwrap().signature, signature);
    // What the user saw, and nothing left on the screen after.
    let display = device.display();
    assert_eq!(display.last, "BUY YES 12.5 @ 0.6420 market 0x7be8…e928 exp 2026-12-01 10:00Z chain 137");
    assert!(display.current.is_empty());

    // Not pressed in time, or the button failed: refused, and the screen cleared.
    for _ in 0..2 {
        assert_eq!(device.handle(&request), Response::Error(DeviceError::NotConfirmed));
        assert!(device.display().current.is_empty());
    }
    assert_eq!(device.display().shown, 3);
}

#[test]
fn an_order_for_another_trader_is_refused_before_anything_is_shown() {
    let plain = device(&[]);
    let mut args = *order_for(&plain);
    args.trader = WalletKey::from_bytes(&[0x23; 32]).unwrap().address();
    let mut device = plain.with_display(SimulatedDisplay::default());
    let request =
        Request::SignOrder { order: Order::new(args).unwrap(), domain: OrderDomain::for_chain(137).unwrap() };
    assert_eq!(device.handle(&request), Response::Error(DeviceError::WrongAddress));
    assert_eq!(device.display().shown, 0);
}

#[test]
fn a_device_that_cannot_show_the_order_does_not_sign_it() {
    // No display at all: the user is never asked.
    let mut blind = device(&[]);
    let request =
        Request::SignOrder { order: order_for(&blind), domain: OrderDomain::for_chain(137).unwrap() };
    assert_eq!(blind.handle(&request), Response::Error(DeviceError::NoDisplay));

    /// A screen that fails.
    struct Broken(u32);
    impl TextDisplay for Broken {
        type Error = ();
        fn show(&mut self, _: &str) -> Result<(), ()> {
            Err(())
        }
        fn clear(&mut self) -> Result<(), ()> {
            self.0 += 1;
            Err(())
        }
    }
    let mut broken = device(&[]).with_display(Broken(0));
    assert_eq!(broken.handle(&request), Response::Error(DeviceError::NoDisplay));
    assert_eq!(broken.display().0, 1, "cleared after the failure");
}

#[test]
fn orders_travel_the_link_and_invalid_ones_do_not_decode() {
    let plain = device(&[Ok(true)]);
    let order = order_for(&plain);
    let mut device = plain.with_display(SimulatedDisplay::default());
    let domain = OrderDomain::for_chain(84532).unwrap();
    let mut link = MemoryLink::default();
    link.input.extend(frame(&Request::SignOrder { order, domain }));
    // The same request with the price out of range, encoded field by field (variant 5, the
    // order's fields, the domain's): it does not decode, so the device refuses it unseen.
    let mut args = *order;
    args.price = 1_000_000;
    let mut buf = [0u8; MAX_FRAME_LEN];
    link.input.extend(postcard::to_slice_cobs(&(5u8, args, domain), &mut buf).unwrap().iter());
    device.serve(&mut link).unwrap();
    device.serve(&mut link).unwrap();
    let answers = responses(&mut link.output);
    let Response::OrderSignature { signature } = &answers[0] else { panic!("{answers:?}") };
    let signature = EthSignature::from_bytes(signature.clone().into_array().unwrap());
    assert_eq!(recover_prehash(&order.digest(&domain), &signature), Ok(device.address().unwrap()));
    assert_eq!(answers[1], Response::Error(DeviceError::BadRequest));
}

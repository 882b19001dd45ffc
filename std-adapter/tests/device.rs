//! End to end over an in-memory duplex link: the real device loop (signet-embedded, with a mock
//! DS3231 and a mock button) on one thread, the host's `DeviceClient` on another.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::thread;

use embedded_hal_mock::eh1::delay::NoopDelay;
use embedded_hal_mock::eh1::digital::{Mock as Pin, State, Transaction as PinTx};
use embedded_hal_mock::eh1::i2c::{Mock as I2c, Transaction as I2cTx};
use embedded_io_adapters::std::FromStd;
use signet_core::UnixTime;
use signet_core::ed25519_dalek::SigningKey;
use signet_core::eth::WalletKey;
use signet_core::link::DeviceError;
use signet_core::turbine::{ApiSecret, KeyId, KeyRecord, KeyRing, NonceCache, Verifier};
use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, Error, RtcClock};
use signet_std::{DeviceClient, DeviceClientError, TurbineApiKey};
use support::duplex;

/// 2025-01-02 00:50:17 UTC in DS3231 registers.
const RTC_NOW: [u8; 7] = [0x17, 0x50, 0x00, 5, 0x02, 0x01, 0x25];
const NOW: UnixTime = UnixTime(1_735_779_017);
const CONFIG: ButtonConfig =
    ButtonConfig { active_low: true, poll_ms: 10, debounce_samples: 2, timeout_ms: 50 };

fn samples(levels: &[State]) -> Vec<PinTx> {
    levels.iter().map(|&level| PinTx::get(level)).collect()
}

#[test]
fn host_and_device_over_a_duplex_link() {
    let api_secret = ApiSecret::from_hex(&"5a".repeat(32)).unwrap();
    let api_key = TurbineApiKey { key_id: KeyId::new("device-key-1").unwrap(), secret: api_secret };
    let wallet = WalletKey::from_bytes(&[0x42; 32]).unwrap();
    let address = wallet.address();

    // What the hardware will see, in order: the RTC (status, then calendar: its oscillator
    // kept running) is read for each of the two tokens; the
    // button is pressed for the registration, then left alone (timeout: 6 samples at 10 ms),
    // then pressed again to install the key.
    let read_rtc = || {
        [
            I2cTx::write_read(0x68, vec![0x0F], vec![0x08]),
            I2cTx::write_read(0x68, vec![0x00], RTC_NOW.to_vec()),
        ]
    };
    let i2c = I2c::new(&[read_rtc(), read_rtc()].concat());
    let (up, down) = (State::High, State::Low);
    let mut reads = samples(&[up, up, down, down]);
    reads.extend(samples(&[up; 6]));
    reads.extend(samples(&[down, up, up, down, down]));
    let pin = Pin::new(&reads);
    let blinks: Vec<_> =
        [PinTx::set(State::High), PinTx::set(State::Low)].iter().cycle().take(6).cloned().collect();
    let led = Pin::new(&blinks);
    let button = Button::new(pin.clone(), led.clone(), NoopDelay::new(), CONFIG);

    let (host_end, device_end) = duplex();
    let device = thread::spawn(move || {
        let keys = DeviceKeys::new(wallet);
        let rng = rand_core::UnwrapErr(getrandom::SysRng);
        let mut device = Device::new(keys, RtcClock::new(i2c.clone()), button, rng);
        let mut link = FromStd::new(device_end);
        let outcome = device.run(&mut link);
        let mut i2c = i2c;
        i2c.done();
        outcome
    });

    let mut host = DeviceClient::new(host_end);
    let info = host.info().unwrap();
    assert_eq!((info.address, info.api_key), (address, None));
    // No key installed yet.
    assert!(matches!(host.mint_token(), Err(DeviceClientError::Device(DeviceError::NoApiKey))));

    // Registration: pressed, then not pressed.
    let registration = host.sign_registration().unwrap();
    assert_eq!(registration.address, address);
    let text = address.to_checksummed();
    assert_eq!(
        signet_core::turbine::verify_registration(&text, &registration.signature.to_hex()),
        Ok(address)
    );
    assert!(matches!(host.sign_registration(), Err(DeviceClientError::Device(DeviceError::NotConfirmed))));

    // The key a server would have issued goes onto the device; tokens then verify.
    host.install_api_key(&api_key).unwrap();
    let info = host.info().unwrap();
    let (kid, public_key) = info.api_key.unwrap();
    assert_eq!((&kid, public_key), (&api_key.key_id, api_key.secret.verifying_key()));
    let mut keys = KeyRing::<1>::new();
    keys.insert(kid, KeyRecord::active(public_key)).unwrap();
    let mut verifier = Verifier::new(keys, NonceCache::<8>::new());
    for _ in 0..2 {
        let token = host.mint_token().unwrap();
        let claims = verifier.verify_str(Some(&format!("Bearer {token}")), NOW).unwrap();
        assert_eq!((claims.kid.as_str(), claims.ts), ("device-key-1", NOW));
    }

    // The host hangs up; the device loop ends with the link and every expectation was met.
    drop(host);
    assert!(matches!(device.join().unwrap(), Err(Error::LinkClosed)));
    let (mut pin, mut led) = (pin, led);
    pin.done();
    led.done();
}

/// The `signet device` commands against a device on a pseudo-terminal: the same serial-port code
/// path as a USB device.
#[test]
fn the_cli_talks_to_a_device_on_a_serial_port() {
    use signet_embedded::sim::{NoDelay, SimulatedButton, SimulatedLed, SimulatedRtc};

    let (master, slave) = serialport::TTYPort::pair().unwrap();
    let path = serialport::SerialPort::name(&slave).unwrap();
    let api_key = SigningKey::from_bytes(&[0x77; 32]);
    let public_key = api_key.verifying_key();
    let wallet = WalletKey::from_bytes(&[0x42; 32]).unwrap();
    let address = wallet.address().to_checksummed();
    thread::spawn(move || {
        let mut keys = DeviceKeys::new(wallet);
        keys.set_api_key(KeyId::new("tty-device").unwrap(), &api_key);
        let config = ButtonConfig { timeout_ms: 100, ..CONFIG };
        let button = Button::new(SimulatedButton::presses_every(4), SimulatedLed::default(), NoDelay, config);
        let rng = rand_core::UnwrapErr(getrandom::SysRng);
        let mut device = Device::new(keys, RtcClock::new(SimulatedRtc::default()), button, rng)
            .with_display(signet_embedded::sim::SimulatedDisplay::default());
        let _ = device.run(&mut FromStd::new(master));
    });
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_signet"))
            .args(["device", "--port", &path, "--timeout", "10"])
            .args(args)
            .output()
            .unwrap()
    };
    let signet = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };

    let info: serde_json::Value = serde_json::from_str(&signet(&["info", "--json"])).unwrap();
    assert_eq!(info["address"], address.as_str());
    assert_eq!(info["api_key_id"], "tty-device");
    let hex: String = public_key.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(info["public_key"], hex.as_str());

    // The simulated RTC starts as at power-up (oscillator-stop flag set): the device refuses
    // to mint until the host sets it, and the CLI says how.
    let refused = run(&["token"]);
    assert!(!refused.status.success() && refused.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr).trim(),
        "signet: device refused: device clock unavailable (set it with `signet device set-time`)"
    );
    assert!(signet(&["set-time"]).starts_with("device clock set to "));
    let token = signet(&["token"]);
    let mut keys = KeyRing::<1>::new();
    keys.insert(KeyId::new("tty-device").unwrap(), KeyRecord::active(public_key)).unwrap();
    let mut verifier = Verifier::new(keys, NonceCache::<8>::new());
    let now = UnixTime(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
    );
    assert_eq!(
        verifier.verify_str(Some(&format!("Bearer {token}")), now).unwrap().kid.as_str(),
        "tty-device"
    );

    // An order signed on the device (it shows it, the simulated user presses): without a host,
    // the SDK's body, signed by the device's wallet in the chain's domain.
    let market = "0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928";
    let out = signet(&[
        "sign-order",
        "--market",
        market,
        "--side",
        "sell",
        "--outcome",
        "yes",
        "--price",
        "0.642",
        "--size",
        "3",
        "--chain-id",
        "84532",
        "--json",
    ]);
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    let body = serde_json::to_string(&out["body"]).unwrap();
    let signed = signet_core::turbine::order::SignedOrder::parse_body(body.as_bytes()).unwrap();
    assert_eq!(signed.order.trader.to_checksummed(), address);
    assert_eq!(signed.verify(&signet_core::turbine::order::OrderDomain::for_chain(84532).unwrap()), Ok(()));
    assert!(
        out["summary"].as_str().unwrap().starts_with("SELL YES 3 @ 0.6420 market 0x7be8…e928 exp "),
        "{out}"
    );

    // Without a host, `register` prints what to submit.
    let registration: serde_json::Value = serde_json::from_str(&signet(&["register", "--json"])).unwrap();
    assert_eq!(registration["address"], address.as_str());
    let signature = registration["signature"].as_str().unwrap();
    assert!(signet_core::turbine::verify_registration(&address, signature).is_ok());
    drop(slave);
}

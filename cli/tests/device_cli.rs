//! The `signet device` commands against a signing device (the real device loop over simulated
//! hardware) on a pseudo-terminal: the same serial-port code path as a USB device.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::thread;

use embedded_io_adapters::std::FromStd;
use signet_core::UnixTime;
use signet_core::ed25519_dalek::SigningKey;
use signet_core::eth::WalletKey;
use signet_core::turbine::{KeyId, KeyRecord, KeyRing, NonceCache, Verifier};
use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, RtcClock};
use support::SIGNET;

const CONFIG: ButtonConfig =
    ButtonConfig { active_low: true, poll_ms: 10, debounce_samples: 2, timeout_ms: 100 };

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
        let config = CONFIG;
        let button = Button::new(SimulatedButton::presses_every(4), SimulatedLed::default(), NoDelay, config);
        let rng = rand_core::UnwrapErr(getrandom::SysRng);
        let mut device = Device::new(keys, RtcClock::new(SimulatedRtc::default()), button, rng)
            .with_display(signet_embedded::sim::SimulatedDisplay::default());
        let _ = device.run(&mut FromStd::new(master));
    });
    let run = |args: &[&str]| {
        std::process::Command::new(SIGNET)
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

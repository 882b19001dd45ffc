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

/// Runs `signet ARGS…` with `stdin` and `env`; the output.
fn signet_with(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> std::process::Output {
    use std::io::Write as _;
    let mut child = std::process::Command::new(SIGNET)
        .args(args)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn ok(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The wallet's whole life through the command: made on the device (words shown and checked by
/// the simulated user), registered with a running `signet serve`, its key revoked and the
/// device's timestamped re-registration taken instead, wiped, restored from words on stdin with a
/// passphrase from the environment; and `signet wallet from-mnemonic` deriving what eth-account
/// does (a vector with a Unicode passphrase).
#[test]
fn the_cli_makes_registers_wipes_and_restores_a_device_wallet() {
    use signet_embedded::sim::{SimulatedFlash, SimulatedRtc, SimulatedUser};
    use signet_embedded::{FlashStorage, RtcClock};

    let (master, slave) = serialport::TTYPort::pair().unwrap();
    let path = serialport::SerialPort::name(&slave).unwrap();
    thread::spawn(move || {
        let user = SimulatedUser::new();
        let storage = FlashStorage::new(SimulatedFlash::<16384>::default(), 4096).unwrap();
        let rng = rand_core::UnwrapErr(getrandom::SysRng);
        let mut device = Device::boot(storage, RtcClock::new(SimulatedRtc::default()), &user, rng)
            .unwrap()
            .with_display(&user);
        let _ = device.run(&mut FromStd::new(master));
    });
    let data = tempfile::tempdir().unwrap();
    let server = support::SignetServer::start(SIGNET, data.path(), &[], &[]);
    let host = server.base();
    let device = |args: &[&str]| {
        let mut all = vec!["device", "--port", path.as_str(), "--timeout", "20", "--json"];
        all.extend_from_slice(args);
        signet_with(&all, "", &[])
    };

    let info = ok(&device(&["info"]));
    assert!(info["address"].is_null(), "{info}");
    let made = ok(&device(&["init", "--words", "12", "--no-pin"]));
    let info = ok(&device(&["info"]));
    assert_eq!(
        (info["address"].clone(), info["origin"].as_str(), info["backup_confirmed"].as_bool()),
        (made["address"].clone(), Some("created"), Some(true))
    );
    assert_eq!(info["path"], "m/44'/60'/0'/0/0");
    ok(&device(&["set-time"]));

    // Registered, revoked, registered again: the second time through the timestamped message.
    let first = ok(&device(&["register", "--host", &host]));
    let kid = first["api_key_id"].as_str().unwrap().to_owned();
    let revoked = signet_with(&["keys", "--data", data.path().to_str().unwrap(), "revoke", &kid], "", &[]);
    assert!(revoked.status.success(), "{}", String::from_utf8_lossy(&revoked.stderr));
    let again = device(&["register", "--host", &host]);
    let second = ok(&again);
    assert!(String::from_utf8_lossy(&again.stderr).contains("registered before"));
    assert_ne!(second["api_key_id"], first["api_key_id"]);
    let token = ok(&device(&["token"]))["token"].as_str().unwrap().to_owned();
    let (status, body) =
        support::request("GET", &format!("{host}/auth"), Some(&format!("Bearer {token}")), None);
    assert_eq!(status, 200, "{body}");

    // Wipe; restore the published vector's words (TREZOR) from stdin: the same address as
    // wallet apps derive.
    ok(&device(&["wipe"]));
    assert!(ok(&device(&["info"]))["address"].is_null());
    let words =
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n";
    let mut args =
        vec!["device", "--port", path.as_str(), "--timeout", "20", "--json", "restore", "--no-pin"];
    let restored = ok(&signet_with(&args, words, &[("SIGNET_PASSPHRASE", "TREZOR")]));
    assert_eq!(restored["address"], "0x9c32F71D4DB8Fb9e1A58B0a80dF79935e7256FA6");
    args.truncate(6);
    args.push("info");
    assert_eq!(ok(&signet_with(&args, "", &[]))["origin"], "restored");

    // `signet wallet from-mnemonic` on the vector with a Unicode passphrase (given precomposed
    // here; BIP-39 normalises it) at index 7.
    let vectors: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../core/tests/vectors/eth_hd_wallet.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let case = vectors["cases"].as_array().unwrap().iter().find(|c| c["path"] == "m/44'/60'/0'/0/7").unwrap();
    let out = signet_with(
        &["wallet", "from-mnemonic", "--index", "7", "--json"],
        case["mnemonic"].as_str().unwrap(),
        &[("SIGNET_PASSPHRASE", case["passphrase"].as_str().unwrap())],
    );
    let derived = ok(&out);
    assert_eq!(derived["address"], case["address"]);
    assert!(derived["private_key"].is_null(), "the private key only with --private-key");
}

/// A display whose lines the test reads from another thread: the PIN grid the user would see.
#[derive(Clone, Default)]
struct SharedDisplay(std::sync::Arc<std::sync::Mutex<(u32, String)>>);

impl signet_embedded::TextDisplay for SharedDisplay {
    type Error = core::convert::Infallible;
    fn show(&mut self, line: &str) -> Result<(), Self::Error> {
        let mut shown = self.0.lock().unwrap();
        *shown = (shown.0 + 1, line.to_owned());
        Ok(())
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl SharedDisplay {
    /// Waits for the next grid after `seen` lines and returns `pin`'s positions on it.
    fn positions(&self, seen: &mut u32, pin: &str) -> String {
        for _ in 0..1000 {
            let (count, line) = self.0.lock().unwrap().clone();
            if count > *seen
                && let Some((_, digits)) = signet_embedded::prompts::parse_pin_matrix(&line)
            {
                *seen = count;
                return pin
                    .bytes()
                    .map(|d| char::from(b'1' + digits.iter().position(|&x| x == d).unwrap() as u8))
                    .collect::<String>()
                    + "\n";
            }
            thread::sleep(core::time::Duration::from_millis(10));
        }
        panic!("no PIN grid on the display");
    }
}

/// Runs `signet device ARGS` typing `pins`' positions, each read off the next grid the device
/// shows (as a user would), on its standard input.
fn with_pins(path: &str, display: &SharedDisplay, args: &[&str], pins: &[&str]) -> std::process::Output {
    use std::io::Write as _;
    let mut child = std::process::Command::new(SIGNET)
        .args(["device", "--port", path, "--timeout", "20", "--json"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut seen = display.0.lock().unwrap().0;
    for pin in pins {
        stdin.write_all(display.positions(&mut seen, pin).as_bytes()).unwrap();
    }
    drop(stdin);
    child.wait_with_output().unwrap()
}

/// The PIN through the command: set (twice, on two grids), locked, refused while locked, a
/// wrong PIN with the tries left, unlocked, changed.
#[test]
fn the_cli_sets_locks_and_unlocks_the_device_pin_by_grid_positions() {
    use signet_embedded::sim::{NoDelay, SimulatedButton, SimulatedLed, SimulatedRtc};

    let (master, slave) = serialport::TTYPort::pair().unwrap();
    let path = serialport::SerialPort::name(&slave).unwrap();
    let display = SharedDisplay::default();
    let shown = display.clone();
    thread::spawn(move || {
        let keys = DeviceKeys::new(WalletKey::from_bytes(&[0x42; 32]).unwrap());
        let button = Button::new(SimulatedButton::presses_every(4), SimulatedLed::default(), NoDelay, CONFIG);
        let rng = rand_core::UnwrapErr(getrandom::SysRng);
        let mut device = Device::new(keys, RtcClock::new(SimulatedRtc::default()), button, rng)
            .with_display(shown)
            .with_pin_iterations(1_000);
        let _ = device.run(&mut FromStd::new(master));
    });
    let device = |args: &[&str], pins: &[&str]| with_pins(&path, &display, args, pins);

    let info = ok(&device(&["info"], &[]));
    assert_eq!(info["pin"]["pin_set"], false, "{info}");
    let set = ok(&device(&["change-pin"], &["2589", "2589"]));
    assert_eq!((set["pin_set"].as_bool(), set["locked"].as_bool()), (Some(true), Some(false)), "{set}");
    ok(&device(&["lock"], &[]));
    let refused = device(&["token"], &[]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("the device is locked"), "{refused:?}");
    let wrong = device(&["unlock"], &["1111"]);
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("wrong PIN: 15 tries left"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    let open = ok(&device(&["unlock"], &["2589"]));
    assert_eq!((open["locked"].as_bool(), open["failures"].as_u64()), (Some(false), Some(0)), "{open}");
    // A change asks the current PIN, then the new one twice.
    ok(&device(&["change-pin"], &["2589", "77777", "77777"]));
    ok(&device(&["lock"], &[]));
    assert!(!device(&["unlock"], &["2589"]).status.success());
    let info = ok(&device(&["unlock"], &["77777"]));
    assert_eq!(info["locked"], false);
    assert_eq!(ok(&device(&["info"], &[]))["pin"]["failures"], 0);
    drop(slave);
}

//! `signet permit`, `signet approve` and `signet redeem` against `signet serve` on loopback:
//! with the wallet key from the environment, and on a signing device (the real device loop over
//! simulated hardware on a pseudo-terminal) that shows each message and is pressed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::process::Command;

use embedded_io_adapters::std::FromStd;
use signet_core::eth::{U256, WalletKey};
use signet_core::turbine::permit::ChainContracts;
use signet_embedded::sim::{NoDelay, SimulatedButton, SimulatedDisplay, SimulatedLed, SimulatedRtc};
use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, RtcClock};
use signet_std::{TurbineClient, os_rng};
use support::{SIGNET, SignetServer};

/// `signet ARGS…` with `env`; stdout, or a panic with stderr.
fn signet(args: &[&str], env: &[(&str, String)]) -> String {
    let out =
        Command::new(SIGNET).args(args).envs(env.iter().map(|(k, v)| (*k, v.as_str()))).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A server, a registered wallet, and the environment naming both.
fn setup() -> (tempfile::TempDir, SignetServer, WalletKey, Vec<(&'static str, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let server = SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn"], &[]);
    let wallet = WalletKey::generate(&mut os_rng());
    let key = TurbineClient::new(&server.base()).register_api_key(&wallet, None).unwrap();
    let env = vec![
        ("TURBINE_HOST", server.base()),
        ("TURBINE_API_KEY_ID", key.key_id.as_str().to_owned()),
        ("TURBINE_API_PRIVATE_KEY", hex::encode(key.secret.signing_key().to_bytes())),
        ("TURBINE_PRIVATE_KEY", hex::encode(*wallet.to_bytes())),
    ];
    (dir, server, wallet, env)
}

#[test]
fn the_relayer_commands_sign_with_the_wallet_and_post() {
    let (_dir, server, wallet, env) = setup();
    let out = signet(&["permit", "--value", "unlimited", "--deadline", "never"], &env);
    assert_eq!(out, "permit accepted (accepted), nonce 0; no transaction: signet serve submits nothing");
    let out = signet(&["approve", "--json"], &env);
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["message"]["kind"], "ctf-approval");
    assert!(signet(&["approve", "--revoke"], &env).starts_with("revocation accepted"));
    let condition = format!("0x{}", "7d".repeat(32));
    assert!(
        signet(&["redeem", "--condition", &condition, "--index-sets", "1,2"], &env)
            .starts_with("redemption accepted")
    );
    // A permit for an order is printed, with the next nonce (one used above).
    let printed: serde_json::Value =
        serde_json::from_str(&signet(&["permit", "--value", "12.5", "--for-order"], &env)).unwrap();
    assert_eq!((printed["nonce"].as_str(), printed["value"].as_str()), (Some("1"), Some("12500000")));
    let client = TurbineClient::new(&server.base());
    let chain = ChainContracts::of(137).unwrap();
    assert_eq!(client.contract_nonce(&chain.ctf, &wallet.address()).unwrap(), U256::from_u128(3));
    // Bad arguments are named.
    let bad = Command::new(SIGNET)
        .args(["permit", "--value", "1.0000001"])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(
        !bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("--value"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn the_relayer_commands_sign_on_a_device_that_shows_the_permit() {
    let (master, slave) = serialport::TTYPort::pair().unwrap();
    let port = serialport::SerialPort::name(&slave).unwrap();
    let device_wallet = WalletKey::generate(&mut os_rng());
    let (_dir, server, _, mut env) = setup();
    // Only the host in the environment: the device registers its own wallet and holds the key,
    // which mints each post's token once the device has signed.
    env.truncate(1);
    let (shown_tx, shown_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let config = ButtonConfig { active_low: true, poll_ms: 10, debounce_samples: 2, timeout_ms: 100 };
        let button = Button::new(SimulatedButton::presses_every(4), SimulatedLed::default(), NoDelay, config);
        let rng = rand_core::UnwrapErr(getrandom::SysRng);
        let mut device =
            Device::new(DeviceKeys::new(device_wallet), RtcClock::new(SimulatedRtc::default()), button, rng)
                .with_display(SimulatedDisplay::default());
        let mut link = FromStd::new(master);
        while device.serve(&mut link).is_ok() {
            let display = device.display();
            let _ = shown_tx.send((display.previous.to_string(), display.last.to_string()));
        }
    });
    signet(&["device", "--port", &port, "set-time"], &env);
    signet(&["device", "--port", &port, "register", "--host", &server.base()], &env);
    let out = signet(&["permit", "--value", "unlimited", "--deadline", "never", "--device", &port], &env);
    assert!(out.starts_with("permit accepted"), "{out}");
    let (summary, warning) = shown_rx.try_iter().last().unwrap();
    assert_eq!(summary, "PERMIT UNLIMITED USDC to Turbine settlement, never expires, nonce 0, Polygon");
    assert!(warning.starts_with("WARNING: UNLIMITED allowance"), "{warning}");
    drop(slave);
}

//! A signing device whose wallet was made on it (its words shown and checked), over an
//! in-memory link and real loopback HTTP: it registers with the server, its key is revoked,
//! and it signs the timestamped re-registration the server then asks for; the new key, kept
//! in the device's flash across a restart, mints tokens the server accepts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::sync::Arc;
use std::sync::mpsc::channel;

use signet_core::Clock;
use signet_core::link::WalletOrigin;
use signet_embedded::sim::{SimulatedFlash, SimulatedRtc, SimulatedUser};
use signet_embedded::{Device, FlashStorage, RtcClock};
use signet_server::http::turbine_routes;
use signet_server::store::{KeyRegistry, RedbRegistry};
use signet_server::{Registry, VerifierService};
use signet_std::device::DeviceClient;
use signet_std::{ClientError, SystemClock, TurbineClient};
use support::{duplex, serve_router};

type Flash = SimulatedFlash<16384>;

/// Runs a device over `flash` on a thread until the host hangs up; returns the host's client and
/// the thread, which gives the flash back.
fn device(flash: Flash) -> (DeviceClient<support::End>, std::thread::JoinHandle<Flash>) {
    let (host, device_end) = duplex();
    let (ready, started) = channel();
    let thread = std::thread::spawn(move || {
        let user = SimulatedUser::new();
        let storage = FlashStorage::new(flash, 4096).unwrap();
        let rng = rand_core::UnwrapErr(getrandom::SysRng);
        let mut device = Device::boot(storage, RtcClock::new(SimulatedRtc::default()), &user, rng)
            .unwrap()
            .with_display(&user);
        ready.send(()).unwrap();
        let mut link = embedded_io_adapters::std::FromStd::new(device_end);
        while device.serve(&mut link).is_ok() {}
        device.into_storage().release()
    });
    started.recv().unwrap();
    (DeviceClient::new(host), thread)
}

#[test]
fn a_device_made_wallet_registers_again_after_a_revocation_and_keeps_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::from(RedbRegistry::open_or_create(&dir.path().join("keys.redb")).unwrap());
    let service = Arc::new(VerifierService::new(registry));
    let base = serve_router(turbine_routes(Arc::clone(&service)));
    let client = TurbineClient::new(&base);

    // A new device: make its wallet, register, install the key.
    let (mut host, thread) = device(Flash::default());
    let address = host.init_wallet(12).unwrap();
    let status = host.wallet_info().unwrap();
    let wallet = status.wallet.unwrap();
    assert_eq!(
        (wallet.origin, wallet.backup_confirmed, wallet.path.as_str()),
        (WalletOrigin::Created, true, "m/44'/60'/0'/0/0")
    );
    let first = client.register_signed(&host.sign_registration().unwrap(), Some("device")).unwrap();
    host.install_api_key(&first).unwrap();
    drop(host);
    let flash = thread.join().unwrap();

    // The key is revoked; the untimed registration is refused; the device signs the timestamped
    // one (its time shown), and the server issues a new key.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(service.revoke_async(&first.key_id)).unwrap();
    let (mut host, thread) = device(flash);
    assert_eq!(host.info().unwrap().address, address);
    let again = client.register_signed(&host.sign_registration().unwrap(), None);
    assert!(matches!(again, Err(ClientError::RegisteredBefore)), "{again:?}");
    let now = SystemClock.now();
    let second = client.register_timestamped(&host.sign_reregistration(now).unwrap(), now, None).unwrap();
    assert_ne!(second.key_id, first.key_id);
    host.install_api_key(&second).unwrap();
    drop(host);
    let flash = thread.join().unwrap();
    let stored = runtime.block_on(service.keys().get(&second.key_id)).unwrap().unwrap();
    assert_eq!(stored.wallet, address);

    // After a restart the device still holds the new key: its token is accepted once.
    let (mut host, thread) = device(flash);
    host.set_time(SystemClock.now()).unwrap();
    let token = host.mint_token().unwrap();
    let (status, _) = client.send_raw("GET", "/api/v1/orders", Some(&format!("Bearer {token}"))).unwrap();
    assert_eq!(status, 200);
    let replay = client.send_raw("GET", "/api/v1/orders", Some(&format!("Bearer {token}"))).unwrap();
    assert_eq!(replay, (401, r#"{"error":"token already used"}"#.to_owned()));
    assert_eq!(host.wallet_info().unwrap().api_key.unwrap().0.as_str(), second.key_id.as_str());
    drop(host);
    thread.join().unwrap();
}

//! A device's wallet and state through its public API, over simulated flash: made on the device
//! and backed up (the words checked back), restored, wiped; kept across restarts; and kept
//! whole across a power cut before any flash write or erase.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use ed25519_dalek::SigningKey;
use signet_core::UnixTime;
use signet_core::eth::{Address, Mnemonic, Passphrase, WalletKey, english_index, recover_address};
use signet_core::link::{
    DeviceError, KeySecret, Request, Response, RestoreSecret, WalletOrigin, WalletStatus,
};
use signet_core::turbine::{KeyId, KeyRecord, KeyRing, NonceCache, Verifier, reregistration_message};
use signet_embedded::sim::{SimulatedFlash, SimulatedRtc, SimulatedUser};
use signet_embedded::{Device, FlashStorage, RtcClock};

type Flash = SimulatedFlash<16384>;
type Dev<'u> = Device<
    RtcClock<SimulatedRtc>,
    &'u SimulatedUser,
    rand_core::UnwrapErr<getrandom::SysRng>,
    &'u SimulatedUser,
    FlashStorage<Flash>,
>;

const NOW: UnixTime = UnixTime(1_795_474_800);
/// The published BIP-39 vector (TREZOR passphrase) and its account at m/44'/60'/0'/0/0.
const VECTOR: &str =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const VECTOR_ADDRESS: &str = "0x9c32F71D4DB8Fb9e1A58B0a80dF79935e7256FA6";

/// Starts a device over `flash` (state as the flash holds it), with `user` as its display and
/// button.
fn boot(flash: Flash, user: &SimulatedUser) -> Dev<'_> {
    let storage = FlashStorage::new(flash, 4096).unwrap();
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    Device::boot(storage, RtcClock::new(SimulatedRtc::default()), user, rng).unwrap().with_display(user)
}

/// Restarts the device over its flash, powered on again after any cut.
fn restart<'u>(device: Dev<'u>, user: &'u SimulatedUser) -> Dev<'u> {
    let mut flash = device.into_storage().release();
    flash.power_on();
    boot(flash, user)
}

fn status(device: &mut Dev<'_>) -> WalletStatus {
    match device.handle(&Request::WalletInfo) {
        Response::WalletInfo(status) => status,
        other => panic!("{other:?}"),
    }
}

fn restore_request(phrase: &str, passphrase: &str) -> Request {
    let words = phrase.split(' ').map(|w| english_index(w).unwrap()).collect();
    Request::RestoreWallet(RestoreSecret {
        words,
        passphrase: heapless::Vec::from_slice(passphrase.as_bytes()).unwrap(),
    })
}

fn install(device: &mut Dev<'_>, kid: &str, seed: [u8; 32]) {
    let request = Request::InstallApiKey { kid: kid.try_into().unwrap(), secret: KeySecret(seed) };
    assert_eq!(device.handle(&request), Response::ApiKeyInstalled);
}

/// A token the device mints now, verified against `seed`'s public key.
fn mint_verifies(device: &mut Dev<'_>, kid: &str, seed: [u8; 32]) -> bool {
    assert_eq!(device.handle(&Request::SetTime { unix_secs: NOW.0 }), Response::TimeSet);
    let Response::Token { token } = device.handle(&Request::MintToken) else { return false };
    let mut keys = KeyRing::<1>::new();
    keys.insert(KeyId::new(kid).unwrap(), KeyRecord::active(SigningKey::from_bytes(&seed).verifying_key()))
        .unwrap();
    let mut verifier = Verifier::new(keys, NonceCache::<4>::new());
    let header = format!("Bearer {}", core::str::from_utf8(&token).unwrap());
    verifier.verify_str(Some(&header), NOW).is_ok()
}

#[test]
fn a_wallet_made_on_the_device_is_backed_up_checked_and_kept() {
    let user = SimulatedUser::new();
    let mut device = boot(Flash::default(), &user);
    // A new device: no wallet, nothing to sign with.
    assert_eq!(status(&mut device), WalletStatus { wallet: None, api_key: None });
    assert_eq!(
        device.handle(&Request::SignRegistration {
            address: "0x9c32F71D4DB8Fb9e1A58B0a80dF79935e7256FA6".try_into().unwrap()
        }),
        Response::Error(DeviceError::NoWallet)
    );

    let Response::WalletReady { wallet } = device.handle(&Request::InitWallet { words: 24 }) else {
        panic!()
    };
    // The words the user wrote down are the wallet's: the same address from them, as a wallet
    // app would derive it.
    let written: Vec<String> = (1..=24).map(|p| user.word(p).unwrap().to_string()).collect();
    let mnemonic = Mnemonic::parse(&written.join(" ")).unwrap();
    let derived = WalletKey::from_mnemonic(&mnemonic, &Passphrase::EMPTY, 0).unwrap();
    assert_eq!(derived.address(), Address::from_bytes(wallet));
    let summary = status(&mut device).wallet.unwrap();
    assert_eq!(
        (summary.origin, summary.backup_confirmed, summary.path.as_str()),
        (WalletOrigin::Created, true, "m/44'/60'/0'/0/0")
    );
    // Six screens of four words, then two words checked: at least 8 presses.
    assert!(user.presses() >= 8, "{}", user.presses());
    let mut device = restart(device, &user);
    assert_eq!(device.address(), Some(Address::from_bytes(wallet)));
    assert_eq!(device.handle(&Request::InitWallet { words: 12 }), Response::Error(DeviceError::WalletExists));

    // An API key installed survives a restart and mints tokens that verify.
    install(&mut device, "kid-1", [7; 32]);
    let mut device = restart(device, &user);
    assert!(mint_verifies(&mut device, "kid-1", [7; 32]));
    assert_eq!(status(&mut device).api_key.unwrap().0.as_str(), "kid-1");
    // Once confirmed, the words are not in the flash any more; the account key and the API
    // seed are there only sealed.
    let entropy = mnemonic.entropy().to_vec();
    let flash = device.into_storage().release();
    assert!(
        !flash.contents().windows(entropy.len()).any(|w| w == entropy.as_slice()),
        "the words' entropy left the flash"
    );
    for secret in [derived.to_bytes().as_ref(), &[7u8; 32][..]] {
        assert!(!flash.contents().windows(32).any(|w| w == secret), "a secret in the clear");
    }
}

#[test]
fn a_failed_backup_check_leaves_a_wallet_that_cannot_sign_until_checked() {
    let user = SimulatedUser::new();
    user.set_check_right(false);
    let mut device = boot(Flash::default(), &user);
    assert_eq!(device.handle(&Request::InitWallet { words: 12 }), Response::Error(DeviceError::NotConfirmed));
    let first: Vec<String> = (1..=12).map(|p| user.word(p).unwrap().to_string()).collect();
    let summary = status(&mut device).wallet.unwrap();
    assert!(!summary.backup_confirmed);
    let address = Address::from_bytes(summary.address).to_checksummed();
    let refused = device.handle(&Request::SignRegistration { address: address.as_str().try_into().unwrap() });
    assert_eq!(refused, Response::Error(DeviceError::BackupNotConfirmed));
    // After a restart, init shows the same words again; checked right, the wallet is usable.
    let mut device = restart(device, &user);
    user.set_check_right(true);
    assert!(matches!(device.handle(&Request::InitWallet { words: 24 }), Response::WalletReady { .. }));
    let again: Vec<String> = (1..=12).map(|p| user.word(p).unwrap().to_string()).collect();
    assert_eq!(first, again);
    let Response::Registration { signature } =
        device.handle(&Request::SignRegistration { address: address.as_str().try_into().unwrap() })
    else {
        panic!()
    };
    let message = signet_core::turbine::registration_message(&address).unwrap();
    let signature = signet_core::eth::EthSignature::from_bytes(signature.into_array().unwrap());
    assert_eq!(recover_address(message.as_bytes(), &signature).unwrap().to_checksummed(), address);
}

#[test]
fn a_restored_wallet_has_the_address_wallet_apps_give_and_wipe_erases_everything() {
    let user = SimulatedUser::new();
    let mut device = boot(Flash::default(), &user);
    // Refusals before anything is asked: a bad checksum, a passphrase not in NFKD.
    let bad = VECTOR.replace("about", "abandon");
    assert_eq!(device.handle(&restore_request(&bad, "")), Response::Error(DeviceError::BadMnemonic));
    assert_eq!(device.handle(&restore_request(VECTOR, "\u{e9}")), Response::Error(DeviceError::BadMnemonic));
    assert_eq!(user.presses(), 0);
    let Response::WalletReady { wallet } = device.handle(&restore_request(VECTOR, "TREZOR")) else {
        panic!()
    };
    assert_eq!(Address::from_bytes(wallet).to_checksummed(), VECTOR_ADDRESS);
    assert!(user.last().starts_with("Restore wallet 0x9c32F71D4DB8Fb9e1A58B0a80dF79935e7256FA6"));
    assert_eq!(status(&mut device).wallet.unwrap().origin, WalletOrigin::Restored);
    assert_eq!(device.handle(&restore_request(VECTOR, "")), Response::Error(DeviceError::WalletExists));

    // The timestamped re-registration: the time is shown, then signed.
    let request =
        Request::SignReregistration { address: VECTOR_ADDRESS.try_into().unwrap(), timestamp: NOW.0 };
    let Response::Registration { signature } = device.handle(&request) else { panic!() };
    assert!(user.last().contains("at 2026-11-23 23:00:00Z"), "{}", user.last());
    let message = reregistration_message(VECTOR_ADDRESS, NOW).unwrap();
    let signature = signet_core::eth::EthSignature::from_bytes(signature.into_array().unwrap());
    assert_eq!(recover_address(message.as_bytes(), &signature).unwrap().to_checksummed(), VECTOR_ADDRESS);

    // A wipe needs two presses; then nothing is left, not even in the flash.
    install(&mut device, "kid-2", [9; 32]);
    user.set_approve(false);
    assert_eq!(device.handle(&Request::Wipe), Response::Error(DeviceError::NotConfirmed));
    user.set_approve(true);
    let before = user.presses();
    assert_eq!(device.handle(&Request::Wipe), Response::Wiped);
    assert_eq!(user.presses(), before + 2);
    let mut device = restart(device, &user);
    assert_eq!(status(&mut device), WalletStatus { wallet: None, api_key: None });
    let flash = device.into_storage().release();
    assert!(!flash.contents().windows(32).any(|w| w == [9u8; 32]), "no API key left in the flash");
}

/// What a restart shows of the state: the wallet (address, confirmed), the API key, the
/// clock changes not confirmed.
type Seen = (Option<([u8; 20], bool)>, Option<String>, u64);

/// The state a restarted device shows.
fn seen(device: &mut Dev<'_>) -> Seen {
    let status = status(device);
    (
        status.wallet.map(|w| (w.address, w.backup_confirmed)),
        status.api_key.map(|(kid, _)| kid.to_string()),
        device.unconfirmed_clock_shift_secs(),
    )
}

/// Runs `step` on a device restored from `start` with the power cut before each flash
/// operation in turn; after each cut the restarted device must hold one of `allowed`, and an
/// installed key must mint tokens that verify under one of `keys`. Returns how many cut points
/// there were.
fn cut_everywhere(
    start: &Flash,
    step: &dyn Fn(&mut Dev<'_>),
    allowed: &[Seen],
    keys: &[(&str, [u8; 32])],
) -> u32 {
    let user = SimulatedUser::new();
    let base = start.operations();
    // Once without a cut, to count its operations.
    let mut whole = boot(start.clone(), &user);
    step(&mut whole);
    let total = whole.storage().flash().operations() - base;
    for k in 0..total {
        let mut flash = start.clone();
        flash.cut_power_before(base + k);
        let mut device = boot(flash, &user);
        step(&mut device);
        assert!(device.storage().flash().is_off(), "the cut at {k} of {total} was not reached");
        let mut device = restart(device, &user);
        let state = seen(&mut device);
        assert!(allowed.contains(&state), "cut before operation {k} of {total}: {state:?} is neither state");
        if let Some(kid) = &state.1 {
            let seed = keys.iter().find(|(k, _)| k == kid).unwrap().1;
            assert!(
                mint_verifies(&mut device, kid, seed),
                "cut {k}: the key read back does not sign as itself"
            );
        }
    }
    total
}

#[test]
fn a_power_cut_before_any_flash_operation_leaves_the_old_state_or_the_new() {
    let user = SimulatedUser::new();
    // First start: the wallet is stored unconfirmed, then confirmed (both are states).
    let mut device = boot(Flash::default(), &user);
    assert!(matches!(device.handle(&Request::InitWallet { words: 12 }), Response::WalletReady { .. }));
    let address = device.address().unwrap();
    let created = device.into_storage().release();
    let first_start = |d: &mut Dev<'_>| {
        let _ = d.handle(&Request::InitWallet { words: 12 });
    };
    // Any wallet the step makes is random; what matters is that it is one whole state.
    let n = {
        let user = SimulatedUser::new();
        let base = Flash::default();
        let mut whole = boot(base.clone(), &user);
        first_start(&mut whole);
        let total = whole.storage().flash().operations();
        for k in 0..total {
            let mut flash = base.clone();
            flash.cut_power_before(k);
            let mut device = boot(flash, &user);
            first_start(&mut device);
            let mut device = restart(device, &user);
            let (wallet, key, shift) = seen(&mut device);
            assert!(key.is_none() && shift == 0, "cut {k}");
            if let Some((_, confirmed)) = wallet {
                // Stored unconfirmed (its words can be shown again) or confirmed: never half.
                let can_sign = device.handle(&Request::SignRegistration {
                    address: device.address().unwrap().to_checksummed().as_str().try_into().unwrap(),
                });
                assert_eq!(matches!(can_sign, Response::Registration { .. }), confirmed, "cut {k}");
            }
        }
        total
    };
    println!("first start: {n} cut points");

    // Installing an API key, then replacing it.
    let before = (Some((*address.as_bytes(), true)), None, 0);
    let after = (Some((*address.as_bytes(), true)), Some("kid-a".to_string()), 0);
    let try_install = |d: &mut Dev<'_>, kid: &str, seed: [u8; 32]| {
        let _ = d.handle(&Request::InstallApiKey { kid: kid.try_into().unwrap(), secret: KeySecret(seed) });
    };
    let n = cut_everywhere(
        &created,
        &|d| try_install(d, "kid-a", [1; 32]),
        &[before.clone(), after.clone()],
        &[("kid-a", [1; 32])],
    );
    println!("API key install: {n} cut points");
    let mut device = boot(created.clone(), &user);
    install(&mut device, "kid-a", [1; 32]);
    let with_key = device.into_storage().release();
    let replaced = (Some((*address.as_bytes(), true)), Some("kid-b".to_string()), 0);
    let n = cut_everywhere(
        &with_key,
        &|d| try_install(d, "kid-b", [2; 32]),
        &[after.clone(), replaced],
        &[("kid-a", [1; 32]), ("kid-b", [2; 32])],
    );
    println!("API key replaced: {n} cut points");

    // A clock change within the budget: the unconfirmed total is stored first.
    let mut device = boot(with_key.clone(), &user);
    assert_eq!(device.handle(&Request::SetTime { unix_secs: NOW.0 }), Response::TimeSet);
    let timed = device.into_storage().release();
    let moved = (Some((*address.as_bytes(), true)), Some("kid-a".to_string()), 100);
    let n = cut_everywhere(
        &timed,
        &|d| {
            // The simulated clock forgets across a restart: set it, then move it by 100 s.
            let _ = d.handle(&Request::SetTime { unix_secs: NOW.0 });
            let _ = d.handle(&Request::SetTime { unix_secs: NOW.0 + 100 });
        },
        &[after.clone(), moved],
        &[("kid-a", [1; 32])],
    );
    println!("clock change: {n} cut points");

    // A wipe.
    let n = cut_everywhere(
        &with_key,
        &|d| assert!(matches!(d.handle(&Request::Wipe), Response::Wiped | Response::Error(_))),
        &[after, (None, None, 0)],
        &[("kid-a", [1; 32])],
    );
    println!("wipe: {n} cut points");
}

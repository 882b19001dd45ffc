//! The device PIN through the device's public API over simulated flash: set at a new device,
//! locked at power-up, unlocked through the scrambled grid, wrong PINs counted before the check
//! with growing delays, the wipe at the 16th and at the wipe code, changed and removed, the
//! refusals of a locked device, and every power cut in a wrong try, a right one, a change and
//! the wipe.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use signet_core::UnixTime;
use signet_core::eth::WalletKey;
use signet_core::link::{DeviceError, KeySecret, PinPurpose, PinStatus, Request, Response, WalletStatus};
use signet_embedded::sim::{SimulatedFlash, SimulatedRtc, SimulatedUser};
use signet_embedded::{Device, FlashStorage, RtcClock, TimeSource};

type Flash = SimulatedFlash<16384>;
type Dev<'u> = Device<
    RtcClock<SimulatedRtc>,
    &'u SimulatedUser,
    rand_core::UnwrapErr<getrandom::SysRng>,
    &'u SimulatedUser,
    FlashStorage<Flash>,
>;

const NOW: UnixTime = UnixTime(1_795_474_800);
const PIN: &[u8] = b"2589";
const SEED: [u8; 32] = [7; 32];

fn boot(flash: Flash, user: &SimulatedUser) -> Dev<'_> {
    let storage = FlashStorage::new(flash, 4096).unwrap();
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    // The fewest iterations a record may name: the tests run many checks.
    Device::boot(storage, RtcClock::new(SimulatedRtc::default()), user, rng)
        .unwrap()
        .with_display(user)
        .with_device_id(b"test board")
        .with_pin_iterations(1_000)
}

fn restart<'u>(device: Dev<'u>, user: &'u SimulatedUser) -> Dev<'u> {
    let mut flash = device.into_storage().release();
    flash.power_on();
    boot(flash, user)
}

/// Shows a grid for `purpose` and answers `make(positions)` with `pin` typed on it.
fn enter(
    device: &mut Dev<'_>,
    user: &SimulatedUser,
    purpose: PinPurpose,
    pin: &[u8],
    make: fn(signet_core::link::PinPositions) -> Request,
) -> Response {
    assert_eq!(device.handle(&Request::ShowPinMatrix { purpose }), Response::PinMatrixShown);
    user.remember_pin(pin);
    device.handle(&make(user.pin_positions()))
}

fn unlock(device: &mut Dev<'_>, user: &SimulatedUser, pin: &[u8]) -> Response {
    enter(device, user, PinPurpose::Current, pin, |positions| Request::Unlock { positions })
}

fn set_pin(device: &mut Dev<'_>, user: &SimulatedUser, pin: &[u8]) -> Response {
    let make = |positions| Request::SetPin { positions };
    assert_eq!(enter(device, user, PinPurpose::NewPin, pin, make), Response::PinAgain);
    enter(device, user, PinPurpose::NewPin, pin, make)
}

fn status(device: &mut Dev<'_>) -> PinStatus {
    match device.handle(&Request::PinStatus) {
        Response::PinStatus(status) => status,
        other => panic!("{other:?}"),
    }
}

/// A device with a PIN, a restored wallet and an API key, locked (restarted).
fn protected(user: &SimulatedUser) -> Flash {
    let mut device = boot(Flash::default(), user);
    assert!(matches!(set_pin(&mut device, user, PIN), Response::PinStatus(PinStatus { pin_set: true, .. })));
    let words =
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    let request = Request::RestoreWallet(signet_core::link::RestoreSecret {
        words: words.split(' ').map(|w| signet_core::eth::english_index(w).unwrap()).collect(),
        passphrase: heapless::Vec::new(),
    });
    assert!(matches!(device.handle(&request), Response::WalletReady { .. }));
    let install = Request::InstallApiKey { kid: "kid-pin".try_into().unwrap(), secret: KeySecret(SEED) };
    assert_eq!(device.handle(&install), Response::ApiKeyInstalled);
    device.into_storage().release()
}

fn account_key() -> [u8; 32] {
    let mnemonic = signet_core::eth::Mnemonic::parse(
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    )
    .unwrap();
    *WalletKey::from_mnemonic(&mnemonic, &signet_core::eth::Passphrase::EMPTY, 0).unwrap().to_bytes()
}

#[test]
fn a_pin_set_at_setup_locks_the_device_at_power_up_and_unlocks_it_through_the_grid() {
    let user = SimulatedUser::new();
    let flash = protected(&user);
    // Setting the PIN first: the wallet needed no "no PIN" press.
    assert!(!user.last().starts_with("No PIN"));
    // The secrets are in the flash only sealed.
    for secret in [account_key(), SEED] {
        assert!(!flash.contents().windows(32).any(|w| w == secret), "a secret in the clear");
    }
    let mut device = boot(flash, &user);
    assert!(device.is_locked());
    let locked = status(&mut device);
    assert_eq!(
        (locked.pin_set, locked.locked, locked.tries_left, locked.next_delay_secs),
        (true, true, 16, 0)
    );
    // What a locked device still tells, and what it refuses.
    let Response::WalletInfo(WalletStatus { wallet: Some(wallet), api_key: Some((kid, _)) }) =
        device.handle(&Request::WalletInfo)
    else {
        panic!()
    };
    assert_eq!(kid.as_str(), "kid-pin");
    assert!(
        matches!(device.handle(&Request::DeviceInfo), Response::DeviceInfo { wallet: w, .. } if w == wallet.address)
    );
    let refused = [
        Request::MintToken,
        Request::SetTime { unix_secs: NOW.0 },
        Request::SignRegistration {
            address: "0x9c32F71D4DB8Fb9e1A58B0a80dF79935e7256FA6".try_into().unwrap(),
        },
        Request::InstallApiKey { kid: "k".try_into().unwrap(), secret: KeySecret([1; 32]) },
        Request::InitWallet { words: 12 },
        Request::SetAutoLock { secs: 0 },
    ];
    for request in &refused {
        assert_eq!(device.handle(request), Response::Error(DeviceError::Locked), "{request:?}");
    }
    // Positions on a grid shown for something else, or none shown: refused, no try counted.
    assert_eq!(
        device.handle(&Request::Unlock { positions: heapless::Vec::from_slice(&[1, 2, 3, 4]).unwrap() }),
        Response::Error(DeviceError::NoPinMatrix)
    );
    assert_eq!(status(&mut device).failures, 0);
    // The grid is on the display, scrambled, and the host's positions are not the PIN.
    assert_eq!(
        device.handle(&Request::ShowPinMatrix { purpose: PinPurpose::Current }),
        Response::PinMatrixShown
    );
    let shown = user.current();
    let (title, _) = signet_embedded::prompts::parse_pin_matrix(&shown).unwrap();
    assert_eq!(title, "Enter your PIN");
    let Response::PinStatus(open) = unlock(&mut device, &user, PIN) else { panic!() };
    assert!(!open.locked && !device.is_locked());
    assert_eq!(device.handle(&Request::SetTime { unix_secs: NOW.0 }), Response::TimeSet);
    assert!(matches!(device.handle(&Request::MintToken), Response::Token { .. }));
    // Lock by request.
    assert!(matches!(device.handle(&Request::Lock), Response::PinStatus(PinStatus { locked: true, .. })));
    assert_eq!(device.handle(&Request::MintToken), Response::Error(DeviceError::Locked));
}

#[test]
fn wrong_pins_are_counted_first_wait_longer_each_time_and_the_sixteenth_wipes() {
    let user = SimulatedUser::new();
    let mut device = boot(protected(&user), &user);
    let mut waited = Vec::new();
    for n in 1..=5u32 {
        let before = user.paused_ms();
        let answer = unlock(&mut device, &user, b"1111");
        waited.push((user.paused_ms() - before) / 1000);
        assert_eq!(
            answer,
            Response::Error(DeviceError::WrongPin {
                tries_left: (16 - n) as u8,
                next_delay_secs: (1 << n) - 1
            })
        );
    }
    // 2^n - 1 s before the check after n wrong PINs.
    assert_eq!(waited, [0, 1, 3, 7, 15]);
    // The count survives a restart; a right PIN (after its delay) resets it.
    let mut device = restart(device, &user);
    assert_eq!(status(&mut device).failures, 5);
    let before = user.paused_ms();
    assert!(matches!(unlock(&mut device, &user, PIN), Response::PinStatus(PinStatus { failures: 0, .. })));
    assert_eq!(user.paused_ms() - before, 31_000);
    device.handle(&Request::Lock);
    // Sixteen wrong ones: the last wipes, and nothing secret is left.
    for n in 1..16u32 {
        assert!(
            matches!(unlock(&mut device, &user, b"1111"), Response::Error(DeviceError::WrongPin { .. })),
            "{n}"
        );
    }
    assert_eq!(unlock(&mut device, &user, b"1111"), Response::Error(DeviceError::Wiped));
    let mut device = restart(device, &user);
    assert!(!device.is_locked());
    assert_eq!(
        device.handle(&Request::WalletInfo),
        Response::WalletInfo(WalletStatus { wallet: None, api_key: None })
    );
    let wiped = status(&mut device);
    assert_eq!((wiped.pin_set, wiped.failures), (false, 0));
}

#[test]
fn the_pin_is_changed_and_removed_only_after_the_current_one_and_a_wipe_code_wipes() {
    let user = SimulatedUser::new();
    let mut device = boot(protected(&user), &user);
    assert!(matches!(unlock(&mut device, &user, PIN), Response::PinStatus(_)));
    // Any other request in between ends the change: the current PIN is asked again.
    assert!(matches!(device.handle(&Request::WalletInfo), Response::WalletInfo(_)));
    let make = |positions| Request::SetPin { positions };
    assert_eq!(
        enter(&mut device, &user, PinPurpose::NewPin, b"1357", make),
        Response::Error(DeviceError::PinNeeded)
    );
    // Two entries that differ change nothing.
    assert!(matches!(unlock(&mut device, &user, PIN), Response::PinStatus(_)));
    assert_eq!(enter(&mut device, &user, PinPurpose::NewPin, b"1357", make), Response::PinAgain);
    assert_eq!(
        enter(&mut device, &user, PinPurpose::NewPin, b"1358", make),
        Response::Error(DeviceError::PinMismatch)
    );
    assert!(matches!(unlock(&mut device, &user, PIN), Response::PinStatus(_)));
    assert!(matches!(
        set_pin(&mut device, &user, b"13579"),
        Response::PinStatus(PinStatus { pin_set: true, .. })
    ));
    let mut device = restart(device, &user);
    assert!(matches!(unlock(&mut device, &user, PIN), Response::Error(DeviceError::WrongPin { .. })));
    assert!(matches!(
        unlock(&mut device, &user, b"13579"),
        Response::PinStatus(PinStatus { locked: false, .. })
    ));
    // The wallet and key came through the change (only the keys were re-sealed).
    assert_eq!(device.handle(&Request::SetTime { unix_secs: NOW.0 }), Response::TimeSet);
    assert!(matches!(device.handle(&Request::MintToken), Response::Token { .. }));

    // A wipe code equal to the PIN is refused; another one wipes when entered.
    let code = |positions| Request::SetWipeCode { positions };
    assert!(matches!(unlock(&mut device, &user, b"13579"), Response::PinStatus(_)));
    assert_eq!(enter(&mut device, &user, PinPurpose::WipeCode, b"13579", code), Response::PinAgain);
    assert_eq!(
        enter(&mut device, &user, PinPurpose::WipeCode, b"13579", code),
        Response::Error(DeviceError::BadWipeCode)
    );
    assert!(matches!(unlock(&mut device, &user, b"13579"), Response::PinStatus(_)));
    assert_eq!(enter(&mut device, &user, PinPurpose::WipeCode, b"9999", code), Response::PinAgain);
    assert!(matches!(
        enter(&mut device, &user, PinPurpose::WipeCode, b"9999", code),
        Response::PinStatus(PinStatus { wipe_code_set: true, .. })
    ));
    let mut device = restart(device, &user);
    assert_eq!(unlock(&mut device, &user, b"9999"), Response::Error(DeviceError::Wiped));
    let mut device = restart(device, &user);
    assert_eq!(
        device.handle(&Request::WalletInfo),
        Response::WalletInfo(WalletStatus { wallet: None, api_key: None })
    );

    // No PIN, by choice on the device: stated on the display and pressed.
    let mut device = boot(protected(&user), &user);
    assert!(matches!(unlock(&mut device, &user, PIN), Response::PinStatus(_)));
    assert!(matches!(
        set_pin(&mut device, &user, b""),
        Response::PinStatus(PinStatus { pin_set: false, no_pin_chosen: true, .. })
    ));
    assert!(user.last().starts_with("No PIN: anyone holding this device can use it"));
    let device = restart(device, &user);
    assert!(!device.is_locked());
}

#[test]
fn an_idle_device_locks_itself_by_its_own_clock() {
    let user = SimulatedUser::new();
    let mut device = boot(protected(&user), &user);
    assert!(matches!(
        unlock(&mut device, &user, PIN),
        Response::PinStatus(PinStatus { auto_lock_secs: 600, .. })
    ));
    assert_eq!(device.handle(&Request::SetTime { unix_secs: NOW.0 }), Response::TimeSet);
    assert!(matches!(
        device.handle(&Request::SetAutoLock { secs: 60 }),
        Response::PinStatus(PinStatus { auto_lock_secs: 60, .. })
    ));
    assert!(matches!(device.handle(&Request::MintToken), Response::Token { .. }));
    // The clock moves on 61 s (as if the device had been left alone).
    device.clock_mut().set(UnixTime(NOW.0 + 61)).unwrap();
    assert_eq!(device.handle(&Request::MintToken), Response::Error(DeviceError::Locked));
}

/// The failures a restarted device counts, and which PINs open it (`None`: wiped).
fn after_cut(flash: &Flash, user: &SimulatedUser, pins: &[&[u8]]) -> (u32, Option<Vec<bool>>) {
    let mut flash = flash.clone();
    flash.power_on();
    let mut device = boot(flash.clone(), user);
    let failures = u32::from(status(&mut device).failures);
    if !status(&mut device).pin_set {
        return (failures, None);
    }
    let opens = pins
        .iter()
        .map(|pin| {
            let mut device = boot(flash.clone(), user);
            matches!(unlock(&mut device, user, pin), Response::PinStatus(_))
        })
        .collect();
    (failures, Some(opens))
}

/// Runs `step` on a device booted from `start` with the power cut before each of its flash
/// operations in turn, and hands each restarted flash to `check`. Returns the cut points.
fn cut_everywhere(
    start: &Flash,
    step: &dyn Fn(&mut Dev<'_>, &SimulatedUser),
    check: &dyn Fn(u32, &Flash),
) -> u32 {
    let user = SimulatedUser::new();
    let base = start.operations();
    let mut whole = boot(start.clone(), &user);
    step(&mut whole, &user);
    let total = whole.storage().flash().operations() - base;
    for k in 0..total {
        let mut flash = start.clone();
        flash.cut_power_before(base + k);
        let mut device = boot(flash, &user);
        step(&mut device, &user);
        let flash = device.into_storage().release();
        assert!(flash.is_off(), "the cut at {k} of {total} was not reached");
        check(k, &flash);
    }
    total
}

#[test]
fn no_power_cut_takes_a_try_back_or_leaves_neither_pin() {
    let user = SimulatedUser::new();
    let start = protected(&user);
    // Three wrong PINs already.
    let mut device = boot(start, &user);
    for _ in 0..3 {
        let _ = unlock(&mut device, &user, b"1111");
    }
    let three = device.into_storage().release();

    // A wrong try: cut anywhere, the count is 3 (the try never reached flash) or 4, never less.
    let n = cut_everywhere(
        &three,
        &|d, u| {
            let _ = unlock(d, u, b"1111");
        },
        &|k, flash| {
            let (failures, opens) = after_cut(flash, &user, &[PIN]);
            assert!(failures == 3 || failures == 4, "cut {k}: {failures}");
            assert_eq!(opens, Some(vec![true]), "cut {k}");
        },
    );
    println!("wrong PIN: {n} cut points");

    // A right one: counted first (4), then closed (0); the PIN opens either way.
    let n = cut_everywhere(
        &three,
        &|d, u| {
            let _ = unlock(d, u, PIN);
        },
        &|k, flash| {
            let (failures, opens) = after_cut(flash, &user, &[PIN]);
            assert!([0, 3, 4].contains(&failures), "cut {k}: {failures}");
            assert_eq!(opens, Some(vec![true]), "cut {k}");
        },
    );
    println!("right PIN: {n} cut points");

    // A change: the old PIN or the new one opens the device, never neither (nor both).
    let n = cut_everywhere(
        &three,
        &|d, u| {
            let _ = unlock(d, u, PIN);
            let make = |positions| Request::SetPin { positions };
            let _ = enter(d, u, PinPurpose::NewPin, b"8642", make);
            let _ = enter(d, u, PinPurpose::NewPin, b"8642", make);
        },
        &|k, flash| {
            let (_, opens) = after_cut(flash, &user, &[PIN, b"8642"]);
            let opens = opens.unwrap();
            assert!(opens == [true, false] || opens == [false, true], "cut {k}: {opens:?}");
        },
    );
    println!("PIN change: {n} cut points");

    // The 16th wrong PIN: the wipe completes, or the next start finishes it; the old secrets
    // never come back and no try is ever given back.
    let mut device = boot(three.clone(), &user);
    for _ in 3..15 {
        let _ = unlock(&mut device, &user, b"1111");
    }
    assert_eq!(status(&mut device).failures, 15);
    let fifteen = device.into_storage().release();
    let n = cut_everywhere(
        &fifteen,
        &|d, u| {
            let _ = unlock(d, u, b"1111");
        },
        &|k, flash| {
            let (failures, opens) = after_cut(flash, &user, &[PIN]);
            match opens {
                // The try did not reach flash: still 15, the PIN still opens.
                Some(opens) => assert_eq!((failures, opens), (15, vec![true]), "cut {k}"),
                None => {
                    let mut flash = flash.clone();
                    flash.power_on();
                    let mut device = boot(flash, &user);
                    assert_eq!(
                        device.handle(&Request::WalletInfo),
                        Response::WalletInfo(WalletStatus { wallet: None, api_key: None }),
                        "cut {k}"
                    );
                    let flash = device.into_storage().release();
                    assert!(!flash.contents().windows(32).any(|w| w == SEED), "cut {k}: the old seed");
                }
            }
        },
    );
    println!("wipe at the 16th: {n} cut points");
}

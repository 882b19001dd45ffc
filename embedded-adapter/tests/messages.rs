//! The device signs the current SDK's other messages only after showing them: a USDC permit,
//! a conditional-tokens approval or revocation, a redemption. An unlimited permit, a contract
//! that is not the chain's settlement contract, or a deadline more than 30 days ahead needs a
//! second press on a warning screen; a refused press leaves nothing signed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::VecDeque;

use signet_core::UnixTime;
use signet_core::eth::{Address, EthSignature, U256, WalletKey};
use signet_core::link::{self, DeviceError, MAX_FRAME_LEN, Request, Response};
use signet_core::turbine::permit::{ChainContracts, CtfApproval, Redemption, TypedMessage, UsdcPermit};
use signet_embedded::sim::SimulatedDisplay;
use signet_embedded::{Device, DeviceKeys, TimeSource, UserPresence};

/// 2026-01-01 00:00:00 UTC.
const NOW: u64 = 1_767_225_600;

struct Clock;

impl TimeSource for Clock {
    type Error = ();
    fn now(&mut self) -> Result<UnixTime, ()> {
        Ok(UnixTime(NOW as i64))
    }
    fn set(&mut self, _: UnixTime) -> Result<(), ()> {
        Ok(())
    }
}

/// Presses from a script; every scripted answer must be used.
struct Script(VecDeque<bool>);

impl Drop for Script {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert!(self.0.is_empty(), "unused presses: {:?}", self.0);
        }
    }
}

impl UserPresence for Script {
    type Error = ();
    fn confirm(&mut self) -> Result<bool, ()> {
        Ok(self.0.pop_front().expect("an unexpected prompt"))
    }

    fn pause_ms(&mut self, _ms: u32) -> Result<(), ()> {
        Ok(())
    }
}

type TestDevice = Device<Clock, Script, rand_core::UnwrapErr<getrandom::SysRng>, SimulatedDisplay>;

fn wallet() -> WalletKey {
    WalletKey::from_bytes(&[0x22; 32]).unwrap()
}

fn device(presses: &[bool]) -> TestDevice {
    Device::new(
        DeviceKeys::new(wallet()),
        Clock,
        Script(presses.iter().copied().collect()),
        rand_core::UnwrapErr(getrandom::SysRng),
    )
    .with_display(SimulatedDisplay::default())
}

fn polygon() -> &'static ChainContracts {
    ChainContracts::of(137).unwrap()
}

fn permit(value: U256, spender: Address, deadline: U256) -> UsdcPermit {
    UsdcPermit { owner: wallet().address(), spender, value, nonce: U256::from_u128(3), deadline }
}

/// Signs `request` with `presses`; the signature checked against software signing, and what
/// was shown (the summary, then the warning if there was one).
fn signed(request: &Request, message: &TypedMessage, presses: &[bool]) -> (String, Option<String>) {
    let mut device = device(presses);
    let response = device.handle(request);
    let Response::MessageSignature { signature } = response else { panic!("{response:?}") };
    let signature = EthSignature::from_bytes(signature.into_array().unwrap());
    assert_eq!(message.sign(polygon(), &wallet()).unwrap(), signature);
    message.verify(&polygon().separators(), &signature).unwrap();
    let display = device.display();
    assert!(display.current.is_empty(), "cleared after signing");
    match display.shown {
        1 => (display.last.to_string(), None),
        2 => (display.previous.to_string(), Some(display.last.to_string())),
        n => panic!("{n} screens"),
    }
}

#[test]
fn an_sdk_permit_is_shown_and_signed_after_one_press() {
    // `sign_usdc_permit(25_000_000)`: the settlement contract, an hour.
    let p =
        permit(U256::from_u128(25_000_000), polygon().settlement, U256::from_u128(u128::from(NOW) + 3_600));
    let (shown, warning) =
        signed(&Request::SignUsdcPermit { chain_id: 137, permit: p }, &TypedMessage::Permit(p), &[true]);
    assert_eq!(shown, "PERMIT 25 USDC to Turbine settlement, until 2026-01-01 01:00Z, nonce 3, Polygon");
    assert_eq!(warning, None);
}

#[test]
fn an_unlimited_permit_for_ever_needs_a_second_press_on_a_warning() {
    // `approve_usdc_for_settlement()`: value = deadline = 2^256 - 1.
    let p = permit(U256::MAX, polygon().settlement, U256::MAX);
    let request = Request::SignUsdcPermit { chain_id: 137, permit: p };
    let (shown, warning) = signed(&request, &TypedMessage::Permit(p), &[true, true]);
    assert_eq!(shown, "PERMIT UNLIMITED USDC to Turbine settlement, never expires, nonce 3, Polygon");
    let warning = warning.unwrap();
    assert!(warning.contains("UNLIMITED allowance") && warning.contains("more than 30 days"), "{warning}");
    // Refusing either press leaves nothing signed.
    for presses in [&[false][..], &[true, false][..]] {
        let mut device = device(presses);
        assert_eq!(device.handle(&request), Response::Error(DeviceError::NotConfirmed));
        assert!(device.display().current.is_empty());
    }
}

#[test]
fn approvals_warn_about_an_unknown_operator_and_revocations_do_not() {
    let stranger = Address::from_bytes([0xab; 20]);
    let deadline = U256::from_u128(u128::from(NOW) + 3_600);
    let approval = |operator, approved| CtfApproval {
        owner: wallet().address(),
        operator,
        approved,
        nonce: U256::ZERO,
        deadline,
    };
    let settlement = approval(polygon().settlement, true);
    let (shown, warning) = signed(
        &Request::SignCtfApproval { chain_id: 137, approval: settlement },
        &TypedMessage::Approval(settlement),
        &[true],
    );
    assert_eq!(
        shown,
        "APPROVE Turbine settlement to move ALL outcome tokens, until 2026-01-01 01:00Z, nonce 0, Polygon"
    );
    assert_eq!(warning, None);
    let unknown = approval(stranger, true);
    let (shown, warning) = signed(
        &Request::SignCtfApproval { chain_id: 137, approval: unknown },
        &TypedMessage::Approval(unknown),
        &[true, true],
    );
    assert!(shown.starts_with(&format!("APPROVE {stranger} to move ALL")), "{shown}");
    assert!(warning.unwrap().contains("NOT Turbine's settlement contract"));
    let revoke = approval(stranger, false);
    let (shown, warning) = signed(
        &Request::SignCtfApproval { chain_id: 137, approval: revoke },
        &TypedMessage::Approval(revoke),
        &[true],
    );
    assert!(shown.starts_with(&format!("REVOKE {stranger} from moving")), "{shown}");
    assert_eq!(warning, None, "a revocation is signed like an approval");
    // Forty days ahead: the far deadline needs the second press too.
    let far = CtfApproval { deadline: U256::from_u128(u128::from(NOW) + 40 * 86_400), ..settlement };
    let (_, warning) = signed(
        &Request::SignCtfApproval { chain_id: 137, approval: far },
        &TypedMessage::Approval(far),
        &[true, true],
    );
    assert!(warning.unwrap().contains("more than 30 days"));
}

#[test]
fn a_redemption_travels_the_link_is_shown_and_signed() {
    let redemption = Redemption {
        owner: wallet().address(),
        collateral_token: polygon().usdc,
        parent_collection_id: [0; 32],
        condition_id: [0x7d; 32],
        index_sets: [U256::from_u128(1)].into_iter().collect(),
        nonce: U256::from_u128(9),
        deadline: U256::from_u128(u128::from(NOW) + 3_600),
    };
    let request = Request::SignRedemption { chain_id: 137, redemption: redemption.clone() };
    let mut buf = [0u8; MAX_FRAME_LEN];
    let mut frame = link::encode(&request, &mut buf).unwrap().to_vec();
    let decoded: Request = link::decode(&mut frame).unwrap();
    let (shown, warning) = signed(&decoded, &TypedMessage::Redemption(redemption), &[true]);
    assert_eq!(
        shown,
        "REDEEM condition 0x7d7d…7d7d sets 1 for USDC, until 2026-01-01 01:00Z, nonce 9, Polygon"
    );
    assert_eq!(warning, None);
}

#[test]
fn another_wallets_message_an_unknown_chain_or_an_unshowable_one_is_refused_unseen() {
    let mut other = permit(U256::from_u128(1), polygon().settlement, U256::from_u128(u128::from(NOW)));
    other.owner = WalletKey::from_bytes(&[0x23; 32]).unwrap().address();
    let mut device = device(&[]);
    assert_eq!(
        device.handle(&Request::SignUsdcPermit { chain_id: 137, permit: other }),
        Response::Error(DeviceError::WrongAddress)
    );
    let mine = permit(U256::from_u128(1), polygon().settlement, U256::from_u128(u128::from(NOW)));
    assert_eq!(
        device.handle(&Request::SignUsdcPermit { chain_id: 1, permit: mine }),
        Response::Error(DeviceError::UnknownChain)
    );
    // A summary longer than the screen (eight 78-digit index sets) is not signed in part.
    let absurd = Redemption {
        owner: wallet().address(),
        collateral_token: polygon().usdc,
        parent_collection_id: [1; 32],
        condition_id: [2; 32],
        index_sets: core::iter::repeat_n(U256::MAX, 8).collect(),
        nonce: U256::MAX,
        deadline: U256::MAX,
    };
    assert_eq!(
        device.handle(&Request::SignRedemption { chain_id: 137, redemption: absurd }),
        Response::Error(DeviceError::CannotShow)
    );
    assert_eq!(device.display().shown, 0);
}

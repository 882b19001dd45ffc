//! The current SDK's other messages on the device: an unlimited USDC permit, an approval of a
//! contract that is not Turbine's, and a redemption valid for 40 days (each with its warning
//! screen and second press), then a permit the user does not confirm (nothing signed). Prints
//! each relayer body with its nonce for the host to check with eth-account, and what it cost.

use cortex_m_semihosting::hprintln;
use signet_core::eth::{Address, EthSignature, U256};
use signet_core::link::{DeviceError, Request, Response};
use signet_core::turbine::permit::{
    ChainContracts, CtfApproval, IndexSets, MAX_RELAYER_BODY_LEN, Redemption, RelayerBody, TypedMessage,
    UsdcPermit,
};
use signet_embedded::sim::SimulatedUser;
use signet_qemu_firmware::{DEMO_TIME, measure};

use crate::Firmware;

const CHAIN: u64 = 137;

fn demo_messages(owner: Address, chain: &ChainContracts) -> Option<[(&'static str, TypedMessage); 3]> {
    let mut index_sets = IndexSets::new();
    index_sets.extend_from_slice(&[U256::from_u128(1), U256::from_u128(2)]).ok()?;
    let soon = U256::from_u128(DEMO_TIME as u128 + 3600);
    Some([
        (
            "permit",
            TypedMessage::Permit(UsdcPermit {
                owner,
                spender: chain.settlement,
                value: U256::MAX,
                nonce: U256::ZERO,
                deadline: U256::MAX,
            }),
        ),
        (
            "approval",
            TypedMessage::Approval(CtfApproval {
                owner,
                operator: Address::from_bytes([0x42; 20]),
                approved: true,
                nonce: U256::ZERO,
                deadline: soon,
            }),
        ),
        (
            "redemption",
            TypedMessage::Redemption(Redemption {
                owner,
                collateral_token: chain.usdc,
                parent_collection_id: [0; 32],
                condition_id: [0x5a; 32],
                index_sets,
                nonce: U256::from_u128(1),
                deadline: U256::from_u128(DEMO_TIME as u128 + 40 * 86_400),
            }),
        ),
    ])
}

fn request(message: &TypedMessage) -> Request {
    match message.clone() {
        TypedMessage::Permit(permit) => Request::SignUsdcPermit { chain_id: CHAIN, permit },
        TypedMessage::Approval(approval) => Request::SignCtfApproval { chain_id: CHAIN, approval },
        TypedMessage::Redemption(redemption) => Request::SignRedemption { chain_id: CHAIN, redemption },
    }
}

/// Signs each demo message and prints `<name>-body`, `<name>-nonce`, `<name>-presses`,
/// `<name>-instructions` and `<name>-stack-bytes`; `message: <name>` before each marks which
/// display lines are its.
pub fn sign_messages(device: &mut Firmware<'_>, user: &SimulatedUser, per_tick: u32) -> Option<()> {
    let chain = ChainContracts::of(CHAIN)?;
    for (name, message) in demo_messages(device.address()?, chain)? {
        hprintln!("message: {}", name);
        let before = user.presses();
        let (response, ticks, stack) = measure(&mut *device, &request(&message), Firmware::handle);
        let Response::MessageSignature { signature } = response else { return None };
        let signature = EthSignature::from_bytes(signature.into_array().ok()?);
        let mut out = [0u8; MAX_RELAYER_BODY_LEN];
        let body = RelayerBody::new(CHAIN, message.clone(), signature).write(&mut out).ok()?;
        let mut nonce = [0u8; signet_core::eth::U256_DECIMAL_LEN];
        hprintln!("{}-body: {}", name, body);
        hprintln!("{}-nonce: {}", name, message.nonce().write_decimal(&mut nonce));
        hprintln!("{}-presses: {}", name, user.presses() - before);
        hprintln!("{}-instructions: {}", name, ticks * per_tick);
        hprintln!("{}-stack-bytes: {}", name, stack);
    }
    // Not confirmed: the device answers so, and nothing is signed.
    hprintln!("message: refused");
    user.set_approve(false);
    let [(_, permit), ..] = demo_messages(device.address()?, chain)?;
    let response = device.handle(&request(&permit));
    user.set_approve(true);
    (response == Response::Error(DeviceError::NotConfirmed)).then_some(())?;
    hprintln!("refused: not confirmed, nothing signed");
    Some(())
}

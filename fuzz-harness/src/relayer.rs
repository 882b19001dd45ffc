//! The current SDK's relayer bodies and an order's extras (`permitSignature`, `bot_metadata`).

use core::fmt::Write as _;

use signet_core::turbine::order::{MAX_ORDER_SUBMISSION_LEN, OrderSubmission};
use signet_core::turbine::permit::{
    ChainContracts, MAX_MESSAGE_SUMMARY_LEN, MAX_RELAYER_BODY_LEN, MessageKind, RelayerBatch, RelayerBody,
};

/// The contracts of the chains signet knows.
fn chains() -> impl Iterator<Item = &'static ChainContracts> {
    [137, 43_114, 84_532].into_iter().filter_map(ChainContracts::of)
}

/// Everything a server and a device do with one parsed body: it writes back (in
/// [`MAX_RELAYER_BODY_LEN`]) to a body that parses to the same, its signature checks against
/// every chain to an answer, and what a device would show fits its screen or is refused whole.
fn exercise(kind: MessageKind, body: &RelayerBody) {
    let mut out = [0u8; MAX_RELAYER_BODY_LEN];
    let Ok(text) = body.write(&mut out) else { panic!("a parsed body does not write: {body:?}") };
    if RelayerBody::parse(kind, text.as_bytes()).as_ref() != Ok(body) {
        panic!("relayer body round trip changed {body:?}: {text}");
    }
    for chain in chains() {
        let message = body.message(signet_core::eth::U256::from_u128(7));
        let _ = message.verify(&chain.separators(), &body.signature);
        let mut line = heapless::String::<MAX_MESSAGE_SUMMARY_LEN>::new();
        let _ = write!(line, "{}", message.summary(chain));
        let _ = message.warnings(chain, 1_767_225_600);
    }
}

/// The first byte picks the endpoint (`/usdc-permit`, `/ctf-approval`, `/ctf-redemption`,
/// `/batch-ctf-redemption`); the rest is its body.
pub fn relayer_body(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else { return };
    let kind = match pick % 4 {
        0 => MessageKind::Permit,
        1 => MessageKind::Approval,
        2 => MessageKind::Redemption,
        _ => {
            let Ok(batch) = RelayerBatch::parse(body) else { return };
            let mut out = [0u8; MAX_RELAYER_BODY_LEN * 33];
            let Ok(text) = batch.write(&mut out) else { panic!("a parsed batch does not write: {batch:?}") };
            if RelayerBatch::parse(text.as_bytes()).as_ref() != Ok(&batch) {
                panic!("batch round trip changed {batch:?}: {text}");
            }
            for one in &batch.redemptions {
                exercise(MessageKind::Redemption, one);
            }
            return;
        }
    };
    if let Ok(parsed) = RelayerBody::parse(kind, body) {
        exercise(kind, &parsed);
    }
}

/// `POST /api/v1/orders` with the current SDK's extras: what parses writes back (in
/// [`MAX_ORDER_SUBMISSION_LEN`]) to a body that parses to the same.
pub fn order_submission(data: &[u8]) {
    let Ok(submission) = OrderSubmission::parse_body(data) else { return };
    let mut out = [0u8; MAX_ORDER_SUBMISSION_LEN];
    let Ok(text) = submission.write_body(&mut out) else {
        panic!("a parsed submission does not write: {submission:?}")
    };
    if OrderSubmission::parse_body(text.as_bytes()).as_ref() != Ok(&submission) {
        panic!("submission round trip changed {submission:?}: {text}");
    }
    if let Some(permit) = &submission.permit {
        for chain in chains() {
            let message = permit.message(submission.signed.order.trader, chain);
            let _ = message.verify(&chain.separators(), &permit.signature);
        }
    }
}

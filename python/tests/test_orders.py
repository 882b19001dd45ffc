"""Orders: signet's `Signer` and the SDK's give the same signature, order hash and body on
random orders, and eth-account recovers the trader from the EIP-712 typed data."""

from __future__ import annotations

import random
import secrets

from eth_account import Account
from eth_account.messages import encode_typed_data
from turbine_client.signer import Signer as SdkSigner
from turbine_client.types import OrderArgs as SdkOrderArgs

import signet_credentials as signet

ORDER_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Order": [
        {"name": n, "type": t}
        for n, t in [
            ("marketId", "bytes32"),
            ("trader", "address"),
            ("side", "uint8"),
            ("outcome", "uint8"),
            ("price", "uint256"),
            ("size", "uint256"),
            ("nonce", "uint256"),
            ("expiration", "uint256"),
            ("makerFeeRecipient", "address"),
        ]
    ],
}


def random_args(rng: random.Random) -> signet.OrderArgs:
    digits = rng.randint(1, 64)
    fee = "0x" + "00" * 20 if rng.random() < 0.5 else Account.create().address
    return signet.OrderArgs(
        market_id="0x" + "".join(rng.choice("0123456789abcdef") for _ in range(digits)),
        side=rng.choice(list(signet.Side)),
        outcome=rng.choice(list(signet.Outcome)),
        price=rng.randint(1, 999_999),
        size=rng.randint(1, 2**128 - 1),
        expiration=rng.randint(1, 2**63),
        nonce=rng.randint(1, 2**128 - 1),
        maker_fee_recipient=fee,
    )


def test_two_hundred_random_orders_equal_the_sdks_byte_for_byte() -> None:
    rng = random.Random(7)
    for i in range(200):
        key = "0x" + secrets.token_hex(32)
        chain = rng.choice([137, 43114, 84532])
        ours = signet.Signer(key, chain)
        sdk = SdkSigner(key, chain)
        args = random_args(rng)
        sdk_args = SdkOrderArgs(**vars(args))
        # On 84532 the SDK 0.1.0 release has a zero placeholder contract (signet takes the one
        # in the SDK's later source): both are given the contract there.
        contract = None if i % 3 and chain != 84532 else Account.create().address
        signed = ours.sign_order(args, settlement_address=contract)
        expected = sdk.sign_order(sdk_args, settlement_address=contract)
        assert ours.address == sdk.address
        assert (signed.signature, signed.order_hash) == (expected.signature, expected.order_hash), i
        assert signed.to_dict() == expected.to_dict()
        # eth-account recovers the trader from the typed data.
        typed = {
            "types": ORDER_TYPES,
            "primaryType": "Order",
            "domain": {**ours.get_domain(), "verifyingContract": contract or ours.get_domain()["verifyingContract"]},
            "message": {
                "marketId": bytes.fromhex(args.market_id[2:].zfill(64)),
                "trader": ours.address,
                "side": int(args.side),
                "outcome": int(args.outcome),
                "price": args.price,
                "size": args.size,
                "nonce": args.nonce,
                "expiration": args.expiration,
                "makerFeeRecipient": args.maker_fee_recipient,
            },
        }
        signer = Account.recover_message(encode_typed_data(full_message=typed), signature="0x" + signed.signature)
        assert signer == ours.address


def test_the_sdk_nonce_is_made_when_none_is_given_and_bad_orders_are_refused() -> None:
    ours = signet.Signer("0x" + "42" * 32, 137)
    args = signet.OrderArgs(market_id="0x1f", side=signet.Side.BUY, outcome=signet.Outcome.NO,
                            price=10, size=1, expiration=2_000_000_000)
    nonce = ours.sign_order(args).nonce
    assert nonce >> 32 > 1_700_000_000
    bad = signet.OrderArgs(market_id="0xzz", side=signet.Side.BUY, outcome=signet.Outcome.NO,
                           price=10, size=1, expiration=2_000_000_000)
    try:
        ours.sign_order(bad)
    except signet.SignatureError as refused:
        assert "market" in refused.message.lower()
    else:
        raise AssertionError("a bad market id was signed")
    assert "42" * 32 not in repr(ours)

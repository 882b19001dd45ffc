#!/usr/bin/env python3
"""Cross-checks signet's Turbine order signing against the official SDK and eth-account.

For random orders (market ids of 1 to 64 hex digits, sizes and nonces up to 2^128 - 1, any
price in range, a fee recipient or none, each SDK chain, its settlement contract or another),
the SDK's own `Signer.sign_order` (turbine-py-client 0.1.0, which signs with eth-account's
`sign_typed_data`) gives the signature and order hash; signet's `sign_order` example must give
the same EIP-712 digest (eth-account's `encode_typed_data`), the same order hash, and the body
the SDK would post (`SignedOrder.to_dict`) with that signature, byte for byte in compact JSON.
Out-of-range orders must be refused by both.

Usage: crosscheck_orders.py PATH_TO_sign_order [CASES]
"""
import json
import random
import secrets
import subprocess
import sys

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address
from turbine_client.signer import Signer
from turbine_client.types import OrderArgs, Outcome, Side

CHAINS = {
    137: "0xdB96C91d9e5930fE3Ed1604603CfA4ece454725c",
    84532: "0xF37B881F236033E55bF1cdAB628c7Cd88aAd89D4",
    43114: "0x893ca652525B1F9DC25189ED9c3AD0543ACfb989",
}
ZERO = "0x0000000000000000000000000000000000000000"


def random_order(rng: random.Random, trader: str) -> dict:
    digits = rng.choice([64, 64, 64, rng.randint(1, 64)])
    return {
        "marketId": "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(digits)),
        "trader": trader,
        "side": rng.randint(0, 1),
        "outcome": rng.randint(0, 1),
        "price": rng.choice([1, 999_999, rng.randint(1, 999_999)]),
        "size": rng.choice([1, rng.randint(1, 10**15), rng.randint(1, 2**128 - 1)]),
        "nonce": rng.choice([rng.randint(1, 2**64 - 1), rng.randint(1, 2**128 - 1)]),
        "expiration": rng.randint(1, 2**40),
        "makerFeeRecipient": rng.choice([ZERO, to_checksum_address("0x" + secrets.token_hex(20))]),
    }


def typed_data(order: dict, chain: int, contract: str) -> dict:
    fields = [("marketId", "bytes32"), ("trader", "address"), ("side", "uint8"), ("outcome", "uint8"),
              ("price", "uint256"), ("size", "uint256"), ("nonce", "uint256"), ("expiration", "uint256"),
              ("makerFeeRecipient", "address")]
    message = dict(order, marketId=bytes.fromhex(order["marketId"][2:].zfill(64)))
    return {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"},
                             {"name": "verifyingContract", "type": "address"}],
            "Order": [{"name": n, "type": t} for n, t in fields],
        },
        "primaryType": "Order",
        "domain": {"name": "Turbine", "version": "1", "chainId": chain, "verifyingContract": contract},
        "message": message,
    }


def main() -> int:
    binary = sys.argv[1]
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    rng = random.Random(secrets.randbits(64))
    proc = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(key: bytes, chain: int, contract: str, order: dict) -> str:
        proc.stdin.write(f"{key.hex()} {chain} {contract} {json.dumps(order)}\n")
        proc.stdin.flush()
        return proc.stdout.readline().rstrip("\n")

    passed = failed = 0
    for i in range(cases):
        key = secrets.token_bytes(32)
        account = Account.from_key(key)
        chain = rng.choice(list(CHAINS))
        contract = rng.choice([CHAINS[chain], to_checksum_address("0x" + secrets.token_hex(20))])
        order = random_order(rng, account.address)
        try:
            if i % 8 == 7:
                # Out of the SDK's range: both refuse.
                bad = dict(order, **rng.choice([{"price": 0}, {"price": 1_000_000}, {"size": 0},
                                                 {"expiration": 0}, {"side": 2}, {"outcome": 2}]))
                answer = ask(key, chain, contract, bad)
                assert answer.startswith("error "), answer
                passed += 1
                continue
            signer = Signer("0x" + key.hex(), chain)
            args = OrderArgs(market_id=order["marketId"], side=Side(order["side"]), outcome=Outcome(order["outcome"]),
                             price=order["price"], size=order["size"], expiration=order["expiration"],
                             nonce=order["nonce"], maker_fee_recipient=order["makerFeeRecipient"])
            sdk = signer.sign_order(args, settlement_address=contract)
            digest, order_hash, body = ask(key, chain, contract, order).split(" ", 2)
            signable = encode_typed_data(full_message=typed_data(order, chain, contract))
            want_digest = keccak(b"\x19\x01" + signable.header + signable.body).hex()
            assert digest == want_digest.removeprefix("0x"), ("digest", digest, want_digest)
            assert order_hash == sdk.order_hash, ("order hash", order_hash, sdk.order_hash)
            want_body = json.dumps(sdk.to_dict(), separators=(",", ":"))
            assert body == want_body, ("body", body, want_body)
            passed += 1
        except Exception as exc:  # report every failing case, then fail the run
            failed += 1
            print(f"case {i} (chain {chain}): FAILED {exc!r}", file=sys.stderr)
    proc.stdin.close()
    proc.wait()
    print(f"crosscheck_orders: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

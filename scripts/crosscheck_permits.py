#!/usr/bin/env python3
"""Cross-checks signet's permits, approvals and redemptions against eth-account.

For random messages of the current SDK's three types (USDC `Permit`, CTF `SetApprovalForAll`
and `RedeemPositions`) on each chain, with random owners, counterparties, nonces and values up
to 2^256 - 1, deadlines up to 2^256 - 1 and index-set arrays of 0 to 8 elements, eth-account's
`encode_typed_data` and `Account.sign_typed_data` (what the SDK calls) give the digest and the
signature; signet's `sign_permit` example must give the same, and the relayer body the SDK
posts (r and s as 0x + 64 hex, v 27/28, uint256 as decimal strings) byte for byte.

Usage: crosscheck_permits.py PATH_TO_sign_permit [CASES]
"""
import json
import random
import secrets
import subprocess
import sys

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

CHAINS = {
    84532: ("0xF37B881F236033E55bF1cdAB628c7Cd88aAd89D4", "0xc5Eb8d9dE7c56CC600B9ed4E71318307C740f5ED",
            "0xf9065CCFF7025649F16D547DC341DAffF0C7F7f6", "Mock USDC", "1"),
    137: ("0xdB96C91d9e5930fE3Ed1604603CfA4ece454725c", "0xA86e521D596D626E2347875F1a4a23719dDaC0B6",
          "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359", "USD Coin", "2"),
    43114: ("0x893ca652525B1F9DC25189ED9c3AD0543ACfb989", "0xA86e521D596D626E2347875F1a4a23719dDaC0B6",
            "0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E", "USD Coin", "2"),
}
MAX = 2**256 - 1
DOMAIN = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
          {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}]
TYPES = {
    "Permit": [("owner", "address"), ("spender", "address"), ("value", "uint256"), ("nonce", "uint256"),
               ("deadline", "uint256")],
    "SetApprovalForAll": [("owner", "address"), ("operator", "address"), ("approved", "bool"),
                          ("nonce", "uint256"), ("deadline", "uint256")],
    "RedeemPositions": [("owner", "address"), ("collateralToken", "address"), ("parentCollectionId", "bytes32"),
                        ("conditionId", "bytes32"), ("indexSets", "uint256[]"), ("nonce", "uint256"),
                        ("deadline", "uint256")],
}


def big(rng: random.Random) -> int:
    return rng.choice([0, 1, MAX, rng.randint(0, 2**64), rng.randint(0, MAX)])


def address(rng: random.Random, known: str) -> str:
    return rng.choice([known, to_checksum_address("0x" + secrets.token_hex(20))])


def random_case(rng: random.Random) -> tuple:
    key = secrets.token_hex(32)
    owner = Account.from_key(key).address
    chain = rng.choice(list(CHAINS))
    settlement, ctf, usdc, usdc_name, usdc_version = CHAINS[chain]
    kind = rng.choice(list(TYPES))
    if kind == "Permit":
        message = {"owner": owner, "spender": address(rng, settlement), "value": big(rng), "nonce": big(rng),
                   "deadline": big(rng)}
        domain = {"name": usdc_name, "version": usdc_version, "chainId": chain, "verifyingContract": usdc}
    elif kind == "SetApprovalForAll":
        message = {"owner": owner, "operator": address(rng, settlement), "approved": rng.random() < 0.8,
                   "nonce": big(rng), "deadline": big(rng)}
        domain = {"name": "ConditionalTokensWithPermit", "version": "1", "chainId": chain, "verifyingContract": ctf}
    else:
        message = {"owner": owner, "collateralToken": address(rng, usdc),
                   "parentCollectionId": "0x" + rng.choice(["00" * 32, secrets.token_hex(32)]),
                   "conditionId": "0x" + secrets.token_hex(32),
                   "indexSets": [rng.choice([1, 2, 3, big(rng)]) for _ in range(rng.randint(0, 8))],
                   "nonce": big(rng), "deadline": big(rng)}
        domain = {"name": "ConditionalTokensWithPermit", "version": "1", "chainId": chain, "verifyingContract": ctf}
    return key, chain, kind, message, domain


def hex32(value: int) -> str:
    return "0x" + hex(value)[2:].zfill(64)


def sdk_body(chain: int, kind: str, message: dict, signed) -> dict:
    """The body the SDK posts for this message (client.py's request_* dicts)."""
    body = {"chainId": chain, "owner": message["owner"]}
    if kind == "Permit":
        body.update(spender=message["spender"], value=str(message["value"]))
    elif kind == "SetApprovalForAll":
        body.update(operator=message["operator"], approved=message["approved"])
    else:
        body.update(collateralToken=message["collateralToken"], parentCollectionId=message["parentCollectionId"],
                    conditionId=message["conditionId"], indexSets=[str(i) for i in message["indexSets"]])
    body.update(deadline=str(message["deadline"]), v=signed.v, r=hex32(signed.r), s=hex32(signed.s))
    return body


def main() -> int:
    binary, cases = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rng = random.Random(secrets.randbits(64))
    proc = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    failures, kinds, lengths = 0, {}, set()
    for _ in range(cases):
        key, chain, kind, message, domain = random_case(rng)
        typed = {"types": {"EIP712Domain": DOMAIN, kind: [{"name": n, "type": t} for n, t in TYPES[kind]]},
                 "primaryType": kind, "domain": domain, "message": message}
        signable = encode_typed_data(full_message=typed)
        digest = keccak(b"\x19" + signable.version + signable.header + signable.body).hex()
        signed = Account.sign_typed_data(key, full_message=typed)
        wire = {k: (str(v) if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in message.items()}
        if kind == "RedeemPositions":
            wire["indexSets"] = [str(i) for i in message["indexSets"]]
            lengths.add(len(message["indexSets"]))
        proc.stdin.write(json.dumps({"key": key, "chain_id": chain, "primary_type": kind, "message": wire}) + "\n")
        proc.stdin.flush()
        answer = proc.stdout.readline().strip()
        want_sig = "0x" + signed.signature.hex().removeprefix("0x")
        parts = answer.split(" ", 2)
        body = sdk_body(chain, kind, message, signed)
        ok = (len(parts) == 3 and parts[0] == digest.removeprefix("0x") and parts[1] == want_sig
              and parts[2] == json.dumps(body, separators=(",", ":")))
        if not ok:
            failures += 1
            print(f"MISMATCH {kind} on {chain}: {answer}\n  want {digest} {want_sig} {json.dumps(body, separators=(',', ':'))}")
        kinds[kind] = kinds.get(kind, 0) + 1
    proc.stdin.close()
    proc.wait()
    print(f"permits: {cases} random messages ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}; "
          f"index-set arrays of {min(lengths, default=0)} to {max(lengths, default=0)}) signed by signet as "
          f"eth-account signs them: {cases - failures} identical, {failures} different")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

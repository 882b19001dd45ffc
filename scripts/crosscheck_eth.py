#!/usr/bin/env python3
"""Cross-checks signet's personal_sign against eth-account for random keys and messages.

For each case, signet's `eth_sign` example signs a message (ASCII, non-ASCII, multi-line, long,
binary) with a random key; its address, EIP-191 hash and signature must equal eth-account's byte
for byte, and the signer it recovers must be the key's address.

Usage: crosscheck_eth.py PATH_TO_eth_sign [CASES]
"""
import random
import secrets
import subprocess
import sys

from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct


def message(rng: random.Random) -> bytes:
    kind = rng.randrange(5)
    if kind == 0:
        return "".join(rng.choice("abcXYZ 019:") for _ in range(rng.randint(0, 60))).encode()
    if kind == 1:
        return "".join(chr(rng.choice([rng.randint(0x80, 0x7FF), rng.randint(0x800, 0xD7FF), rng.randint(0x10000, 0x10FFFF)]))
                       for _ in range(rng.randint(1, 30))).encode()
    if kind == 2:
        return b"line one\nline two\n" * rng.randint(1, 5)
    if kind == 3:
        return b"x" * rng.randint(900, 5000)
    return secrets.token_bytes(rng.randint(0, 200))


def main() -> int:
    binary = sys.argv[1]
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    rng = random.Random(secrets.randbits(64))
    passed = failed = 0
    for i in range(cases):
        key = secrets.token_bytes(32)
        msg = message(rng)
        try:
            out = subprocess.run([binary, key.hex(), msg.hex()], check=True, capture_output=True, text=True).stdout
            got = dict(line.split(": ", 1) for line in out.splitlines())
            account = Account.from_key(key)
            signable = encode_defunct(primitive=msg)
            want = Account.sign_message(signable, key)
            assert got["address"] == account.address, (got["address"], account.address)
            assert got["hash"] == _hash_eip191_message(signable).hex().removeprefix("0x"), "hash differs"
            assert got["signature"] == "0x" + want.signature.hex().removeprefix("0x"), "signature differs"
            assert got["recovered"] == account.address
            assert Account.recover_message(signable, signature=bytes.fromhex(got["signature"][2:])) == account.address
            passed += 1
        except Exception as exc:  # report every failing case, then fail the run
            failed += 1
            print(f"case {i} (key {key.hex()[:8]}..., {len(msg)} bytes): FAILED {exc!r}", file=sys.stderr)
    print(f"crosscheck_eth: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Cross-checks signet's minted Turbine tokens against independent implementations.

For random keys and claims it runs signet's `mint_and_verify` example with fixed inputs and
checks that
  * the payload bytes equal the official SDK's serialisation
    (json.dumps(payload, separators=(",", ":"), sort_keys=True)),
  * the token's first part is exactly that payload in unpadded base64url,
  * PyNaCl's VerifyKey.verify accepts the signature, and it equals PyNaCl's own signature
    (Ed25519 is deterministic), and the public key equals PyNaCl's.

Usage: crosscheck_turbine.py PATH_TO_mint_and_verify [CASES]
"""
import base64
import json
import random
import secrets
import string
import subprocess
import sys

from nacl.signing import SigningKey, VerifyKey

KID_CHARS = "".join(c for c in string.printable if c not in '"\\' and 0x20 <= ord(c) < 0x7F)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def one_case(binary: str, rng: random.Random) -> None:
    seed = secrets.token_bytes(32)
    kid = "".join(rng.choice(KID_CHARS) for _ in range(rng.randint(1, 64)))
    ts = rng.choice([0, 1, 1735779017, rng.randint(-2**63, 2**63 - 1), rng.randint(0, 2**40)])
    nonce = secrets.token_hex(16)
    out = subprocess.run(
        [binary, "--seed", seed.hex(), "--kid", kid, "--ts", str(ts), "--nonce", nonce],
        check=True, capture_output=True, text=True,
    ).stdout
    lines = dict(line.split(": ", 1) for line in out.splitlines())

    sdk_payload = json.dumps({"kid": kid, "ts": ts, "n": nonce}, separators=(",", ":"), sort_keys=True)
    assert lines["payload"] == sdk_payload, (lines["payload"], sdk_payload)

    payload_b64, sig_b64 = lines["token"].split(".")
    assert payload_b64 == b64url(sdk_payload.encode()), "token payload differs from the SDK's bytes"
    signature = b64url_decode(sig_b64)
    assert b64url(signature) == sig_b64

    nacl_key = SigningKey(seed)
    assert lines["public-key"] == nacl_key.verify_key.encode().hex(), "public keys differ"
    VerifyKey(bytes.fromhex(lines["public-key"])).verify(sdk_payload.encode(), signature)
    assert nacl_key.sign(sdk_payload.encode()).signature == signature, "signature differs from PyNaCl's"
    assert lines["verified"].startswith(f"kid={kid} ts={ts} ")


def main() -> int:
    binary = sys.argv[1]
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    rng = random.Random(secrets.randbits(64))
    passed = failed = 0
    for i in range(cases):
        try:
            one_case(binary, rng)
            passed += 1
        except Exception as exc:  # report every failing case, then fail the run
            failed += 1
            print(f"case {i}: FAILED {exc!r}", file=sys.stderr)
    print(f"crosscheck_turbine: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Cross-checks signet's Bitzoom credentials against PyJWT and Python's urllib.

* JWT, both directions, for HS256, EdDSA and ES256K with random keys and claims: PyJWT decodes
  signet's tokens; signet verifies PyJWT's (whose ES256K signatures have high s half the time)
  and refuses them once expired and under another algorithm's key. Names hold characters outside
  the BMP, which PyJWT escapes as surrogate pairs.
* HMAC request signing: for random queries, methods and bodies, signet's signature equals one
  computed here from the documented rules with urllib's parse_qsl/urlencode, which also gives
  the canonical query. Where escapes decode to invalid UTF-8 (Python would substitute U+FFFD),
  signet must refuse with its typed error.

Usage: crosscheck_bitzoom.py PATH_TO_bitzoom [CASES]
"""
import hashlib
import hmac
import random
import secrets
import subprocess
import sys
from urllib.parse import parse_qsl, urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519


def run(binary, *args):
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout.strip()


def keys(alg):
    """(PyJWT signing key, PyJWT verifying key, signet private hex, signet public hex)."""
    if alg == "HS256":
        secret = secrets.token_bytes(32)
        return secret, secret, secret.hex(), secret.hex()
    if alg == "EdDSA":
        private = ed25519.Ed25519PrivateKey.generate()
        raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
        public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return private, private.public_key(), raw.hex(), public.hex()
    private = ec.generate_private_key(ec.SECP256K1())
    raw = private.private_numbers().private_value.to_bytes(32, "big")
    public = private.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
    return private, private.public_key(), raw.hex(), public.hex()


def jwt_case(binary, rng):
    alg = rng.choice(["HS256", "EdDSA", "ES256K"])
    sign_key, verify_key, private_hex, public_hex = keys(alg)
    iat = rng.randint(1_600_000_000, 1_900_000_000)
    claims = {"exp": iat + 86400, "iat": iat, "uid": str(rng.randint(1, 10**9)),
              "uname": "".join(rng.choice(["a", "b", "x", "0", "9", "_", "-", "é", "😀", "𝄞"]) for _ in range(rng.randint(1, 12)))}
    token = run(binary, "jwt-mint", alg, private_hex, str(claims["exp"]), str(iat), claims["uid"], claims["uname"])
    decoded = jwt.decode(token, verify_key, algorithms=[alg], options={"verify_exp": False, "verify_iat": False})
    assert decoded == claims, (decoded, claims)

    theirs = jwt.encode(claims, sign_key, algorithm=alg)
    got = run(binary, "jwt-verify", alg, public_hex, theirs, str(iat))
    assert got == f"ok {claims['exp']} {claims['uid']} {claims['uname']}", got
    assert run(binary, "jwt-verify", alg, public_hex, theirs, str(claims["exp"])).startswith("error -1002")
    other = "EdDSA" if alg != "EdDSA" else "HS256"
    _, _, _, other_public = keys(other)
    assert run(binary, "jwt-verify", other, other_public, theirs, str(iat)).startswith("error -1022")


def hmac_case(binary, rng):
    chars = "aAzZ09-_.~ +%&=*é/?#"
    pieces = ["".join(rng.choice(chars) for _ in range(rng.randint(0, 8))) for _ in range(rng.randint(0, 8))]
    query = "&".join(pieces)
    secret = secrets.token_hex(rng.randint(4, 32))
    recv = rng.choice(["", "5000", "60000"])
    timestamp = str(rng.randint(10**12, 2 * 10**12))
    nonce = secrets.token_hex(8)
    method = rng.choice(["get", "POST", "Delete", "WS"])
    path = "/api/v1/" + rng.choice(["orders", "balance", "order"])
    body = rng.choice([b"", b'{"symbol":"BTCUSDT"}', "grö\u00dfe ✓".encode(), secrets.token_bytes(20)])
    try:
        pairs = parse_qsl(query, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        # Python would substitute U+FFFD; signet refuses such a query instead.
        refused = subprocess.run([binary, "hmac-sign", secret, timestamp, "n", recv, "GET", "/p", query, ""],
                                 capture_output=True, text=True)
        assert refused.returncode != 0 and "does not decode to UTF-8" in refused.stderr, refused
        return
    canonical_query = urlencode(sorted(pairs))
    text = "\n".join([timestamp, nonce, recv, method.upper(), path, canonical_query, hashlib.sha256(body).hexdigest()])
    want = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    out = dict(line.split(" ", 1) if " " in line else (line, "") for line in
               run(binary, "hmac-sign", secret, timestamp, nonce, recv, method, path, query, body.hex()).splitlines())
    assert out["query"] == canonical_query, (query, out["query"], canonical_query)
    assert out["signature"] == want, (query, out["signature"], want)


def main():
    binary = sys.argv[1]
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    rng = random.Random(secrets.randbits(64))
    passed = failed = 0
    for i in range(cases):
        for name, case in (("jwt", jwt_case), ("hmac", hmac_case)):
            try:
                case(binary, rng)
                passed += 1
            except Exception as exc:  # report every failing case, then fail the run
                failed += 1
                print(f"{name} case {i}: FAILED {exc!r}", file=sys.stderr)
    print(f"crosscheck_bitzoom: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks what the QEMU firmware printed with independent libraries: its token with PyNaCl
(and the payload against the documented SDK's serialisation), its registration signature with
eth-account. Usage: check_firmware.py OUTPUT_FILE EXPECTED_TIME"""
import base64
import json
import sys

from eth_account import Account
from eth_account.messages import encode_defunct
from nacl.signing import VerifyKey


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main():
    path, expected_ts = sys.argv[1], int(sys.argv[2])
    lines = {}
    for line in open(path, encoding="utf-8"):
        key, sep, value = line.strip().partition(": ")
        if sep:
            lines[key] = value
    payload_text, signature_text = lines["token"].split(".")
    payload = b64url(payload_text)
    VerifyKey(bytes.fromhex(lines["public-key"])).verify(payload, b64url(signature_text))
    claims = json.loads(payload)
    assert claims["ts"] == expected_ts, claims
    assert payload == json.dumps(claims, separators=(",", ":"), sort_keys=True).encode(), payload
    print(f"firmware token: PyNaCl verifies it; kid {claims['kid']}, ts {claims['ts']}, nonce {claims['n']}")

    address = lines["registration-address"]
    message = encode_defunct(text=f"Register API key for Turbine: {address}")
    recovered = Account.recover_message(message, signature=lines["registration-signature"])
    assert recovered == address, (recovered, address)
    print(f"firmware registration signature: eth-account recovers {recovered}")


if __name__ == "__main__":
    main()

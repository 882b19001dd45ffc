#!/usr/bin/env python3
"""Prints the hostile tokens the QEMU firmware verifies to measure the verifier's stack
(embedded-adapter/qemu/src/hostile.rs holds the output): signed with the demo firmware's keys
by PyNaCl and Python's hmac, so the firmware needs no signing or encoding code of its own.

* TURBINE_FLAT: the SDK's compact payload: accepted (the baseline).
* TURBINE_DEEP: a payload nested to the JSON bound (depth 8) with escapes: accepted.
* TURBINE_BYPASS: the review's stray quote before 200 levels of nesting: refused as format.
* JWT_DEEP: HS256 claims nested to the bound, with a surrogate pair: accepted.
"""
import base64
import hashlib
import hmac

from nacl.signing import SigningKey


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


API_KEY_SEED = b"signet qemu demo api key seed 01"
JWT_SECRET = b"qemu demo jwt secret"
head = '{"kid":"qemu-demo-device","n":"00112233445566778899aabbccddeeff","ts":1795435200'
deep = (head + r',"note":"\ud83d\ude00 caf\u00e9","x":[[[[[{"y":[]}]]]]]}').encode()
bypass = (head + ',"x":1","y":' + "[" * 200).encode()
key = SigningKey(API_KEY_SEED)
flat = (head + "}").encode()
for name, payload in [("TURBINE_FLAT", flat), ("TURBINE_DEEP", deep), ("TURBINE_BYPASS", bypass)]:
    print(f'pub const {name}: &str = "{b64(payload)}.{b64(key.sign(payload).signature)}";')
header = b'{"alg":"HS256","typ":"JWT"}'
claims = rb'{"exp":1795438800,"uid":"1","uname":"\ud83d\ude00","x":[[[[[{"y":[]}]]]]]}'
signing_input = f"{b64(header)}.{b64(claims)}"
tag = hmac.new(JWT_SECRET, signing_input.encode(), hashlib.sha256).digest()
print(f'pub const JWT_DEEP: &str = "{signing_input}.{b64(tag)}";')

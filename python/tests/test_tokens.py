"""Tokens: PyNaCl verifies them, their payload is the SDK's byte for byte, the SDK's own
timestamp check accepts them; keys load as the SDK loads them; no secret in a repr."""

from __future__ import annotations

import base64
import json
import secrets
import time

import pytest
from nacl.signing import SigningKey, VerifyKey
from turbine_client.auth import BearerTokenAuth as SdkAuth
from turbine_client.auth import create_bearer_auth as sdk_bearer_auth
from turbine_client.auth import verify_token_timestamp

import signet_credentials as signet


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_tokens_verify_with_pynacl_and_match_the_sdk_payload() -> None:
    for _ in range(100):
        seed = secrets.token_bytes(32)
        key_id = secrets.token_hex(16)
        auth = signet.create_bearer_auth(key_id, seed.hex())
        token = auth.generate_token()
        payload_text, signature_text = token.split(".")
        assert "=" not in token
        payload = b64url(payload_text)
        VerifyKey(SigningKey(seed).verify_key.encode()).verify(payload, b64url(signature_text))
        claims = json.loads(payload)
        assert payload == json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
        assert claims["kid"] == key_id and abs(claims["ts"] - time.time()) <= 2
        assert len(claims["n"]) == 32 and int(claims["n"], 16) >= 0
        assert verify_token_timestamp(token)
        # The SDK's own token of the same key has the same shape.
        sdk_token = sdk_bearer_auth(key_id, seed.hex()).generate_token()
        assert sorted(json.loads(b64url(sdk_token.split(".")[0]))) == sorted(claims)
        assert auth.public_key == SigningKey(seed).verify_key.encode().hex()


def test_keys_load_as_the_sdk_loads_them_and_stay_secret() -> None:
    seed = secrets.token_bytes(32)
    full = seed + SigningKey(seed).verify_key.encode()
    for text in (seed.hex(), "0x" + seed.hex(), full.hex()):
        auth = signet.BearerTokenAuth(signet.ApiCredentials(key_id="k", private_key=text))
        assert auth.public_key == SigningKey(seed).verify_key.encode().hex()
        assert seed.hex() not in repr(auth) and seed.hex() not in repr(signet.ApiCredentials("k", text))
    assert isinstance(SdkAuth(signet.ApiCredentials("k", seed.hex())), SdkAuth)  # same dataclass fields
    for bad in ("zz", "00" * 31, "00" * 33):
        with pytest.raises(signet.AuthenticationError):
            signet.create_bearer_auth("k", bad)
    with pytest.raises(ValueError):
        signet.ApiCredentials(key_id="", private_key=seed.hex())
    header = signet.create_bearer_auth("k", seed.hex()).get_auth_header()
    assert list(header) == ["Authorization"] and header["Authorization"].startswith("Bearer ")
    assert issubclass(signet.AuthenticationError, signet.SignetError)
    assert signet.TurbineError is signet.SignetError

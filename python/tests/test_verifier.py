"""The verifier: a fresh token passes once; a replay, a wrong key, an expired token and no
header are refused with the documented texts and statuses; a FastAPI route behind it."""

from __future__ import annotations

import base64
import json
import pathlib
import secrets
import time

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

import signet_credentials as signet
from signet_credentials.fastapi import require_token


def sdk_style_token(key_id: str, seed: bytes, ts: int) -> str:
    """A token made as the SDK's documentation makes it, at time `ts`."""
    payload = json.dumps({"kid": key_id, "ts": ts, "n": secrets.token_hex(16)}, separators=(",", ":"), sort_keys=True).encode()
    signature = SigningKey(seed).sign(payload).signature
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return f"{b64(payload)}.{b64(signature)}"


def refusal(verifier: signet.Verifier, header: str | None) -> tuple[str, int]:
    with pytest.raises(signet.VerificationError) as refused:
        verifier.verify(header)
    return refused.value.message, refused.value.status


def test_documented_refusals() -> None:
    seed = secrets.token_bytes(32)
    key_id = secrets.token_hex(8)
    auth = signet.create_bearer_auth(key_id, seed.hex())
    verifier = signet.Verifier(keys={key_id: auth.public_key})
    header = auth.get_auth_header()["Authorization"]
    claims = verifier.verify(header)
    assert claims.key_id == key_id and abs(claims.ts - time.time()) <= 2 and len(claims.nonce) == 32
    assert refusal(verifier, header) == ("token already used", 401)
    other = signet.create_bearer_auth(key_id, secrets.token_bytes(32).hex())
    assert refusal(verifier, other.get_auth_header()["Authorization"]) == ("invalid signature", 401)
    stranger = signet.create_bearer_auth("unknown-key", seed.hex())
    assert refusal(verifier, stranger.get_auth_header()["Authorization"]) == ("API key not found", 401)
    old = sdk_style_token(key_id, seed, int(time.time()) - 400)
    assert refusal(verifier, "Bearer " + old) == ("token expired", 401)
    assert refusal(verifier, None) == ("missing authorization header", 401)
    assert refusal(verifier, "Token abc") == ("invalid authorization format", 401)
    # A token made the SDK's way passes too.
    assert verifier.verify("Bearer " + sdk_style_token(key_id, seed, int(time.time()))).key_id == key_id
    with pytest.raises(signet.ConfigError):
        signet.Verifier(replay_store="memcached://x")


def test_a_fastapi_route_behind_the_verifier() -> None:
    seed = secrets.token_bytes(32)
    auth = signet.create_bearer_auth("bot", seed.hex())
    verifier = signet.Verifier(keys={"bot": auth.public_key})
    app = FastAPI()

    @app.post("/orders")
    def place(claims: signet.Claims = Depends(require_token(verifier))) -> dict:
        return {"accepted_for": claims.key_id}

    client = TestClient(app)
    header = auth.get_auth_header()
    assert client.post("/orders", headers=header).json() == {"accepted_for": "bot"}
    replayed = client.post("/orders", headers=header)
    assert (replayed.status_code, replayed.json()) == (401, {"detail": "token already used"})
    assert client.post("/orders").status_code == 401
    # Two headers: refused as signet serve refuses them, not the first one taken.
    second = auth.get_auth_header()["Authorization"]
    twice = client.post("/orders", headers=[("authorization", second), ("authorization", "Bearer x")])
    assert (twice.status_code, twice.json()) == (400, {"detail": "repeated authorization header"})


def test_a_key_store_path_that_does_not_exist_is_refused_not_made(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "typo" / "keys.redb"
    with pytest.raises(signet.ConfigError, match="no key registry at"):
        signet.Verifier(key_store=f"redb:{missing}")
    assert not missing.exists() and not missing.parent.exists()


def test_a_registry_a_running_server_holds_is_refused_with_what_to_do(server: str, server_data: str) -> None:
    # redb gives a file to one process: say so, and name the shared setups that work.
    with pytest.raises(signet.ConfigError, match="open in another process.*PostgreSQL.*forward authentication"):
        signet.Verifier(key_store=f"redb:{server_data}/keys.redb")

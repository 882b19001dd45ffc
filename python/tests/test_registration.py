"""A key from Python with a wallet key, as the current SDK's `request_api_credentials` gets one:
its tokens pass; a bad key and an unreachable host are named in the error."""

from __future__ import annotations

import urllib.request

import pytest
from eth_account import Account

import signet_credentials as signet


def test_a_wallet_key_registers_and_its_tokens_pass(server: str) -> None:
    account = Account.create()
    creds = signet.request_api_credentials(server, account.key.hex(), name="python-bot")
    assert set(creds) == {"api_key_id", "api_private_key", "message"}
    auth = signet.create_bearer_auth(creds["api_key_id"], creds["api_private_key"])
    request = urllib.request.Request(server + "/auth", headers=auth.get_auth_header())
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    # Again for the same wallet: the SDK's 409, naming the key it has.
    with pytest.raises(signet.AuthenticationError, match=f"already exists for {account.address}. Key ID: {creds['api_key_id']}"):
        signet.request_api_credentials(server, account.key.hex())


def test_errors_name_what_is_wrong(server: str) -> None:
    with pytest.raises(signet.AuthenticationError, match="private_key"):
        signet.request_api_credentials(server, "0x1234")
    with pytest.raises(signet.AuthenticationError, match="registration at http://127.0.0.1:1 failed"):
        signet.request_api_credentials("http://127.0.0.1:1", Account.create().key.hex())

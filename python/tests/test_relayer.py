"""The current SDK's other messages: signet's wallet and the device sign USDC permits, CTF
approvals and redemptions exactly as eth-account's `sign_typed_data` does; the SDK client, with
signet's signer put in by `use_with`, sends them through `signet serve`'s relayer endpoints and
orders carry a permit and bot metadata; bodies built with eth-account as the current SDK builds
them are taken once, and refused when they are another wallet's or altered."""

from __future__ import annotations

import json
import random
import time
import urllib.request
from typing import Any, Dict, List, Tuple

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from turbine_client import TurbineClient
from turbine_client.types import Outcome

import signet_credentials as signet

from conftest import MARKET, register

CHAIN = 137
KNOWN = signet.contracts(CHAIN)


def reference(key: bytes, typed: Dict[str, Any]) -> Tuple[int, int, int]:
    signed = Account.sign_typed_data(key, full_message=typed)
    return signed.v, signed.r, signed.s


def random_message(rng: random.Random, owner: str) -> Dict[str, Any]:
    nonce, deadline = rng.randint(0, 2**64), rng.choice([rng.randint(1, 2**40), signet.MAX_UINT256])
    kind = rng.randrange(3)
    if kind == 0:
        value = rng.choice([rng.randint(0, 2**256 - 1), signet.MAX_UINT256, 12_500_000])
        return signet.usdc_permit(CHAIN, owner, Account.create().address, value, nonce, deadline)
    if kind == 1:
        return signet.ctf_approval(CHAIN, owner, Account.create().address, rng.random() < 0.5, nonce, deadline)
    sets = [rng.randint(1, 2**200) for _ in range(rng.randint(0, 8))]
    condition = "0x" + rng.randbytes(32).hex()
    return signet.redemption(CHAIN, owner, KNOWN.usdc, condition, sets, nonce, deadline)


def test_the_wallet_signs_typed_data_as_eth_account_does() -> None:
    rng = random.Random(7)
    for _ in range(60):
        account = Account.create()
        signer = signet.Signer(account.key.hex(), CHAIN)
        typed = random_message(rng, account.address)
        signed = signer.sign_typed_data(typed)
        assert (signed.v, signed.r, signed.s) == reference(account.key, typed), typed["primaryType"]


def test_typed_data_of_another_domain_or_type_is_refused() -> None:
    account = Account.create()
    signer = signet.Signer(account.key.hex(), CHAIN)
    typed = signet.usdc_permit(CHAIN, account.address, KNOWN.settlement, 1, 0, 2**40)
    with pytest.raises(signet.SignatureError, match="domain is not USD Coin 2"):
        signer.sign_typed_data({**typed, "domain": {**typed["domain"], "verifyingContract": KNOWN.ctf}})
    with pytest.raises(signet.SignatureError, match="not one signet signs"):
        signer.sign_typed_data({**typed, "primaryType": "Transfer"})
    with pytest.raises(signet.SignatureError, match="no contracts known for chain 1"):
        signet.usdc_permit(1, account.address, KNOWN.settlement, 1, 0, 2**40)


def test_the_device_shows_and_signs_typed_data_as_eth_account_does(simulated_device: str) -> None:
    device = signet.SigningDevice(simulated_device, chain_id=CHAIN, timeout=30)
    device.set_time()  # it refuses a message whose deadline it cannot judge
    owner, soon = device.address, int(time.time()) + 3600
    condition = "0x" + "5a" * 32
    shown = [
        signet.usdc_permit(CHAIN, owner, KNOWN.settlement, signet.MAX_UINT256, 0, signet.MAX_UINT256),
        signet.usdc_permit(CHAIN, owner, KNOWN.settlement, 12_500_000, 1, soon),
        signet.ctf_approval(CHAIN, owner, KNOWN.settlement, True, 0, soon),
        signet.redemption(CHAIN, owner, KNOWN.usdc, condition, [1], 1, soon),
    ]
    for typed in shown:
        signature = device.sign_typed_data(typed).signature
        recovered = Account.recover_message(encode_typed_data(full_message=typed), signature=signature)
        assert recovered == device.address, typed["primaryType"]
    # Eight index sets of 61 digits each do not fit its screen: it does not sign what it cannot show.
    unshowable = signet.redemption(CHAIN, owner, KNOWN.usdc, condition, [2**200 + i for i in range(8)], 2, soon)
    with pytest.raises(signet.SignatureError, match="cannot show all of it"):
        device.sign_typed_data(unshowable)


def relayed(server: str, auth: signet.BearerTokenAuth) -> List[Dict[str, Any]]:
    request = urllib.request.Request(server + "/api/v1/relayer/messages", headers=auth.get_auth_header())
    with urllib.request.urlopen(request, timeout=10) as answer:
        return list(json.loads(answer.read())["messages"])


def client_for(server: str) -> Tuple[Any, Any, signet.BearerTokenAuth]:
    account = Account.create()
    key_id, private_key = register(server, account)
    auth = signet.create_bearer_auth(key_id, private_key)
    client = signet.use_with(
        TurbineClient(host=server, chain_id=CHAIN), signer=signet.Signer(account.key.hex(), CHAIN), auth=auth
    )
    return client, account, auth


def test_the_sdk_clients_relayer_calls_go_through_signets_signer(server: str) -> None:
    client, account, auth = client_for(server)
    assert client.approve_usdc_for_settlement()["success"]
    assert client.approve_usdc(25_000_000)["success"]
    assert client.approve_ctf_for_settlement()["success"]
    kinds = [(m["kind"], m["nonce"]) for m in relayed(server, auth)]
    assert sorted(kinds) == [("ctf-approval", "0"), ("usdc-permit", "0"), ("usdc-permit", "1")]
    assert client.sync_permit_nonce() == 2


def test_an_order_carries_a_permit_and_bot_metadata(server: str) -> None:
    client, account, auth = client_for(server)
    first = client.sign_usdc_permit(8_025_000)
    second = client.sign_usdc_permit(8_025_000)
    assert (first.nonce, second.nonce) == (0, 1), "tracked locally, as the SDK does"
    order = client.create_limit_buy(
        market_id=MARKET, outcome=Outcome.YES, price=642_000, size=12_500_000, settlement_address=KNOWN.settlement
    )
    order.permit_signature = first
    order.bot_metadata = signet.BotMetadata(bot_id="bot-7", extra_fee_bps=15)
    body = order.to_dict()
    assert body["permitSignature"]["nonce"] == 0 and body["bot_metadata"] == {"bot_id": "bot-7", "extra_fee_bps": 15}
    assert client.post_order(order)["orderHash"] == order.order_hash
    assert [m["kind"] for m in relayed(server, auth)] == ["usdc-permit"], "the order's permit was kept"


def test_winnings_are_claimed_one_market_and_a_batch(server: str) -> None:
    client, account, auth = client_for(server)
    markets = ["0x" + f"{i:040x}" for i in (1, 2, 3)]

    def claim_data(resolved: List[bool]) -> Dict[str, Any]:
        # signet serve has no market data: what Turbine's claim-data endpoint answers.
        return {
            "markets": [
                {"market_address": m, "resolved": r, "winning_balance": "3000000", "ctf_address": KNOWN.ctf,
                 "collateral_token": KNOWN.usdc, "condition_id": "0x" + f"{i + 9:064x}", "winning_outcome": i % 2,
                 "ctf_nonce": "0"}  # fmt: skip
                for i, (m, r) in enumerate(zip(markets, resolved))
            ]
        }

    real_get = client._http.get

    def get(endpoint: str, params: Any = None, authenticated: bool = False) -> Any:
        if endpoint.endswith("/claim-data"):
            asked = params["markets"].split(",")
            data = claim_data([True, False, True])
            return {"markets": [m for m in data["markets"] if m["market_address"] in asked]}
        return real_get(endpoint, params=params, authenticated=authenticated)

    client._http.get = get
    assert client.claim_winnings(markets[0])["success"]
    with pytest.raises(ValueError, match="not resolved"):
        client.claim_winnings(markets[1])
    # The contract's nonce moved on with the first claim; the batch starts at the next.
    data = claim_data([True, False, True])
    for m in data["markets"]:
        m["ctf_nonce"] = "1"
    client._http.get = lambda e, params=None, authenticated=False: (
        {"markets": data["markets"]} if e.endswith("/claim-data") else real_get(e, params=params)
    )
    answer = client.batch_claim_winnings(markets)
    assert answer["success"] and len(answer["messages"]) == 2, "the unresolved market is skipped"
    assert sorted(m["nonce"] for m in relayed(server, auth)) == ["0", "1", "2"]


def sdk_permit_body(account: Any, nonce: int, value: int) -> Dict[str, Any]:
    """The body the current SDK's `approve_usdc` posts, built as it builds it (eth-account)."""
    deadline = int(time.time()) + 3600
    typed = signet.usdc_permit(CHAIN, account.address, KNOWN.settlement, value, nonce, deadline)
    v, r, s = reference(account.key, typed)
    return {"chainId": CHAIN, "owner": account.address, "spender": KNOWN.settlement, "value": str(value),
            "deadline": str(deadline), "v": v, "r": f"0x{r:064x}", "s": f"0x{s:064x}"}  # fmt: skip


def post(server: str, auth: signet.BearerTokenAuth, body: Dict[str, Any]) -> int:
    request = urllib.request.Request(
        server + "/api/v1/relayer/usdc-permit",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **auth.get_auth_header()},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def test_eth_account_bodies_are_taken_once_and_others_refused(server: str) -> None:
    _, account, auth = client_for(server)
    body = sdk_permit_body(account, 0, 5_000_000)
    assert post(server, auth, body) == 200
    assert post(server, auth, body) == 409, "the same permit again"
    assert post(server, auth, sdk_permit_body(Account.create(), 0, 5_000_000)) == 403, "another wallet's"
    tampered = {**sdk_permit_body(account, 1, 5_000_000), "value": "5000001"}
    assert post(server, auth, tampered) == 400, "altered after signing"
    assert post(server, auth, sdk_permit_body(account, 1, 5_000_000)) == 200, "the next nonce still free"

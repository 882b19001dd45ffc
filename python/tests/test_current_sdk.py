"""The current SDK's own relayer code (turbine-py-client at 782c939, signing with eth-account
and its raw key) against `signet serve`: what it posts is taken. PyPI carries only 0.1.0, which
has none of these methods; with it installed this module is skipped, saying so. To run it,
install the SDK from its repository (README: "The current SDK")."""

from __future__ import annotations

import pytest
from eth_account import Account
from turbine_client import TurbineClient
from turbine_client.types import Outcome

from conftest import MARKET, SETTLEMENT, register

if not hasattr(TurbineClient, "approve_usdc_for_settlement"):
    pytest.skip(
        "turbine-py-client 0.1.0 (PyPI) has no relayer methods; install the current SDK from its repository",
        allow_module_level=True,
    )

from turbine_client.types import BotMetadata  # noqa: E402  (0.1.0 has none)


def test_the_current_sdks_own_permits_approvals_and_orders_are_taken(server: str) -> None:
    account = Account.create()
    key_id, private_key = register(server, account)
    client = TurbineClient(
        host=server, chain_id=137, private_key=account.key.hex(), api_key_id=key_id, api_private_key=private_key
    )
    assert client.approve_usdc_for_settlement()["success"]
    assert client.approve_usdc(25_000_000)["success"]
    assert client.approve_ctf_for_settlement()["success"]
    assert client.sync_permit_nonce() == 2
    permit = client.sign_usdc_permit(8_025_000)
    order = client.create_limit_buy(
        market_id=MARKET,
        outcome=Outcome.YES,
        price=642_000,
        size=12_500_000,
        settlement_address=SETTLEMENT,
        bot_metadata=BotMetadata(bot_id="bot-7", extra_fee_bps=15),
    )
    order.permit_signature = permit
    assert client.post_order(order)["orderHash"] == order.order_hash
    assert client.sync_permit_nonce() == 3, "the order's permit took USDC nonce 2"

"""The official SDK's own client places, lists and cancels orders against `signet serve` with
signet's signer and auth in place of its own."""

from __future__ import annotations

from eth_account import Account
from turbine_client import TurbineClient
from turbine_client.types import Outcome, Side

import signet_credentials as signet

from conftest import MARKET, SETTLEMENT, register


def test_the_sdk_client_trades_with_signets_signer_and_auth(server: str) -> None:
    account = Account.create()
    key_id, private_key = register(server, account)
    client = signet.use_with(
        TurbineClient(host=server, chain_id=137),
        signer=signet.Signer(account.key.hex(), 137),
        auth=signet.create_bearer_auth(key_id, private_key),
    )
    assert client.can_sign and client.has_auth and client.address == account.address
    # The settlement contract given: the current SDK would otherwise read it from a `MarketStats`,
    # which has none (its bug at 782c939).
    order = client.create_limit_buy(
        market_id=MARKET, outcome=Outcome.YES, price=642_000, size=12_500_000, settlement_address=SETTLEMENT
    )
    answer = client.post_order(order)
    assert answer["orderHash"] == order.order_hash
    listed = client.get_orders(trader=account.address, status="open")
    assert [o.order_hash for o in listed] == [order.order_hash]
    assert client.get_order(order.order_hash).order_hash == order.order_hash
    client.cancel_order(order.order_hash, market_id=MARKET, side=Side.BUY)
    assert client.get_orders(trader=account.address, status="open") == []

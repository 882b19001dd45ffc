"""The signing device (the simulated one, on a pseudo-terminal, running the real device loop)
stands in for the SDK's signer and auth: it registers, its tokens pass, and the order it signs
is accepted by `signet serve`."""

from __future__ import annotations

import urllib.request

from turbine_client import TurbineClient
from turbine_client.types import Outcome

import signet_credentials as signet

from conftest import MARKET, SETTLEMENT


def test_the_device_registers_mints_and_signs_an_order_the_server_accepts(server: str, simulated_device: str) -> None:
    device = signet.SigningDevice(simulated_device, chain_id=137, timeout=30)
    device.set_time()  # a new device's clock has no time yet
    assert device.api_key_id() is None
    key_id = device.register(server, name="python-device")
    assert device.api_key_id() == key_id
    request = urllib.request.Request(server + "/auth", headers=device.get_auth_header())
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    client = signet.use_with(TurbineClient(host=server, chain_id=137), signer=device, auth=device)
    # The settlement contract given: the current SDK would otherwise read it from a `MarketStats`,
    # which has none (its bug at 782c939).
    order = client.create_limit_buy(
        market_id=MARKET, outcome=Outcome.NO, price=358_000, size=2_000_000, settlement_address=SETTLEMENT
    )
    assert order.trader == device.address
    assert client.post_order(order)["orderHash"] == order.order_hash
    assert str(device.address) in repr(device)

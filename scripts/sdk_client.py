#!/usr/bin/env python3
"""The official Turbine SDK (turbine-py-client 0.1.0, from PyPI) against `signet serve`, as a new
user would run it: register a wallet's API key (the documented personal_sign request; the SDK
has no registration call), then with the SDK's TurbineClient: get_health, create_limit_buy
(which fetches the market's settlement contract and signs EIP-712) and post_order, get_orders,
get_order, get_user_orders, cancel_order, cancel_market_orders. Also what must be refused: an
order changed after signing (400), another trader's order under this key (403), a second copy
(409), a cancel of someone else's order (404, as a read of it). A size above 2^64 survives the round trip.

Usage: sdk_client.py PATH_TO_signet
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from eth_account import Account
from eth_account.messages import encode_defunct
from turbine_client import TurbineClient
from turbine_client.exceptions import TurbineApiError
from turbine_client.types import Outcome, Side

SIGNET = sys.argv[1]
RESULTS = []
MARKET = "0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928"
POLYGON_SETTLEMENT = "0xdB96C91d9e5930fE3Ed1604603CfA4ece454725c"


def private_log(path):
    """The server's log file in its data folder, owner-only (signet serve refuses a data
    folder holding anything other users can read)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a")


def check(ok, what):
    RESULTS.append(bool(ok))
    print(f"{'ok  ' if ok else 'FAIL'} {what}")


def refused(call, status):
    """True if `call` raises the SDK's API error with `status`."""
    try:
        call()
    except TurbineApiError as error:
        return error.status_code == status
    return False


def register(base, account):
    message = f"Register API key for Turbine: {account.address}"
    signature = Account.sign_message(encode_defunct(text=message), account.key).signature.hex()
    body = json.dumps({"address": account.address, "signature": "0x" + signature.removeprefix("0x")}).encode()
    request = urllib.request.Request(base + "/api/v1/api-keys", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    return answer["api_key_id"], answer["api_private_key"]


def start(data, *extra):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([SIGNET, "serve", "--init", "--listen", f"127.0.0.1:{port}", "--data", data, *extra],
                               stdout=subprocess.DEVNULL, stderr=private_log(os.path.join(data, "server.log")))
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/health", timeout=1).read()
            return base, process
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError("signet serve did not start")


def sdk_client(base, account, kid, secret):
    return TurbineClient(host=base, chain_id=137, private_key=account.key.hex(), api_key_id=kid, api_private_key=secret)


def main():
    data = tempfile.mkdtemp()
    base, process = start(data)
    try:
        alice, bob = Account.create(), Account.create()
        client = sdk_client(base, alice, *register(base, alice))
        other = sdk_client(base, bob, *register(base, bob))

        health = client.get_health()
        check(isinstance(health, dict), f"get_health -> {health}")
        market = client.get_market(MARKET)
        check(market.settlement_address == POLYGON_SETTLEMENT and market.chain_id == 137,
              f"get_market: chain {market.chain_id}, settlement {market.settlement_address}")

        order = client.create_limit_buy(market_id=MARKET, outcome=Outcome.YES, price=642_000, size=12_500_000)
        answer = client.post_order(order)
        check(answer.get("orderHash") == order.order_hash, f"create_limit_buy + post_order accepted: {order.order_hash}")

        orders = client.get_orders(trader=alice.address, market_id=MARKET, status="open")
        check([o.order_hash for o in orders] == [order.order_hash], f"get_orders(trader, market_id, status=open) -> {len(orders)}")
        got = client.get_order(order.order_hash)
        check((got.trader, got.side, got.outcome, got.price, got.size, got.nonce, got.expiration, got.status,
               got.remaining_size, got.filled_size)
              == (alice.address, 0, 0, 642_000, 12_500_000, order.nonce, order.expiration, "open", 12_500_000, 0),
              "get_order returns the fields Order.from_dict reads")
        check([o.order_hash for o in client.get_user_orders(alice.address)] == [order.order_hash], "get_user_orders")

        huge = client.create_limit_sell(market_id=MARKET, outcome=Outcome.NO, price=1, size=2**70 + 7)
        client.post_order(huge)
        check(client.get_order(huge.order_hash).size == 2**70 + 7, "a size above 2^64 round-trips exactly")

        tampered = client.create_limit_buy(market_id=MARKET, outcome=Outcome.NO, price=100_000, size=1_000_000)
        tampered.price = 900_000
        check(refused(lambda: client.post_order(tampered), 400), "an order changed after signing -> 400")
        bobs = other.create_limit_buy(market_id=MARKET, outcome=Outcome.YES, price=500_000, size=1_000_000)
        check(refused(lambda: client.post_order(bobs), 403), "bob's signed order under alice's key -> 403")
        other.post_order(bobs)
        check(refused(lambda: other.post_order(bobs), 409), "the same order again -> 409")
        check(refused(lambda: client.cancel_order(bobs.order_hash), 404), "alice cancelling bob's order -> 404, as GET answers")

        client.cancel_order(order.order_hash, market_id=MARKET, side=Side.BUY)
        check(client.get_order(order.order_hash).status == "cancelled", "cancel_order(hash, market_id, side) -> cancelled")
        check(refused(lambda: client.cancel_order(order.order_hash), 409), "cancelling it again -> 409")
        cleared = client.cancel_market_orders(MARKET)
        check(cleared.get("orderHashes") == [huge.order_hash], f"cancel_market_orders -> {cleared.get('cancelled')}")
        check(other.get_order(bobs.order_hash).status == "open", "bob's order untouched")
        # Their keep-alive connections closed, the server stops at once (it waits for open ones).
        client.close()
        other.close()
    finally:
        process.terminate()
        process.wait(timeout=30)

    # A server on Base Sepolia with its own settlement contract: the SDK (whose 0.1.0 release
    # has no contract for that chain) signs in the domain the market names, and is accepted.
    contract = "0xdfd2740C838420b38b30ebB49a04f94DFc4284B7"
    data = tempfile.mkdtemp()
    base, process = start(data, "--chain-id", "84532", "--settlement-contract", contract)
    try:
        carol = Account.create()
        kid, secret = register(base, carol)
        client = TurbineClient(host=base, chain_id=84532, private_key=carol.key.hex(), api_key_id=kid, api_private_key=secret)
        order = client.create_limit_sell(market_id="0x1f", outcome=Outcome.NO, price=10, size=3_000_000)
        accepted = client.post_order(order)
        check(accepted.get("orderHash") == order.order_hash and client.get_market("0x1f").settlement_address == contract,
              "serve --chain-id 84532 --settlement-contract: the SDK signs in the market's domain, accepted")
        mainnet = sdk_client(base, carol, kid, secret)
        wrong = mainnet.create_limit_buy(market_id="0x1f", outcome=Outcome.YES, price=10, size=1_000_000)
        check(refused(lambda: mainnet.post_order(wrong), 400), "the same wallet signing for chain 137 -> 400")
        client.close()
        mainnet.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    passed = sum(RESULTS)
    print(f"sdk_client: {passed} passed, {len(RESULTS) - passed} failed")
    return 0 if RESULTS and all(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())

"""What the tests share: a `signet serve` on loopback, wallet registration as the documented
flow does it (eth-account's `personal_sign`), and the simulated signing device."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, Tuple

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

ROOT = Path(__file__).resolve().parents[2]
SIGNET = os.environ.get("SIGNET_BIN", str(ROOT / "target" / "debug" / "signet"))
SIMULATED_DEVICE = os.environ.get(
    "SIGNET_SIM_DEVICE", str(ROOT / "target" / "debug" / "examples" / "simulated_device")
)
MARKET = "0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928"
#: Polygon's settlement contract.
SETTLEMENT = "0xdB96C91d9e5930fE3Ed1604603CfA4ece454725c"


def _binary(path: str, build: str) -> str:
    if not os.path.isfile(path):
        pytest.fail(f"{path} is missing: run `{build}` first (or set the variable naming it)")
    return path


_DATA: Dict[str, str] = {}


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A `signet serve` on a free loopback port; its base URL."""
    binary = _binary(SIGNET, "cargo build -p signet-cli")
    data = tempfile.mkdtemp()  # mode 700, as signet serve requires
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    process = subprocess.Popen(
        [binary, "serve", "--listen", f"127.0.0.1:{port}", "--data", data, "--log-level", "warn"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    _DATA[base] = data
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/health", timeout=1).read()
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("signet serve did not start")
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture()
def server_data(server: str) -> str:
    """The data folder of the `server` fixture's `signet serve`."""
    return _DATA[server]


def post(url: str, body: Dict[str, object]) -> Tuple[int, Dict[str, object]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def register(base: str, account: "Account") -> Tuple[str, str]:
    """Registers `account`'s wallet the documented way; `(api_key_id, api_private_key)`."""
    message = f"Register API key for Turbine: {account.address}"
    signature = Account.sign_message(encode_defunct(text=message), account.key).signature.hex()
    signature = signature if signature.startswith("0x") else "0x" + signature
    status, body = post(base + "/api/v1/api-keys", {"address": account.address, "signature": signature})
    assert status == 200, body
    return str(body["api_key_id"]), str(body["api_private_key"])


@pytest.fixture()
def simulated_device() -> Iterator[str]:
    """A simulated signet device on a pseudo-terminal (signet-std's example): the port."""
    binary = _binary(SIMULATED_DEVICE, "cargo build -p signet-std --features device --example simulated_device")
    process = subprocess.Popen([binary], stdout=subprocess.PIPE, stderr=None, text=True)
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    assert port, "simulated_device printed no port"
    yield port
    process.kill()
    process.wait(timeout=10)

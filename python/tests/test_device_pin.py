"""A device PIN from Python: the simulated device (the real device loop) prints its display, so
the test reads the scrambled grid as its user would, sets a PIN with `signet device change-pin`,
locks it, and unlocks it with `SigningDevice.unlock` typing positions, never the PIN."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
from typing import Iterator, List

import pytest

import signet_credentials as signet
from conftest import SIGNET, SIMULATED_DEVICE, _binary

PIN = "2589"
#: Keypad positions of a grid's digits as the display lists them, top row first.
ORDER = [7, 8, 9, 4, 5, 6, 1, 2, 3]


class Shown:
    """The lines the simulated device's display showed, as they come."""

    def __init__(self, process: "subprocess.Popen[str]") -> None:
        self.lines: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: "subprocess.Popen[str]") -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("display: "):
                self.lines.put(line.removeprefix("display: ").rstrip("\n"))

    def positions(self, pin: str) -> str:
        """The positions of `pin`'s digits on the next grid the device shows."""
        while True:
            text = self.lines.get(timeout=30)
            digits = re.findall(r"\d", text[16:])
            if len(digits) == 9 and not re.search(r"\d", text[:16]):
                at = {digit: ORDER[k] for k, digit in enumerate(digits)}
                return "".join(str(at[d]) for d in pin)


@pytest.fixture()
def shown_device() -> Iterator[tuple[str, Shown]]:
    binary = _binary(SIMULATED_DEVICE, "cargo build -p signet-std --features device --example simulated_device")
    process = subprocess.Popen([binary], stdout=subprocess.PIPE, text=True, env={**os.environ, "SIGNET_SIM_SHOW": "1"})
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    yield port, Shown(process)
    process.kill()
    process.wait(timeout=10)


def cli(port: str, args: List[str], shown: Shown, pins: List[str]) -> "subprocess.CompletedProcess[str]":
    child = subprocess.Popen([SIGNET, "device", "--port", port, "--timeout", "30", "--json", *args],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdin is not None
    for pin in pins:
        child.stdin.write(shown.positions(pin) + "\n")
        child.stdin.flush()
    out, err = child.communicate(timeout=60)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def test_a_locked_device_unlocks_with_positions_typed_for_its_grid(shown_device: tuple[str, Shown]) -> None:
    port, shown = shown_device
    # The port is opened exclusively: the command first, then the Python client.
    assert cli(port, ["change-pin"], shown, [PIN, PIN]).returncode == 0
    assert cli(port, ["lock"], shown, []).returncode == 0
    device = signet.SigningDevice(port)
    assert device.pin_status().locked
    with pytest.raises(signet.DeviceError, match="the device is locked"):
        device.set_time()
    asked: List[str] = []

    def wrong(purpose: str) -> str:
        asked.append(purpose)
        return shown.positions("1111")

    with pytest.raises(signet.DeviceError, match="wrong PIN: 15 tries left"):
        device.unlock(wrong)
    assert asked == ["current"]
    status = device.unlock(lambda purpose: shown.positions(PIN))
    assert (status.locked, status.failures, status.tries_left) == (False, 0, 16)
    device.set_time()  # refused while locked, done now
    # Nothing typed: cancelled, nothing counted.
    with pytest.raises(signet.DeviceError, match="no PIN positions given"):
        device.unlock(lambda purpose: None)
    assert device.pin_status().failures == 0

"""The device PIN end to end on the Raspberry Pi Pico firmware in the rp2040js emulator, read off
its emulated display as a user would:

1. `signet device change-pin`: the positions of the PIN's digits on each scrambled grid the
   display shows (twice), then the press.
2. `signet device restore` of a known mnemonic and `signet device register` with a registration
   server that issues a known API seed, so the flash can be searched for both.
3. `signet device lock`; the Python package's `SigningDevice.unlock` with a wrong PIN (refused:
   15 tries left), a second wrong one (the device waits 1 s of its own time first, said on its
   display), then the right one; the emulated time of a PIN check is printed (the board's
   iteration count is chosen from it).
4. A restart: the device comes up locked; the flash image holds neither the account key nor the
   API seed in the clear (its public address, stored in the clear, is found: the search works).

Usage: pico_pin_e2e.py SIGNET_BINARY UF2 FONT_FILE (the Python with signet_credentials installed)
"""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from eth_account import Account

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pico_emulator_e2e import Harness, fail  # noqa: E402

import signet_credentials as signet  # noqa: E402

PIN = "2589"
WORDS = "legal winner thank year wave sausage worth useful legal winner thank yellow"
SEED = bytes(range(32))
#: Keypad positions of a grid's digits as the display lists them, top row first.
ORDER = [7, 8, 9, 4, 5, 6, 1, 2, 3]


class Registrar(http.server.BaseHTTPRequestHandler):
    """Turbine's registration endpoint, issuing the known seed (the test then looks for it)."""

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.dumps({"api_key_id": "pico-pin", "api_private_key": SEED.hex()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


def positions(harness: Harness, seen: int, pin: str) -> tuple[str, int]:
    """The positions of `pin` on the first grid shown after `seen` display lines."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        shown = harness.displayed()
        for i in range(seen, len(shown)):
            digits = re.findall(r"\d", shown[i][16:])
            if len(digits) == 9 and not re.search(r"\d", shown[i][:16]):
                at = {digit: ORDER[k] for k, digit in enumerate(digits)}
                return "".join(str(at[d]) for d in pin), i + 1
        time.sleep(0.05)
    fail("no PIN grid on the display")
    return "", seen


def cli(signet_bin: str, harness: Harness, args: list[str], pins: list[str], stdin: str = "") -> dict:
    child = subprocess.Popen([signet_bin, "device", "--port", harness.port, "--timeout", "600", "--json", *args],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdin is not None
    seen = len(harness.displayed())
    for pin in pins:
        typed, seen = positions(harness, seen, pin)
        child.stdin.write(typed + "\n")
        child.stdin.flush()
    out, err = child.communicate(stdin or None, timeout=900)
    if child.returncode != 0:
        fail(f"signet device {' '.join(args)}: {err.strip()}")
    return json.loads(out)


def main() -> None:
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    signet_bin, uf2, font_file = sys.argv[1:]
    font = Path(font_file).read_text().strip()
    Account.enable_unaudited_hdwallet_features()
    account = Account.from_mnemonic(WORDS, account_path="m/44'/60'/0'/0/0")
    registrar = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registrar)
    threading.Thread(target=registrar.serve_forever, daemon=True).start()
    host = f"http://127.0.0.1:{registrar.server_address[1]}"
    work = Path(tempfile.mkdtemp(prefix="signet-pico-pin-"))
    flash = str(work / "flash.bin")
    harness = Harness(uf2, flash, font)
    try:
        status = cli(signet_bin, harness, ["change-pin"], [PIN, PIN])
        if not status["pin_set"] or status["locked"]:
            fail(f"after change-pin: {status}")
        words = work / "words.txt"
        words.write_text(WORDS + "\n")
        restored = cli(signet_bin, harness, ["restore", "--words-file", str(words)], [])
        if restored["address"] != account.address:
            fail(f"restored {restored['address']}, eth-account derives {account.address}")
        cli(signet_bin, harness, ["set-time"], [])
        cli(signet_bin, harness, ["register", "--host", host], [])
        cli(signet_bin, harness, ["lock"], [])
        print(f"PIN set on two grids, wallet {account.address} restored, key pico-pin installed, locked")

        device = signet.SigningDevice(harness.port, timeout=600)
        seen = len(harness.displayed())

        def typed(pin: str):  # type: ignore[no-untyped-def]
            def answer(purpose: str) -> str:
                nonlocal seen
                if purpose != "current":
                    fail(f"unlock asked for {purpose}")
                text, seen = positions(harness, seen, pin)
                return text
            return answer

        try:
            device.unlock(typed("1111"))
            fail("a wrong PIN unlocked the device")
        except signet.DeviceError as e:
            if "wrong PIN: 15 tries left" not in str(e):
                fail(f"a wrong PIN answered {e}")
        try:
            device.unlock(typed("1112"))
            fail("a wrong PIN unlocked the device")
        except signet.DeviceError as e:
            if "wrong PIN: 14 tries left" not in str(e) or "waits 3 s" not in str(e):
                fail(f"the second wrong PIN answered {e}")
        if "Wrong PINs before: waiting 1 s" not in harness.displayed():
            fail("the device did not wait before the second check")
        status = device.unlock(typed(PIN))
        if status.locked or status.failures != 0 or status.tries_left != 16:
            fail(f"the right PIN left {status}")
        if not device.generate_token():
            fail("no token after the unlock")
        checks = [line for line in harness.log if line.startswith("pin check: ")]
        print(f"SigningDevice.unlock: two wrong PINs refused (15, then 14 tries left; waited 1 s on the device), "
              f"the right one unlocked; {checks[-1]} of emulated RP2040 time")
        del device
        harness.stop()

        harness = Harness(uf2, flash, font)
        info = cli(signet_bin, harness, ["info"], [])
        if not info["pin"]["locked"] or info["address"] != account.address:
            fail(f"after a restart the device says {info}")
        image = Path(flash).read_bytes()
        key = bytes(account.key)
        if key in image or SEED in image:
            fail("the account key or the API seed is in the flash image in the clear")
        if bytes.fromhex(account.address[2:]) not in image:
            fail("the address (stored in the clear) is not found: the search itself is wrong")
        print(f"restart: locked at power-up; the {len(image)}-byte flash image holds neither the account key "
              f"nor the API seed in the clear (its address is found)")
        print("pico PIN end to end: passed")
    finally:
        harness.stop()
        registrar.shutdown()


if __name__ == "__main__":
    main()

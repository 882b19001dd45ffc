#!/usr/bin/env python3
"""The Pico firmware end to end in the rp2040js emulator, driven by the real `signet` CLI.

Starts `signet serve` on loopback and the emulator harness (embedded-adapter/boards/pico/emulator)
with the UF2 image; bridges the emulated USB serial port (TCP) to a pseudo-terminal, the path
`signet device --port` opens. Then, as a user would:

1. `device init`: the firmware makes a wallet from its ring-oscillator seed, shows the backup
   words on the modelled SSD1306 (the harness decodes the pixels) and asks two back (the
   harness presses only on the right word). The address the device reports is checked against
   eth-account's derivation from the words read off the display.
2. `device set-time` (the DS3231 model's registers written), `device register --host`: the
   wallet registers with signet serve, the issued key is installed on the device.
3. `device token`: a token signet serve's /auth accepts.
4. `device sign-order --host`: the order summary the display showed must equal the CLI's; the
   server verifies the EIP-712 signature and accepts the order. A second order's summary is
   longer than a screen: the display must page it whole before the harness presses.
5. `signet permit --value unlimited --deadline never --device`: the device shows the permit, then
   the warning (UNLIMITED, never expires) that takes a second press; both screens are checked
   against the display's decoded text, and signet serve accepts the permit (the device's own key
   mints the token once it has signed). `signet approve --device` likewise, with one press.
6. The emulator stops and starts again over the same flash contents (a power cycle): the device
   still holds its wallet and API key and mints a token the server accepts.
7. The power goes during a key install (registering with a second server), once after the first
   of the new record's two 256-byte pages (a torn record) and once after its last: at the next
   start the device loads the old state in the first case and the new key in the second (whose
   token the server accepts).

Usage: pico_emulator_e2e.py SIGNET_BIN FIRMWARE.uf2 FONT8X8_LEGACY_RS
"""

import json
import os
import queue
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tty
import urllib.request
from pathlib import Path

from eth_account import Account

HARNESS = Path(__file__).resolve().parent.parent / "embedded-adapter" / "boards" / "pico" / "emulator" / "harness.mjs"
MARKET = "0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928"
# Each step's limit in wall-clock seconds: the emulator runs the M0+ at about a fifth of real speed.
STEP_SECONDS = 600


def fail(message: str) -> None:
    raise SystemExit(f"pico e2e: {message}")


class Harness:
    """The emulator process, its event lines, and the pty bridge to its USB serial port."""

    def __init__(self, uf2: str, flash: str, font: str, power_cut_after: int | None = None) -> None:
        cut = [] if power_cut_after is None else ["--power-cut-after", str(power_cut_after)]
        self.proc = subprocess.Popen(
            ["node", str(HARNESS), "--uf2", uf2, "--flash", flash, "--font", font, "--max-seconds", "1500", *cut],
            stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        address = self.wait_for("usb-serial ", 60).split(" ", 1)[1]
        self.wait_for("usb connected", 120)
        host, port = address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)))
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.port = os.ttyname(slave)
        self.slave = slave  # held open so the master never sees a hang-up between commands
        self.running = True
        threading.Thread(target=self._bridge, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.log.append(line)
            print(f"  emulator: {line}", flush=True)
            self.lines.put(line)

    def _bridge(self) -> None:
        while self.running:
            ready, _, _ = select.select([self.master, self.sock], [], [], 0.2)
            try:
                if self.master in ready:
                    self.sock.sendall(os.read(self.master, 4096))
                if self.sock in ready:
                    data = self.sock.recv(4096)
                    if not data:
                        return
                    os.write(self.master, data)
            except OSError:
                return

    def wait_for(self, prefix: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    fail(f"the emulator exited ({self.proc.returncode}) before '{prefix}'")
                continue
            if line.startswith("fatal:"):
                fail(f"emulator: {line}")
            if line.startswith(prefix):
                return line
        fail(f"no '{prefix}' from the emulator in {seconds} s")
        return ""

    def displayed(self) -> list[str]:
        return [line.removeprefix("display: ") for line in self.log if line.startswith("display: ")]

    def stop(self) -> None:
        self.running = False
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(30)
        self.sock.close()
        os.close(self.master)
        os.close(self.slave)


def device(signet: str, port: str, *args: str) -> dict:
    started = time.monotonic()
    out = subprocess.run([signet, "device", "--port", port, "--timeout", str(STEP_SECONDS), "--json", *args],
                         capture_output=True, text=True, timeout=STEP_SECONDS + 30)
    print(f"  signet device {args[0]}: {time.monotonic() - started:.1f} s", flush=True)
    if out.returncode != 0:
        fail(f"signet device {' '.join(args)}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def relayer(signet: str, port: str, host: str, *args: str) -> dict:
    """`signet ARGS --device PORT --host HOST --json` (permit, approve, redeem)."""
    started = time.monotonic()
    out = subprocess.run([signet, *args, "--device", port, "--device-timeout", str(STEP_SECONDS), "--host", host,
                          "--json"], capture_output=True, text=True, timeout=STEP_SECONDS + 30)
    print(f"  signet {args[0]}: {time.monotonic() - started:.1f} s", flush=True)
    if out.returncode != 0:
        fail(f"signet {' '.join(args)}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def accepted(host: str, token: str) -> bool:
    request = urllib.request.Request(f"{host}/auth", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False


def start_serve(signet: str, data: Path, servers: list[subprocess.Popen[bytes]]) -> str:
    """A `signet serve` on a free loopback port with its data in `data`; its base URL."""
    log = open(data.with_suffix(".log"), "w+")
    servers.append(subprocess.Popen([signet, "serve", "--init", "--listen", "127.0.0.1:0", "--data", str(data)],
                                    stderr=log, stdout=subprocess.DEVNULL))
    for _ in range(400):
        log.seek(0)
        for line in log:
            if line.startswith("signet serve: listening on "):
                return line.split("listening on ", 1)[1].strip()
        time.sleep(0.05)
    fail("signet serve did not start")
    return ""


def main() -> None:
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    signet, uf2, font = sys.argv[1:]
    Account.enable_unaudited_hdwallet_features()
    work = Path(tempfile.mkdtemp(prefix="signet-pico-"))
    flash = str(work / "flash.bin")
    servers: list[subprocess.Popen[bytes]] = []
    harness = None
    try:
        host = start_serve(signet, work / "data", servers)
        harness = Harness(uf2, flash, font)
        started = time.monotonic()
        made = device(signet, harness.port, "init", "--words", "12", "--no-pin")
        words: dict[int, str] = {}
        for text in harness.displayed():
            if text.startswith("Backup words "):
                for item in text.split(": ", 1)[1].split(" "):
                    position, word = item.split(".")
                    words[int(position)] = word
        if sorted(words) != list(range(1, 13)):
            fail(f"the display showed words {sorted(words)}, not 1-12")
        mnemonic = " ".join(words[i] for i in range(1, 13))
        derived = Account.from_mnemonic(mnemonic, account_path="m/44'/60'/0'/0/0").address
        if made["address"] != derived:
            fail(f"device address {made['address']} but the displayed words derive {derived}")
        print(f"wallet: {derived} from the 12 words shown on the display (eth-account agrees)")

        device(signet, harness.port, "set-time")
        registered = device(signet, harness.port, "register", "--host", host)
        kid = registered["api_key_id"]
        token = device(signet, harness.port, "token")["token"]
        if not accepted(host, token):
            fail("signet serve refused the device's token")
        print(f"registered: key {kid}; a device token accepted by signet serve")

        order = device(signet, harness.port, "sign-order", "--host", host, "--market", MARKET, "--side", "buy",
                       "--outcome", "yes", "--price", "0.642", "--size", "12.5")
        shown = [text for text in harness.displayed() if text.startswith("BUY ")]
        if not shown or shown[-1] != order["summary"]:
            fail(f"the display showed {shown[-1:]} but the order is {order['summary']!r}")
        if not order["summary"].startswith("BUY YES 12.5 @ 0.6420 market 0x7be8…e928 exp "):
            fail(f"unexpected summary {order['summary']!r}")
        print(f"order {order['orderHash']} {order['status']}; display: {shown[-1]}")

        # A summary longer than one screen (fee recipient and settlement contract in full): the
        # display pages it, and the harness presses only once every page was shown.
        long_order = device(signet, harness.port, "sign-order", "--market", MARKET, "--side", "sell", "--outcome",
                            "no", "--price", "0.000001", "--size", "123456789.123456", "--fee-recipient",
                            "0x" + "ab" * 20, "--chain-id", "137", "--settlement-contract", "0x" + "cd" * 20)
        summary = long_order["summary"]
        shown = [text for text in harness.displayed() if text.startswith("SELL ")]
        if len(summary) <= 128 or not shown or shown[-1] != summary:
            fail(f"the display showed {shown[-1:]} for the {len(summary)}-character summary {summary!r}")
        print(f"a {len(summary)}-character summary shown whole over {-(-len(summary) // 112)} pages before the press")

        # Clear signing of the SDK's other messages: an unlimited, never-expiring permit is shown,
        # then warned about on a screen of its own; each screen took its own press.
        shown_before = len(harness.displayed())
        permit = relayer(signet, harness.port, host, "permit", "--value", "unlimited", "--deadline", "never")
        screens = harness.displayed()[shown_before:]
        expected = "PERMIT UNLIMITED USDC to Turbine settlement, never expires, nonce 0, Polygon"
        if screens[:1] != [expected] or len(screens) != 2 or not screens[1].startswith(
                "WARNING: UNLIMITED allowance: the spender can take ALL your USDC. Valid for more than 30 days."):
            fail(f"the permit's screens were {screens}")
        if permit["status"] != "accepted" or permit["message"]["kind"] != "usdc-permit":
            fail(f"signet serve answered {permit}")
        print(f"permit shown as {screens[0]!r}, warned {screens[1]!r}; accepted")
        shown_before = len(harness.displayed())
        approval = relayer(signet, harness.port, host, "approve")
        screens = harness.displayed()[shown_before:]
        if len(screens) != 1 or not screens[0].startswith("APPROVE Turbine settlement to move ALL outcome tokens"):
            fail(f"the approval's screens were {screens}")
        if approval["status"] != "accepted":
            fail(f"signet serve answered {approval}")
        print(f"approval shown as {screens[0]!r} (no warning: the chain's settlement contract, an hour); accepted")
        first_run = time.monotonic() - started

        harness.stop()
        harness = Harness(uf2, flash, font)
        info = device(signet, harness.port, "info")
        if info.get("api_key_id") != kid or info.get("address") != derived:
            fail(f"after the restart the device holds {info}")
        token = device(signet, harness.port, "token")["token"]
        if not accepted(host, token):
            fail("signet serve refused the token minted after the restart")
        print(f"restart over the same flash: wallet {derived} and key {kid} kept; a fresh token accepted")
        harness.stop()
        harness = None

        # Power cuts during the commit that installs a new key (the wallet registering with
        # another server): the free slot is erased (operation 1), then the 512-byte record is
        # programmed a 256-byte page at a time (2, 3). After its first page (a torn record) the
        # old state must load, after its last the new one.
        for cut, new_key_expected in ((2, False), (3, True)):
            other = start_serve(signet, work / f"data-cut{cut}", servers)
            cut_flash = str(work / f"cut{cut}.bin")
            Path(cut_flash).write_bytes(Path(flash).read_bytes())
            harness = Harness(uf2, cut_flash, font, power_cut_after=cut)
            register = subprocess.Popen([signet, "device", "--port", harness.port, "--timeout", "120", "--json",
                                         "register", "--host", other],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            harness.wait_for("power cut", 120)
            try:
                # The device went dark mid-answer: the CLI would wait out its timeout.
                register.wait(2)
            except subprocess.TimeoutExpired:
                register.kill()
                register.wait()
            if register.returncode == 0:
                fail(f"register answered although the power went after flash operation {cut}")
            harness.stop()
            harness = Harness(uf2, cut_flash, font)
            info = device(signet, harness.port, "info")
            if info.get("address") != derived or (info.get("api_key_id") != kid) == (not new_key_expected) \
                    or not info.get("api_key_id"):
                fail(f"after a power cut at flash operation {cut} the device holds {info}")
            if new_key_expected and not accepted(other, device(signet, harness.port, "token")["token"]):
                fail("the key installed before the power cut is not accepted")
            state = "the new key" if new_key_expected else "the old key"
            print(f"power cut after flash operation {cut} of the key install: the wallet and {state} "
                  f"({info['api_key_id']}) load")
            harness.stop()
            harness = None

        print(f"pico emulator end to end: passed ({first_run:.0f} s before the restart, "
              f"{time.monotonic() - started:.0f} s in all)")
    finally:
        if harness is not None:
            harness.stop()
        for server in servers:
            server.terminate()
            server.wait(30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs every Python snippet of the README and the docs as written, like the Rust doctests:
each ```python block in a fresh interpreter, and each ```sh block marked `<!-- runs in CI -->`
in bash (`set -euo pipefail`, the `signet` built here first on PATH), in an empty folder,
against local stand-ins for what the snippets reach through the environment (their defaults
are the production ones):

- TURBINE_HOST: a `signet serve` on loopback (first start, its own data folder);
- SIGNET_KEY_STORE: the registry of a second `signet serve` data folder, stopped (a redb file
  has one process at a time), with one key registered;
- SIGNET_REPLAY_STORE: a `redis-server` on loopback (Debian package redis-server);
- SIGNET_DEVICE: the simulated signing device (signet-std's `simulated_device` example).

A block fails the run if it exits non-zero or takes more than a minute.

Usage: run_snippets.py PYTHON SIGNET SIMULATED_DEVICE FILE.md...
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(signet: str, data: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([signet, "serve", "--init", "--listen", f"127.0.0.1:{port}", "--data", str(data),
                             "--log-level", "warn"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/health", timeout=1).read()
            return proc, base
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("signet serve did not start")


def blocks(path: Path) -> list[tuple[int, str, str]]:
    """`(line, language, code)` of each block to run."""
    text = path.read_text(encoding="utf-8")
    found = []
    pattern = r"^(<!-- runs in CI -->\n)?```(python|sh)\n(.*?)^```"
    for match in re.finditer(pattern, text, re.S | re.M):
        marked, language, code = match.groups()
        if language == "python" or marked:
            found.append((text.count("\n", 0, match.start()) + 1, language, code))
    return found


def main() -> int:
    if len(sys.argv) < 5:
        raise SystemExit(__doc__)
    python, signet, device_bin, *files = sys.argv[1:]
    # Absolute, since each snippet runs in a folder of its own; abspath, not resolve(): a venv's
    # python is a symlink whose target would run outside the venv.
    python, signet, device_bin = (os.path.abspath(p) for p in (python, signet, device_bin))
    work = Path(tempfile.mkdtemp(prefix="signet-snippets-"))
    processes: list[subprocess.Popen] = []
    try:
        server, base = serve(signet, work / "served")
        processes.append(server)
        # A registry for the verifier snippets: a server's, once it has stopped.
        other, other_base = serve(signet, work / "registry")
        subprocess.run([python, "-c", "import signet_credentials as s, eth_account as e; "
                        f"s.request_api_credentials({other_base!r}, e.Account.create().key.hex())"], check=True)
        other.terminate()
        other.wait(10)
        redis_port = free_port()
        try:
            redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL)
        except FileNotFoundError:
            raise SystemExit("redis-server is missing: install the Debian package redis-server")
        processes.append(redis)
        device = subprocess.Popen([device_bin], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        processes.append(device)
        assert device.stdout is not None
        port = device.stdout.readline().strip()
        env = dict(os.environ, TURBINE_HOST=base, SIGNET_KEY_STORE=f"redb:{work / 'registry' / 'keys.redb'}",
                   SIGNET_REPLAY_STORE=f"redis://127.0.0.1:{redis_port}/0", SIGNET_DEVICE=port)
        env.pop("TURBINE_PRIVATE_KEY", None)
        env["PATH"] = f"{Path(signet).resolve().parent}{os.pathsep}{env.get('PATH', '')}"
        failed = ran = 0
        for name in files:
            for line, language, code in blocks(Path(name)):
                folder = Path(tempfile.mkdtemp(dir=work))
                started = time.monotonic()
                command = [python, "-c", code] if language == "python" else ["bash", "-euo", "pipefail", "-c", code]
                result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=60)
                took = time.monotonic() - started
                ran += 1
                if result.returncode == 0:
                    print(f"ok   {name}:{line} ({language}, {took:.1f} s)")
                    for out in result.stdout.splitlines()[:12]:
                        print(f"       {out[:150]}")
                else:
                    failed += 1
                    print(f"FAIL {name}:{line}\n{result.stdout}{result.stderr}")
        print(f"run_snippets: {ran - failed} passed, {failed} failed")
        return 1 if failed or not ran else 0
    finally:
        for proc in processes:
            proc.kill()
            proc.wait(10)


if __name__ == "__main__":
    sys.exit(main())

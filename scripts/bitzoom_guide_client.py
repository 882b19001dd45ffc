#!/usr/bin/env python3
"""A client written from Bitzoom's API-key guide, with the standard library and the
`websockets` package only, against `signet serve`: keys made with `signet bitzoom keys`
(permissions, an IP allowlist), the REST HMAC signature and the WebSocket `logon`.

Checks: a private subscription before logon is refused; logon succeeds and the private
channel then answers; the same logon sent on another connection is refused (reused nonce);
a timestamp outside the window is -1021; a READ key placing an order gets 403; a key allowing
only 127.0.0.1 gets 403 from 127.0.0.2 and 200 from 127.0.0.1; a disabled key is refused and
works again once enabled; a revoked key is refused for good; the 21st key of an account is
refused.

Usage: bitzoom_guide_client.py PATH_TO_signet
"""
import hashlib
import hmac
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

from websockets.sync.client import connect

SIGNET = sys.argv[1]
RESULTS = []


def private_log(path):
    """The server's log file in its data folder, owner-only (signet serve refuses a data
    folder holding anything other users can read)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a")


def check(ok, what):
    RESULTS.append(bool(ok))
    print(f"{'ok  ' if ok else 'FAIL'} {what}")


def canonical_query(raw):
    pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True)
    return urllib.parse.urlencode(sorted(pairs))


def signature(secret, timestamp, nonce, window, method, path, query, body):
    text = "\n".join([timestamp, nonce, window, method.upper(), path, canonical_query(query),
                      hashlib.sha256(body).hexdigest()])
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def signed(port, key, method, path, query="", body=b"", source="127.0.0.1", timestamp=None):
    """One HMAC-signed request as the guide describes it; the status and the JSON answer."""
    timestamp = str(int(time.time() * 1000)) if timestamp is None else str(timestamp)
    nonce = secrets.token_hex(12)
    headers = {
        "X-BZ-APIKEY": key["apiKey"], "X-BZ-TIMESTAMP": timestamp, "X-BZ-NONCE": nonce,
        "X-BZ-SIGNATURE": signature(key["secret"], timestamp, nonce, "", method, path, query, body),
        "Content-Type": "application/json",
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    conn.request(method, path + ("?" + query if query else ""), body=body or None, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    return response.status, json.loads(raw) if raw else None


def logon_message(key, timestamp=None):
    timestamp = int(time.time() * 1000) if timestamp is None else timestamp
    nonce = secrets.token_hex(12)
    sig = signature(key["secret"], str(timestamp), nonce, "5000", "WS", "/ws", "", b"")
    return json.dumps({"event": "sub", "channel": "logon", "data": {
        "apiKey": key["apiKey"], "timestamp": timestamp, "nonce": nonce, "recvWindow": "5000", "signature": sig}})


def receive(ws):
    """The next message (one JSON object per line; frames may hold several)."""
    return json.loads(ws.recv(timeout=10).split("\n")[0])


def keys(data, *args):
    out = subprocess.run([SIGNET, "bitzoom", "keys", "--data", data, "--json", *args], capture_output=True, text=True)
    return out.returncode, (json.loads(out.stdout) if out.returncode == 0 else out.stderr.strip())


def until(condition, limit=3.0):
    """Polls a condition (key changes reach a running server within its 1 s key cache)."""
    deadline = time.time() + limit
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def main():
    data = tempfile.mkdtemp()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen([SIGNET, "serve", "--init", "--listen", f"127.0.0.1:{port}", "--data", data, "--log-level", "warn"],
                              stdout=subprocess.DEVNULL, stderr=private_log(os.path.join(data, "server.log")))
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        _, reader = keys(data, "create", "--account", "alice", "--permissions", "READ")
        _, trader = keys(data, "create", "--account", "alice", "--permissions", "READ,TRADE")
        _, local = keys(data, "create", "--account", "bob", "--permissions", "READ,TRADE", "--allow-ip", "127.0.0.1")
        check(len(reader["secret"]) == 64 and "secret" not in json.dumps(keys(data, "list")[1]),
              "keys made by `signet bitzoom keys create`; the secret is shown once, never listed")

        url = f"ws://127.0.0.1:{port}/ws"
        with connect(url) as ws:
            ws.send(json.dumps({"channel": "/api/v1/balance", "event": "sub", "data": {}}))
            early = receive(ws)
            check(early["event"] == "error" and early["data"]["code"] == -1002,
                  f"a private subscription before logon -> {early}")
            ws.send(json.dumps({"channel": "/api/v1/ticker", "event": "sub", "data": {"symbol": "BTCUSDT"}}))
            public = receive(ws)
            check(public["event"] == "sub", "a public channel needs no logon")
            receive(ws)
            logon = logon_message(reader)
            ws.send(logon)
            answer = receive(ws)
            check(answer == {"channel": "logon", "event": "success", "data": {}}, f"logon -> {answer}")
            ws.send(json.dumps({"channel": "/api/v1/balance", "event": "sub", "data": {}}))
            confirmed, update = receive(ws), receive(ws)
            sub_id = next(iter(confirmed["data"]))
            check(confirmed["event"] == "sub" and update["event"] == sub_id and update["data"]["balance"] == "10000.00",
                  "after logon the private channel confirms and answers")
        with connect(url) as ws:
            ws.send(logon)
            replayed = receive(ws)
            check(replayed["event"] == "error" and replayed["data"]["code"] == -1002,
                  f"the same logon on another connection -> {replayed['data']}")
            ws.send(logon_message(reader, timestamp=int(time.time() * 1000) - 60_000))
            stale = receive(ws)
            check(stale["data"]["code"] == -1021, f"a logon outside its recvWindow -> {stale['data']}")

        status, body = signed(port, reader, "GET", "/api/v1/balance", "asset=USDT")
        check(status == 200 and body["code"] == 0, f"a READ key reads its balance -> {status}")
        order = json.dumps({"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.001"}).encode()
        status, body = signed(port, reader, "POST", "/api/v1/order", body=order)
        check(status == 403, f"a READ key placing an order -> {status} {body}")
        status, _ = signed(port, trader, "POST", "/api/v1/order", body=order)
        check(status == 200, f"a TRADE key places it -> {status}")
        status, body = signed(port, trader, "GET", "/api/v1/balance", timestamp=int(time.time() * 1000) - 60_000)
        check(body["code"] == -1021, f"a REST timestamp outside the window -> {body}")

        status, body = signed(port, local, "GET", "/api/v1/balance", source="127.0.0.2")
        check(status == 403, f"a key allowing only 127.0.0.1, from 127.0.0.2 -> {status} {body}")
        status, _ = signed(port, local, "GET", "/api/v1/balance", source="127.0.0.1")
        check(status == 200, f"the same key from 127.0.0.1 -> {status}")

        keys(data, "disable", trader["apiKey"])
        refused = lambda: signed(port, trader, "GET", "/api/v1/balance")[1]["code"] == -1002
        check(until(refused), "a disabled key is refused (-1002)")
        keys(data, "enable", trader["apiKey"])
        check(until(lambda: signed(port, trader, "GET", "/api/v1/balance")[0] == 200 and
                    signed(port, trader, "GET", "/api/v1/balance")[1]["code"] == 0), "enabled again, it works")
        keys(data, "revoke", trader["apiKey"])
        check(until(lambda: signed(port, trader, "GET", "/api/v1/balance")[1]["msg"] == "API key is revoked"),
              "a revoked key is refused")
        code, error = keys(data, "enable", trader["apiKey"])
        check(code != 0 and "revoked for good" in error, f"a revoked key cannot be enabled: {error}")
        time.sleep(1.2)
        check(signed(port, trader, "GET", "/api/v1/balance")[1]["code"] == -1002, "still refused")

        made = [keys(data, "create", "--account", "carol")[0] for _ in range(21)]
        check(made[:20] == [0] * 20 and made[20] != 0, "at most 20 keys per account")
    finally:
        server.terminate()
        server.wait(timeout=30)
    passed = sum(RESULTS)
    print(f"bitzoom_guide_client: {passed} passed, {len(RESULTS) - passed} failed")
    return 0 if RESULTS and all(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())

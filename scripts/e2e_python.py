#!/usr/bin/env python3
"""End to end with an independent client: the documented Python example (PyNaCl), eth-account
and the standard library's HTTP client against `signet serve`.

Registers a key by wallet signature, calls protected endpoints with the documented client's
tokens and with `signet token`'s, and is refused for replay, tampering, expired tokens, unknown,
revoked and expired keys with the documented texts (revocation and expiry are done with
`signet keys` while the server is stopped, so the restart also proves persistence).

Usage: e2e_python.py PATH_TO_signet
"""
import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import jwt
from eth_account import Account
from eth_account.messages import encode_defunct
from nacl.signing import SigningKey

SIGNET = sys.argv[1]
RESULTS = []


def private_log(path):
    """The server's log file in its data folder, owner-only (signet serve refuses a data
    folder holding anything other users can read)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a")


def check(ok, what):
    RESULTS.append(bool(ok))
    print(f"{'ok  ' if ok else 'FAIL'} {what}")


def call(method, url, body=None, auth=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if auth is not None:
        request.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def documented_token(key_id, private_key_hex, ts=None):
    """The documented client example, verbatim but for the fixed timestamp option."""
    payload = {"kid": key_id, "ts": int(time.time()) if ts is None else ts, "n": secrets.token_hex(16)}
    payload_bytes = json.dumps(payload).encode()
    signing_key = SigningKey(bytes.fromhex(private_key_hex))
    signature = signing_key.sign(payload_bytes).signature
    return b64(payload_bytes) + "." + b64(signature)


class Server:
    def __init__(self, data):
        self.data, self.process = data, None
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(
            [SIGNET, "serve", "--init", "--listen", f"127.0.0.1:{self.port}", "--data", self.data, "--bitzoom-test-tokens"],
            stdout=subprocess.DEVNULL, stderr=private_log(os.path.join(self.data, "server.log")))
        for _ in range(100):
            try:
                if call("GET", self.base + "/api/v1/markets")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("signet serve did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def register(server, account, timestamp=None):
    """The documented registration; with `timestamp`, the timestamped one a wallet that has had
    a key must use (a captured documented body must not yield a second key)."""
    message = f"Register API key for Turbine: {account.address}"
    if timestamp is not None:
        message += f"\nTimestamp: {timestamp}"
    signature = Account.sign_message(encode_defunct(text=message), account.key).signature.hex()
    signature = signature if signature.startswith("0x") else "0x" + signature
    body = {"address": account.address, "signature": signature, "name": "python-e2e"}
    if timestamp is not None:
        body["timestamp"] = timestamp
    return call("POST", server.base + "/api/v1/api-keys", body)


def main():
    data = tempfile.mkdtemp()
    server = Server(data)
    server.start()
    try:
        wallet = Account.create()
        status, body = register(server, wallet)
        check(status == 200 and body["success"] and len(body["api_private_key"]) == 64,
              f"registration by eth-account personal_sign -> {status}")
        kid, private = body["api_key_id"], body["api_private_key"]
        status, again = register(server, wallet)
        check(status == 409 and again.get("api_key_id") == kid, "second registration -> 409 with the existing api_key_id")

        token = documented_token(kid, private)
        status, body = call("GET", server.base + "/api/v1/orders", None, "Bearer " + token)
        check(status == 200 and body == {"orders": []}, f"documented client's token on GET /api/v1/orders -> {status}")
        unknown = "0x" + "00" * 32
        status, body = call("DELETE", server.base + "/api/v1/orders/" + unknown, None, "Bearer " + documented_token(kid, private))
        check(status == 404 and body == {"error": "order not found"},
              f"documented client's token on DELETE /api/v1/orders/<unknown hash> -> {status} {body}")

        env = dict(os.environ, TURBINE_API_KEY_ID=kid, TURBINE_API_PRIVATE_KEY=private)
        signet_token = subprocess.run([SIGNET, "token"], env=env, check=True, capture_output=True, text=True).stdout.strip()
        payload_b64, sig_b64 = signet_token.split(".")
        payload = base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4))
        SigningKey(bytes.fromhex(private)).verify_key.verify(payload, base64.urlsafe_b64decode(sig_b64 + "=="))
        claims = json.loads(payload)
        check(payload == json.dumps(claims, separators=(",", ":"), sort_keys=True).encode(),
              "`signet token` payload is the SDK's compact sorted JSON and verifies with PyNaCl")
        status, _ = call("GET", server.base + "/api/v1/orders", None, "Bearer " + signet_token)
        check(status == 200, f"`signet token` on GET /api/v1/orders -> {status}")

        def refused(auth, text, what):
            status, body = call("POST", server.base + "/api/v1/orders", {}, auth)
            check(status == 401 and body == {"error": text}, f"{what} -> {status} {body}")

        refused("Bearer " + token, "token already used", "replayed token")
        tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
        refused("Bearer " + tampered, "invalid signature", "tampered token")
        refused("Bearer " + documented_token(kid, private, ts=int(time.time()) - 400), "token expired", "token 400 s old")
        refused("Bearer " + documented_token(secrets.token_hex(16), private), "API key not found", "unknown key id")
        refused(None, "missing authorization header", "no Authorization header")
        refused("Token " + documented_token(kid, private), "invalid authorization format", "wrong scheme")
        check(call("GET", server.base + "/api/v1/orderbook/1")[0] == 200, "public GET without a token")

        status, body = call("GET", server.base + "/api/servermanage/testtoken?userid=990016")
        bz_token = body["data"]["token"]
        bz_claims = jwt.decode(bz_token, options={"verify_signature": False})
        check(jwt.get_unverified_header(bz_token)["alg"] == "HS256" and bz_claims["uid"] == "990016"
              and {"uname", "iat", "exp"} <= bz_claims.keys(), "Bitzoom test token: HS256 with uid, uname, iat, exp")
        status, body = call("GET", server.base + "/api/v1/balance", None, "Bearer " + bz_token)
        check(status == 200 and body["code"] == 0, "Bitzoom balance with the test token")
        status, body = call("GET", server.base + "/api/v1/balance", None, "Bearer " + bz_token[:-3] + "abc")
        check(body == {"code": -1022, "msg": "Invalid signature"}, f"Bitzoom tampered token -> {body}")

        second = Account.create()
        _, body2 = register(server, second)
        kid2, private2 = body2["api_key_id"], body2["api_private_key"]
    finally:
        server.stop()

    subprocess.run([SIGNET, "keys", "revoke", kid, "--data", data], check=True, capture_output=True)
    subprocess.run([SIGNET, "keys", "expire", kid2, "--at", str(int(time.time()) - 1), "--data", data],
                   check=True, capture_output=True)
    server.start()
    try:
        refused("Bearer " + documented_token(kid, private), "API key is inactive", "revoked key after a restart")
        refused("Bearer " + documented_token(kid2, private2), "API key has expired", "expired key after a restart")
        status, body = register(server, wallet)
        check(status == 403, f"the documented body again after a revocation -> {status} (no key)")
        status, body = register(server, wallet, int(time.time()))
        check(status == 200 and body["api_key_id"] != kid, "a wallet whose key was revoked registers again (timestamped)")
    finally:
        server.stop()

    failed = RESULTS.count(False)
    print(f"e2e_python: {len(RESULTS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

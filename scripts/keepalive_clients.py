#!/usr/bin/env python3
"""Keep-alive and pipelining against `signet serve` with the HTTP stacks trading bots use:
curl, Python `requests` (a Session), Node's built-in `fetch`, Go's `net/http`.

Each client sends, over its default keep-alive connection pool, POSTs with a JSON body that
the server refuses without reading (no token) and POSTs with fresh valid tokens (minted here
with PyNaCl, as the documented client does), and must see every answer: no reset, no
"connection closed without response". curl also pipelines requests over one connection.
Usage: keepalive_clients.py PATH_TO_signet [REQUESTS_PER_CLIENT]
"""
import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time

import requests
from eth_account import Account
from eth_account.messages import encode_defunct
from nacl.signing import SigningKey


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(kid, key):
    payload = json.dumps({"kid": kid, "ts": int(time.time()), "n": secrets.token_hex(16)},
                         separators=(",", ":"), sort_keys=True).encode()
    return f"Bearer {b64(payload)}.{b64(key.sign(payload).signature)}"


NODE = r"""
const [base, file] = process.argv.slice(2);
const headers = require('fs').readFileSync(file, 'utf8').trim().split('\n');
(async () => {
  let ok = 0, refused = 0;
  for (let i = 0; i < headers.length; i++) {
    const valid = headers[i] !== '-';
    const h = { 'content-type': 'application/json' };
    if (valid) h.authorization = headers[i];
    const r = await fetch(base + (valid ? '/auth' : '/api/v1/orders'), { method: 'POST', headers: h, body: '{"market":"0x01"}' });
    await r.text();
    if (r.status === 200) ok++; else if (r.status === 401) refused++; else throw new Error('status ' + r.status);
  }
  console.log(`${ok} ${refused}`);
})().catch(e => { console.error(e); process.exit(1); });
"""

GO = r"""
package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

func main() {
	base, file := os.Args[1], os.Args[2]
	f, _ := os.Open(file)
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 4096), 1<<20)
	client := &http.Client{}
	ok, refused := 0, 0
	for scanner.Scan() {
		line := scanner.Text()
		path := "/api/v1/orders"
		if line != "-" {
			path = "/auth"
		}
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(`{"market":"0x01"}`))
		req.Header.Set("Content-Type", "application/json")
		if line != "-" {
			req.Header.Set("Authorization", line)
		}
		resp, err := client.Do(req)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case 200:
			ok++
		case 401:
			refused++
		default:
			fmt.Fprintln(os.Stderr, "status", resp.StatusCode)
			os.Exit(1)
		}
	}
	fmt.Printf("%d %d\n", ok, refused)
}
"""


def main():
    signet, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    data = tempfile.mkdtemp()
    server = subprocess.Popen([signet, "serve", "--listen", "127.0.0.1:0", "--data", data, "--log-level", "warn"],
                              stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        base = line.strip().rsplit(" ", 1)[-1]
        assert base.startswith("http://"), line
        wallet = Account.create()
        signature = Account.sign_message(encode_defunct(text=f"Register API key for Turbine: {wallet.address}"),
                                         wallet.key).signature.hex()
        issued = requests.post(f"{base}/api/v1/api-keys",
                               json={"address": wallet.address, "signature": "0x" + signature.removeprefix("0x")}).json()
        kid, key = issued["api_key_id"], SigningKey(bytes.fromhex(issued["api_private_key"]))

        def plan(n):
            # Every tenth request carries a fresh valid token; the others are refused unread.
            return [token(kid, key) if i % 10 == 0 else "-" for i in range(n)]

        expected = lambda n: (len([i for i in range(n) if i % 10 == 0]), n - len([i for i in range(n) if i % 10 == 0]))
        failures = 0

        # Python requests: one Session (keep-alive), headers and body sent separately.
        session, ok, refused = requests.Session(), 0, 0
        for header in plan(count):
            headers = {} if header == "-" else {"Authorization": header}
            r = session.post(f"{base}{'/auth' if header != '-' else '/api/v1/orders'}", json={"market": "0x01"}, headers=headers)
            ok, refused = ok + (r.status_code == 200), refused + (r.status_code == 401)
        failures += report("python requests (Session)", (ok, refused), expected(count))

        for name, source, command in [("node fetch", NODE, ["node"]), ("go net/http", GO, ["go", "run"])]:
            with tempfile.TemporaryDirectory() as tmp:
                program = os.path.join(tmp, "client.go" if name.startswith("go") else "client.js")
                open(program, "w").write(source)
                headers_file = os.path.join(tmp, "headers")
                open(headers_file, "w").write("\n".join(plan(count)) + "\n")
                run = subprocess.run(command + [program, base, headers_file], capture_output=True, text=True,
                                     env={**os.environ, "GOCACHE": os.path.join(tmp, "gocache"), "GOPATH": tmp})
                if run.returncode != 0:
                    print(f"{name}: FAILED {run.stderr.strip()[-500:]}")
                    failures += 1
                    continue
                got = tuple(int(x) for x in run.stdout.split())
                failures += report(name, got, expected(count))

        # curl: many URLs in one invocation reuse one connection; --http1.1 pipelining is not
        # in curl anymore, so pipelining is checked with a raw socket below.
        urls = [arg for _ in range(50) for arg in (f"{base}/api/v1/orders", "-o", "/dev/null")]
        run = subprocess.run(["curl", "-s", "-v", "-w", "%{http_code}\n", "-X", "POST",
                              "-H", "Content-Type: application/json", "-d", '{"market":"0x01"}'] + urls,
                             capture_output=True, text=True)
        codes = run.stdout.split()
        reused = run.stderr.count("Re-using existing connection") + run.stderr.count("Reusing existing")
        failures += report("curl (one connection)", (codes.count("401"), reused >= 49), (50, True))

        import socket
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            body = b'{"market":"0x01"}'
            one = (b"POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            sock.sendall(one * 30)
            sock.settimeout(10)
            received = b""
            while received.count(b"HTTP/1.1 401") < 30:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
            failures += report("pipelining (30 requests in one write)", received.count(b"HTTP/1.1 401"), 30)
        return 1 if failures else 0
    finally:
        server.terminate()
        server.wait(timeout=20)


def report(name, got, want):
    ok = got == want
    print(f"{name}: {'ok' if ok else 'FAILED'} (got {got}, expected {want})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

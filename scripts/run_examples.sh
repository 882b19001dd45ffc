#!/usr/bin/env bash
# Runs signet-std's examples against a local `signet serve` (and the device examples against a
# simulated device on a pseudo-terminal). Usage: scripts/run_examples.sh TARGET_DIR
# (the folder holding `signet` and `examples/`, e.g. target/debug).
set -euo pipefail
bin=${1:?usage: run_examples.sh TARGET_DIR}
data=$(mktemp -d)
log=$(mktemp)
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$data" "$log"
}
trap cleanup EXIT

SIGNET_BITZOOM_API_KEYS="example-bot=$secret" "$bin/signet" serve --listen 127.0.0.1:0 --data "$data" 2>"$log" &
pids+=($!)
for _ in $(seq 200); do
  host=$(sed -n 's/^signet serve: listening on //p' "$log")
  [ -n "$host" ] && break
  sleep 0.05
done
[ -n "${host:-}" ] || { cat "$log"; echo "signet serve did not start" >&2; exit 1; }
echo "signet serve on $host"

echo "== trading_bot"
TURBINE_HOST="$host" timeout 60 "$bin/examples/trading_bot"

echo "== bitzoom_stream"
BITZOOM_API_KEY=example-bot BITZOOM_API_SECRET="$secret" timeout 60 "$bin/examples/bitzoom_stream" "$host" 1

echo "== device_signer (against simulated_device on a pseudo-terminal)"
port_file=$(mktemp)
"$bin/examples/simulated_device" >"$port_file" &
pids+=($!)
for _ in $(seq 200); do
  port=$(head -n 1 "$port_file")
  [ -n "$port" ] && break
  sleep 0.05
done
rm -f "$port_file"
[ -n "${port:-}" ] || { echo "simulated_device did not start" >&2; exit 1; }
timeout 120 "$bin/examples/device_signer" "$port" "$host"
echo "examples: trading_bot, bitzoom_stream, device_signer ran against signet serve"

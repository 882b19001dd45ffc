#!/usr/bin/env bash
# Builds the Raspberry Pi Pico firmware (release, fat LTO), prints its flash and static RAM use,
# fails if it reaches the flash sectors reserved for the device's state, writes the UF2 image
# (target/signet-pico.uf2 in the board crate, copied to the workspace's target/ with the font's
# path for scripts/pico_pin_e2e.py), and runs it end to end in the rp2040js emulator against a
# local signet serve (scripts/pico_emulator_e2e.py).
# Usage: scripts/pico_firmware.sh SIGNET_BINARY
set -euo pipefail
signet=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/embedded-adapter/boards/pico"
elf=target/thumbv6m-none-eabi/release/signet-pico
uf2=target/signet-pico.uf2
state_start=$((0x101FD000))

cargo fmt --check
cargo clippy --release --quiet -- -D warnings
cargo build --release --quiet

section() { # size of section $1 in bytes (0 if absent)
  local hex
  hex=$(readelf -S -W "$elf" | sed 's/^ *\[ *[0-9]*\] *//' | awk -v s="$1" '$1 == s { print $5 }')
  echo $((16#${hex:-0}))
}
flash=$(( $(section .boot2) + $(section .vector_table) + $(section .text) + $(section .rodata) + $(section .data) ))
ram=$(( $(section .data) + $(section .bss) + $(section .uninit) ))
# The last byte any loadable segment puts into flash (physical addresses).
end=0
while read -r paddr filesz; do
  if [ $((paddr)) -ge $((0x10000000)) ] && [ $((paddr)) -lt $((0x20000000)) ] && [ $((paddr + filesz)) -gt "$end" ]; then
    end=$((paddr + filesz))
  fi
done < <(readelf -l -W "$elf" | awk '$1 == "LOAD" { print $4, $5 }')
echo "pico firmware: flash ${flash} bytes (image ends at $(printf '%#x' "$end"); state sectors from $(printf '%#x' $state_start)), static RAM ${ram} bytes of 264 KiB"
if [ "$end" -gt "$state_start" ]; then
  echo "the firmware image reaches the state sectors" >&2
  exit 1
fi
python3 "$root/scripts/uf2.py" "$elf" "$uf2"

# The emulator and its one dependency (rp2040js, pinned by package-lock.json).
command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq npm >/dev/null; }
(cd emulator && npm ci --no-audit --no-fund --silent)
font=$(cargo metadata --format-version 1 --quiet | python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    if p["name"] == "font8x8":
        print(p["manifest_path"].rsplit("/", 1)[0] + "/src/legacy.rs")')
timeout 1500 python3 "$root/scripts/pico_emulator_e2e.py" "$signet" "$uf2" "$font"
# Kept for the PIN's end-to-end run with the Python package (scripts/pico_pin_e2e.py), which
# needs the wheel built later; the board's own target is removed after this step.
cp "$uf2" "$root/target/signet-pico.uf2"
echo "$font" > "$root/target/signet-pico.font"

#!/usr/bin/env bash
# Runs the signet-embedded demo firmware on QEMU's Cortex-M4 board (mps2-an386), with and
# without ed25519-dalek's precomputed tables; checks its token with signet's verifier and PyNaCl,
# its registration signature with eth-account, and its order signature with eth-account's
# EIP-712 (and the line its display showed); its wallets (made on the device from the words it
# showed, restored from a fixed mnemonic) against eth-account's HD wallet; checks that its
# wallet and API key survive a reboot over the same flash; runs the verifier stack probe (flat and
# hostile tokens); gates the device targets on the default build and prints the README's tables.
# Usage: scripts/qemu_firmware.sh SIGNET_BINARY
set -euo pipefail
signet=$(realpath "$1")
cd "$(dirname "$0")/../embedded-adapter/qemu"
demo_time=1795435200
elf=target/thumbv7em-none-eabihf/release/signet-qemu-firmware
out=$(mktemp -d)

value() { sed -n "s/^$1: //p" "$2"; }
flash() { # .text + .rodata, in bytes
  local sum=0 size
  for size in $(readelf -S -W "$elf" | sed 's/^ *\[ *[0-9]*\] *//' | awk '$1 == ".text" || $1 == ".rodata" { print $5 }'); do
    sum=$((sum + 16#$size))
  done
  echo "$sum"
}

for config in tables no-tables; do
  flags=()
  [ "$config" = no-tables ] && flags=(--no-default-features)
  cargo build --quiet --release "${flags[@]}"
  timeout 300 cargo run --quiet --release "${flags[@]}" >"$out/$config" 2>&1 || { cat "$out/$config"; exit 1; }
  echo "flash-bytes: $(flash)" >>"$out/$config"
  echo "--- firmware ($config)"
  cat "$out/$config"
  "$signet" verify "Bearer $(value token "$out/$config")" --public-key "$(value public-key "$out/$config")" \
    --kid qemu-demo-device --now "$demo_time"
  python3 ../../scripts/check_firmware.py "$out/$config" "$demo_time"
done

timeout 300 cargo run --quiet --release --bin verify-stack >"$out/verify" 2>&1 || { cat "$out/verify"; exit 1; }
echo "--- verify-stack firmware"
cat "$out/verify"

fail=0
gate() { # name value limit
  if [ "$2" -le "$3" ]; then echo "ok: $1 = $2 <= $3"; else echo "FAIL: $1 = $2 > $3"; fail=1; fi
}
gate "mint instructions" "$(value mint-instructions "$out/tables")" 1250000
gate "mint stack bytes" "$(value mint-stack-bytes "$out/tables")" 3072
gate "registration stack bytes" "$(value registration-stack-bytes "$out/tables")" 11264
# Order signing: within the registration's stack budget and at most 1.2x its instructions
# (hashing the order and showing it cost little beside the secp256k1 signature).
gate "order stack bytes" "$(value order-stack-bytes "$out/tables")" 11264
gate "order instructions" "$(value order-instructions "$out/tables")" \
  "$(( $(value registration-instructions "$out/tables") * 12 / 10 ))"
# The current SDK's other messages: each within 12 KiB and at most 1.1x an order's instructions,
# though each here also takes its warning screen and second press.
for message in permit approval redemption; do
  gate "$message instructions" "$(value "$message-instructions" "$out/tables")" \
    "$(( $(value order-instructions "$out/tables") * 11 / 10 ))"
done
# Hostile input (nesting to the bound, escapes, the stray-quote bypass) costs no more stack than
# a flat token, and both stay within 8 KiB.
gate "verify stack bytes, hostile token" "$(value verify-hostile-stack-bytes "$out/verify")" "$(value verify-stack-bytes "$out/verify")"
gate "verify stack bytes" "$(value verify-stack-bytes "$out/verify")" 8192
gate "JWT verify stack bytes, hostile claims" "$(value jwt-verify-hostile-stack-bytes "$out/verify")" 4096
# The wallet: PBKDF2 (4,096 SHA-512 blocks) and BIP-32 (three secp256k1 multiplications) within
# 80 M instructions; every device operation, in both builds, within 12 KiB of stack.
gate "PBKDF2 + BIP-32 derivation instructions" "$(value hd-derivation-instructions "$out/tables")" 80000000
for config in tables no-tables; do
  for op in wallet-init api-key-install mint registration hd-derivation restore order permit approval redemption pin-check; do
    gate "$op stack bytes ($config)" "$(value "$op-stack-bytes" "$out/$config")" 12288
  done
done

echo
echo "| firmware (thumbv7em, opt-level 3, LTO) | flash (.text + .rodata) | mint: instructions | mint: stack | registration: instructions | registration: stack | order: instructions | order: stack |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for config in tables no-tables; do
  f="$out/$config"
  label="with precomputed tables (default)"
  [ "$config" = no-tables ] && label="without precomputed tables"
  echo "| $label | $(value flash-bytes "$f") | $(value mint-instructions "$f") | $(value mint-stack-bytes "$f") | $(value registration-instructions "$f") | $(value registration-stack-bytes "$f") | $(value order-instructions "$f") | $(value order-stack-bytes "$f") |"
done
echo
echo "| wallet (thumbv7em, with tables) | create (24 words, backup shown and checked, two commits) | restore (after a press, one commit) | PBKDF2 + BIP-32 | PBKDF2 alone | BIP-32 alone | API key install (one flash commit) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
f="$out/tables"
echo "| instructions | $(value wallet-init-instructions "$f") | $(value restore-instructions "$f") | $(value hd-derivation-instructions "$f") | $(value pbkdf2-instructions "$f") | $(value bip32-instructions "$f") | $(value api-key-install-instructions "$f") |"
echo "| stack bytes | $(value wallet-init-stack-bytes "$f") | $(value restore-stack-bytes "$f") | $(value hd-derivation-stack-bytes "$f") | $(value pbkdf2-stack-bytes "$f") | $(value bip32-stack-bytes "$f") | $(value api-key-install-stack-bytes "$f") |"
echo
echo "| clear signing (thumbv7em, with tables; each with its warning and second press) | order | USDC permit (unlimited) | CTF approval (unknown operator) | redemption (40 days) |"
echo "|---|---:|---:|---:|---:|"
echo "| instructions | $(value order-instructions "$f") | $(value permit-instructions "$f") | $(value approval-instructions "$f") | $(value redemption-instructions "$f") |"
echo "| stack bytes | $(value order-stack-bytes "$f") | $(value permit-stack-bytes "$f") | $(value approval-stack-bytes "$f") | $(value redemption-stack-bytes "$f") |"
echo
echo "| PIN check (thumbv7em) | PBKDF2-HMAC-SHA256 iterations | instructions | stack bytes |"
echo "|---|---:|---:|---:|"
echo "| the device's keys opened (a wrong PIN costs the same) | $(value pin-check-iterations "$f") | $(value pin-check-instructions "$f") | $(value pin-check-stack-bytes "$f") |"
echo
echo "| verifier (thumbv7em, with tables) | Turbine verify: flat token | Turbine verify: hostile tokens | JWT verify: claims nested to the bound |"
echo "|---|---:|---:|---:|"
echo "| stack bytes | $(value verify-stack-bytes "$out/verify") | $(value verify-hostile-stack-bytes "$out/verify") | $(value jwt-verify-hostile-stack-bytes "$out/verify") |"
exit $fail

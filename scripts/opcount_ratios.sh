#!/usr/bin/env bash
# Instruction counts per operation under callgrind (deterministic, unlike time) and the ratios
# the benchmarks issue sets as goals (gated where reachable, reported where a floor stands in the
# way). Each count is (run with 2N ops - run with N ops) / N, which
# cancels the fixed setup. Exits non-zero if a goal is missed.
#   usage: scripts/opcount_ratios.sh [N]    (default N = 50)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50}
cargo build --quiet --release -p signet-benches --bin opcount
bin=target/release/opcount
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
declare -A per_op
for op in raw-sign raw-sign-expanded mint mint-prepared raw-verify verify \
  jwt-eddsa-mint jwt-eddsa-verify jwt-hs256-mint jwt-hs256-verify \
  jsonwebtoken-eddsa-encode jsonwebtoken-eddsa-decode jsonwebtoken-hs256-encode jsonwebtoken-hs256-decode \
  jwt-compact-eddsa-encode jwt-compact-eddsa-decode \
  order-digest alloy-signing-hash raw-sign-prehash order-sign raw-recover order-verify-body \
  permit-digest approval-digest redemption-digest alloy-permit-hash alloy-approval-hash alloy-redemption-hash \
  permit-raw-recover permit-verify-body approval-verify-body redemption-verify-body; do
  a=$(count "$op" "$n"); b=$(count "$op" $((2 * n)))
  per_op[$op]=$(( (b - a) / n ))
  printf '%-26s %9d instructions/op\n' "$op" "${per_op[$op]}"
done
missed=0
ratio() { # label numerator denominator goal [report-only]
  local r
  r=$(awk -v a="${per_op[$2]}" -v b="${per_op[$3]}" 'BEGIN { printf "%.4f", a / b }')
  if [ -n "$4" ]; then
    if awk -v r="$r" -v g="$4" 'BEGIN { exit !(r <= g) }'; then verdict="goal <= $4: met"
    elif [ -n "${5:-}" ]; then verdict="goal <= $4: missed ($5)"
    else verdict="goal <= $4: MISSED"; missed=1; fi
  else verdict=""; fi
  printf '%-46s %s  %s\n' "$1" "$r" "$verdict"
}
ratio "mint / raw SigningKey::sign" mint raw-sign ""
ratio "mint (prepared key) / raw SigningKey::sign" mint-prepared raw-sign 1.00
ratio "mint (prepared key) / hazmat::raw_sign" mint-prepared raw-sign-expanded 1.01
ratio "verify (full header) / raw verify_strict" verify raw-verify 1.01
# Reported, not gated: below one raw signature nothing can go.
ratio "signet EdDSA JWT mint / jsonwebtoken encode" jwt-eddsa-mint jsonwebtoken-eddsa-encode 0.50 "floor: one raw_sign"
ratio "signet EdDSA JWT verify / jsonwebtoken decode" jwt-eddsa-verify jsonwebtoken-eddsa-decode 1.00
ratio "signet HS256 JWT mint / jsonwebtoken encode" jwt-hs256-mint jsonwebtoken-hs256-encode ""
ratio "signet HS256 JWT verify / jsonwebtoken decode" jwt-hs256-verify jsonwebtoken-hs256-decode ""
ratio "signet EdDSA JWT mint / jwt-compact encode" jwt-eddsa-mint jwt-compact-eddsa-encode ""
ratio "signet EdDSA JWT verify / jwt-compact decode" jwt-eddsa-verify jwt-compact-eddsa-decode ""
# Orders (EIP-712): the digest against alloy's; signing and checking a posted body against the
# bare secp256k1 operation on a precomputed digest.
ratio "order digest / alloy eip712_signing_hash" order-digest alloy-signing-hash 1.00
ratio "order sign / raw k256 prehash sign" order-sign raw-sign-prehash 1.05
ratio "order body read + verify / raw k256 recover" order-verify-body raw-recover 1.05 "the digest and a strict two-pass parse of the body"
# The current SDK's other messages: each digest against alloy's of the same `sol!` struct, and
# each relayer body read and checked against one bare recovery.
ratio "permit digest / alloy eip712_signing_hash" permit-digest alloy-permit-hash 0.50
ratio "approval digest / alloy eip712_signing_hash" approval-digest alloy-approval-hash 0.50
ratio "redemption digest / alloy eip712_signing_hash" redemption-digest alloy-redemption-hash 0.50
ratio "permit body read + verify / raw k256 recover" permit-verify-body permit-raw-recover 1.10
ratio "approval body read + verify / raw k256 recover" approval-verify-body permit-raw-recover 1.10
ratio "redemption body read + verify / raw k256 recover" redemption-verify-body permit-raw-recover 1.10
exit $missed

#!/usr/bin/env bash
# The crates a std application (signet-std) and a single-machine server (signet-server with redb)
# compile, counted as unique crates in `cargo tree -e normal`; fails past the bounds the crate
# split promised, or if a server or database crate reaches an application.
set -euo pipefail
count() { cargo tree -q -p "$1" -e normal "${@:2}" --prefix none | sed 's/ (\*)$//' | sort -u | grep -c .; }
names() { cargo tree -q -p "$1" -e normal "${@:2}" --prefix none | awk '{print $1}' | sort -u; }
fail=0
std_plain=$(count signet-std --no-default-features)
std_full=$(count signet-std --no-default-features --features ws,device)
server_redb=$(count signet-server --no-default-features --features redb)
core=$(count signet-core)
echo "signet-std (no features): $std_plain crates (at most 100)"
echo "signet-std (ws, device):  $std_full crates (at most 140)"
echo "signet-server (redb):     $server_redb crates"
echo "signet-core:              $core crates"
[ "$std_plain" -le 100 ] || { echo "signet-std without features compiles more than 100 crates" >&2; fail=1; }
[ "$std_full" -le 140 ] || { echo "signet-std with ws,device compiles more than 140 crates" >&2; fail=1; }
heavy=$(names signet-std --no-default-features --features ws,device | grep -xE 'tokio-postgres|deadpool-postgres|redis|redb|axum|hyper|clap|prometheus-client' || true)
[ -z "$heavy" ] || { echo "signet-std pulls server crates: $heavy" >&2; fail=1; }
db=$(names signet-server --no-default-features --features redb | grep -xE 'tokio-postgres|redis' || true)
[ -z "$db" ] || { echo "signet-server with only redb pulls: $db" >&2; fail=1; }
exit $fail

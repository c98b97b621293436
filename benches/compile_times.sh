#!/usr/bin/env bash
# Compile time of the root crate per domain feature, against the same crate with no domain (an
# empty crate with the same dependencies): the README's compile-time table. "crate" rebuilds
# the crate alone (dependencies built); "cold" starts from an empty target directory.
# Everything goes under target/compile-times; run it with no other build going on.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0
t=$PWD/target/compile-times
domains=$(sed -n 's/^\([a-z_]*\) = \[\]$/\1/p' Cargo.toml | grep -v -e contract -e dynamic)
secs() {
  local s e
  s=$(date +%s.%N)
  "$@" > /dev/null 2>&1 || echo "failed: $*" >&2
  e=$(date +%s.%N)
  awk "BEGIN{printf \"%.2f\", $e - $s}"
}
build() { cargo build -q -p kibana-serverless --target-dir "$t" "$@"; }
rm -rf "$t"
echo "cold none $(secs build --no-default-features)"
for f in "" $domains; do
  cargo clean -q -p kibana-serverless --target-dir "$t"
  echo "crate ${f:-none} $(secs build --no-default-features ${f:+--features $f})"
done
cargo clean -q -p kibana-serverless --target-dir "$t"
echo "crate all $(secs build)"
for f in all status fleet detection_engine none; do
  rm -rf "$t"
  case $f in
    all) echo "cold all $(secs build)" ;;
    none) echo "cold none $(secs build --no-default-features)" ;;
    *) echo "cold $f $(secs build --no-default-features --features "$f")" ;;
  esac
done
rm -rf "$t"

#!/usr/bin/env bash
# Generated code at Kibana's size: generation time, lines per operation, cold and warm debug
# builds (all domains and single domains) and rustc peak memory, for N = 25 and N = 600
# synthesized operations, next to an empty crate with the same dependencies.
# Everything goes under target/build-sizes; each cold build gets a fresh target directory.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/target/build-sizes
mkdir -p "$out"
cargo build -q -p xtask
xtask=$PWD/target/debug/xtask

for n in 25 600; do
  "$xtask" synth-spec --operations $n --out "$out/spec-$n.json" >/dev/null
  rm -rf "$out/c$n"
  s=$(date +%s.%N)
  "$xtask" regenerate --spec "$out/spec-$n.json" --out "$out/c$n" >/dev/null
  e=$(date +%s.%N)
  lines=$(cat "$out/c$n"/src/*.rs | wc -l)
  echo "N=$n generation=$(awk "BEGIN{print $e - $s}")s lines=$lines lines_per_op=$((lines / n))"
done

# The empty crate: the standalone crate's manifest, no code.
rm -rf "$out/empty" && mkdir -p "$out/empty/src"
sed -e 's/^name = .*/name = "empty-client"/' -e '/^\[features\]/,/^$/d' \
  -e 's/optional = true/optional = false/' "$out/c25/Cargo.toml" >"$out/empty/Cargo.toml"
echo '//! Empty crate with the client'"'"'s dependencies.' >"$out/empty/src/lib.rs"
cp "$out/c25/Cargo.lock" "$out/empty/" 2>/dev/null || true
cp -r "$out/c25/kibana-serverless-derive" "$out/empty/"

build() { # label dir cargo-args...
  local label=$1 dir=$2
  shift 2
  local target=$out/target-$label
  rm -rf "$target"
  local s e s2 e2
  s=$(date +%s.%N)
  (cd "$dir" && CARGO_TARGET_DIR=$target cargo build -q "$@")
  e=$(date +%s.%N)
  touch "$dir/src/lib.rs"
  s2=$(date +%s.%N)
  (cd "$dir" && CARGO_TARGET_DIR=$target /usr/bin/time -f "%M" -o "$out/rss-$label" cargo build -q "$@")
  e2=$(date +%s.%N)
  echo "$label cold=$(awk "BEGIN{print $e - $s}")s warm=$(awk "BEGIN{print $e2 - $s2}")s warm_peak_rss_mib=$(($(cat "$out/rss-$label") / 1024))"
  rm -rf "$target"
}

build empty "$out/empty"
build n25-all "$out/c25"
build n600-all "$out/c600"
for domain in ${DOMAINS:-alerting connectors security_ai_assistant fleet}; do
  build "n600-$domain" "$out/c600" --no-default-features --features "$domain"
done

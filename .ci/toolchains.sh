#!/usr/bin/env bash
# Installs the toolchains that the `pg-flux gen` compile checks
# (internal/codegen/toolchain_test.go) run the generated code through:
# mypy and pydantic for Python, cargo with serde/chrono/uuid/rust_decimal
# from Debian's crate registry for Rust, and typescript, zod and kysely from
# npm for TypeScript. Idempotent, and quick when everything is there.
# Run as root on Debian.
set -euo pipefail

node_dir="${XDG_CACHE_HOME:-$HOME/.cache}/pg-flux/toolchains/node"
debs="python3-mypy python3-pydantic librust-serde-dev librust-serde-derive-dev librust-serde-json-dev librust-chrono-dev librust-uuid-dev librust-rust-decimal-dev"
command -v cargo >/dev/null 2>&1 || [ -x "$HOME/.cargo/bin/cargo" ] || debs="$debs cargo"
command -v npm >/dev/null 2>&1 || debs="$debs npm"

missing=""
for p in $debs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "== apt-get install$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq $missing >/dev/null
fi

if [ ! -x "$node_dir/node_modules/.bin/tsc" ] || [ ! -d "$node_dir/node_modules/zod" ] || [ ! -d "$node_dir/node_modules/kysely" ]; then
  echo "== npm install typescript zod kysely into $node_dir"
  mkdir -p "$node_dir"
  [ -f "$node_dir/package.json" ] || echo '{"name":"pg-flux-toolchains","private":true}' >"$node_dir/package.json"
  (cd "$node_dir" && npm install --silent --no-audit --no-fund typescript@5 zod@3 kysely@0.27 >/dev/null)
fi

cargo_bin=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")
echo "== toolchains: python $(/usr/bin/python3 -m mypy --version 2>/dev/null), pydantic $(/usr/bin/python3 -c 'import pydantic; print(pydantic.VERSION)' 2>/dev/null)"
echo "== toolchains: $cargo_bin ($("$cargo_bin" --version)), crates in /usr/share/cargo/registry"
echo "== toolchains: tsc $("$node_dir/node_modules/.bin/tsc" --version) with zod and kysely in $node_dir/node_modules"

#!/usr/bin/env bash
# A tour of pg-flux on examples/shop, against the embedded dev database: no
# server to set up, only PostgreSQL's binaries. Run it from anywhere:
#   make demo        (or: go build -o pg-flux ./cmd/pg-flux && examples/demo.sh)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="${PGFLUX_BIN:-$repo/pg-flux}"
[ -x "$bin" ] || (cd "$repo" && go build -o pg-flux ./cmd/pg-flux)

# Work on a copy, so the demo starts from an empty database every time.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$repo/examples/shop/." "$work/"
cd "$work"
unset DATABASE_URL PGFLUX_SHADOW_DSN

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

echo "A copy of examples/shop is in $work; schema/ holds the desired state."
step "$bin" plan
step "$bin" migrate generate --label initial
step "$bin" migrate apply
step "$bin" migrate status
step "$bin" drift --strict

echo
echo "Now change the source: customers get a phone column, products lose nothing yet."
sed -i 's/    full_name   text NOT NULL,/    full_name   text NOT NULL,\n    phone       text,/' schema/tables/customers.sql
step "$bin" plan
step "$bin" migrate generate --label add_phone
step "$bin" migrate apply

echo
echo "Dropping a column is a hazard: generate records it, apply refuses without an opt-in."
sed -i '/    phone       text,/d' schema/tables/customers.sql
step "$bin" migrate generate --label drop_phone
grep -h '\[HAZARD' migrations/*drop_phone.sql
set +e
step "$bin" migrate apply
echo "(exit code $?: refused, nothing executed)"
set -e
step "$bin" migrate apply --allow-hazards=DATA_LOSS
step "$bin" drift --strict
step "$bin" verify --strict

#!/usr/bin/env bash
# Short fuzz run of every parser, quoting and serialisation target (seed
# corpora are in each package's testdata/fuzz/; `go test` runs them as
# regression cases).
# The budget is a count of inputs, not a duration: with a duration, Go
# before 1.27 can fail a target with a bare "context deadline exceeded" when
# the deadline fires while a worker is busy (go.dev/issue/75804), which a
# loaded CI machine hits now and then. A longer run: FUZZTIME=10m .ci/fuzz.sh
# (or FUZZTIME=2000000x), or one target by hand:
#   go test ./internal/source -run '^$' -fuzz '^FuzzSplit$' -fuzztime 30m
# A crasher is written to the package's testdata/fuzz/<Target>/: commit it
# with the fix, as a regression case.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
fuzztime="${FUZZTIME:-20000x}"

targets=(
  "./internal/source FuzzSplit"
  "./internal/source FuzzPieces"
  "./internal/source FuzzParseHints"
  "./internal/migration FuzzParseFile"
  "./internal/config FuzzParse"
  "./internal/dsn FuzzRedact"
  "./internal/model FuzzQuoteIdent"
  "./internal/model FuzzCanonicalString"
)
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "== fuzz $name ($pkg, $fuzztime)"
  go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel 2
done

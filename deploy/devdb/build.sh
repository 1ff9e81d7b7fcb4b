#!/usr/bin/env bash
# Builds lapor-devdb: deploy/devdb's gate with FerretDB v1.24.2 from the Go module
# proxy, with twelve small fixes to FerretDB applied at build time
# (nothing of FerretDB is kept in this repository; patch/ holds our own code).
# go.mod asks for modernc.org/sqlite 1.62 instead of the 1.32 FerretDB pins: the
# older Go port of SQLite mapped and unmapped a page of memory for every statement
# journal (about a tenth of the database's CPU under lapor's load).
#
# 1. FerretDB creates the unique _id index on the expression  _ferretdb_sjson->"_id"
#    but looks documents up with  _ferretdb_sjson->'$._id'.  SQLite matches index
#    expressions by their text, so every lookup, update and delete by _id scanned the
#    whole table (measured: update by _id in a 20,000-document collection 150 ms,
#    with the index 1-2 ms). The fix spells the lookup like the index.
# 2. A filter is pushed down to SQLite only when it is exactly {_id: <id>}; any
#    other condition beside the _id (a guarded update such as {_id, v: 3}) decoded
#    every document of the collection in Go. FerretDB filters every fetched document
#    again in Go, so fetching by the _id first and then applying the whole filter
#    gives the same answer. The fix pushes the _id down whenever the filter has one.
# 3. Lookups of many documents by _id ({_id: {$in: [...]}}, how every service reads
#    and writes a batch) scanned the collection too; patch/lapor_id_where.go pushes
#    them down as  WHERE _ferretdb_sjson->"_id" IN (...).
# 4. FerretDB tracks every iterator and cursor for its own leak hunting (a stack
#    trace in a pprof profile and a panicking finalizer each): 7.7 % of the
#    database's CPU in lapor's benchmark. patch/lapor_resource.go turns it off.
#
# 5. FerretDB keeps each document as JSON and decodes it with encoding/json, level
#    by level (a third of the database's CPU in lapor's benchmark). Its sjson
#    package is built with github.com/goccy/go-json instead, a drop-in decoder with
#    the same API (go.mod pins it): reading a complaint costs about 40 % less CPU.
#    FerretDB's own sjson tests pass with it, except the wording of the errors
#    they expect for malformed JSON.
# 6. FerretDB's fsql logs each SQL statement at debug level with
#    l.With(args...).Debug(...), and With encodes the arguments (whole documents)
#    whatever the level: about 5 % of the database's CPU, most of it inside write
#    transactions. patch/lapor_quiet.go asks the logger whether debug is on first.
# 7. Even so, decoding a stored document went level by level: the object into a
#    map of raw messages, then each value with a decoder of its own, so a nested
#    value was scanned once per level above it (a fifth of the database's CPU).
#    patch/lapor_sjson.go reads the schema and the values in one pass and keeps
#    the schemas it read; for any input it does not vouch for (keys out of order,
#    malformed JSON) Unmarshal decodes the old way, with the old errors. Encoding
#    built a buffer per value; the patch writes the same bytes into one.
# 8. The gate (gate.go) lets inserts and deletes by _id through beside the other
#    writes; SQLite then refused the second writer with SQLITE_BUSY and its busy
#    handler slept 1, 2, 5 ... ms. patch/lapor_writer.go makes FerretDB's writers
#    wait for each other on a Go mutex per database instead (which checkpoint.go
#    takes for the short checkpoint that lets the write-ahead log start over).
# 9. FerretDB wrote each document an update changed in a transaction of its own
#    (an update_many of 50: 50 commits). patch/lapor_update.go gathers one
#    statement's documents and writes them in transactions of up to 100.
# 10. SQLite compiled every statement anew and threw it away (FerretDB prepares
#    nothing), about 7 % of the database's CPU. patch/lapor_stmtcache.go registers
#    a database/sql driver wrapping modernc's that keeps, per connection, the
#    compiled statements of the last 64 texts written with (opendb.go opens it).
#
# 11. lapor-devdb lets one write that reads what it changes through at a time
#    (gate.go). That was a front on a socket of its own relaying every message to
#    FerretDB over a second one (about 7 % of the database's CPU);
#    patch/lapor_gate.go makes FerretDB's connection loop ask the gate itself, and
#    leaves unacknowledged writes (OP_MSG moreToCome, w:0) unanswered, which FerretDB
#    answered anyway. patch/lapor_api.go lets lapor-devdb install the gate.
# 12. An update (and findAndModify) kept its query's SQLite read open until the
#    whole command returned, across its writes and their wait for the writer
#    mutex; such readers kept the write-ahead log from starting over.
#    patch/lapor_update.go (fix 9's file) ends the read before the writes.
#
# usage: build.sh GO OUTPUT WORKDIR
set -euo pipefail
go_cmd="$1" out="$2" work="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module=github.com/FerretDB/FerretDB

rm -rf "$work"
mkdir -p "$work"
cp "$here"/*.go "$here/go.mod" "$here/go.sum" "$work/"
cd "$work"
"$go_cmd" mod download "$module"
dir="$("$go_cmd" list -m -f '{{.Dir}}' "$module")"
[ -d "$dir" ] || { echo "build.sh: $module not found in the module cache" >&2; exit 1; }
cp -R "$dir" ferretdb
chmod -R u+w ferretdb

# Replaces the text $2 by $3 in file $1, and fails unless it was there $4 times.
fix() {
    local file="ferretdb/$1" n
    n="$(FROM="$2" perl -0ne '$n = () = /\Q$ENV{FROM}\E/g; print $n' "$file")"
    if [ "$n" != "$4" ]; then
        echo "build.sh: expected $4 x '$2' in $1, found $n: FerretDB changed, check the fixes" >&2
        exit 1
    fi
    FROM="$2" TO="$3" perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$file"
}
fix internal/backends/sqlite/metadata/metadata.go \
    "IDColumn = DefaultColumn + \"->'\$._id'\"" \
    'IDColumn = DefaultColumn + "->\"_id\""' 1
fix internal/backends/sqlite/collection.go \
    'if params.Filter.Len() == 1 {' \
    'if params.Filter != nil {' 2
# 3. Query (not Explain) pushes {_id: {$in: [...]}} down too (patch/lapor_id_where.go).
cp "$here/patch/lapor_id_where.go" ferretdb/internal/backends/sqlite/
fix internal/backends/sqlite/collection.go \
    '		switch v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}
' \
    '		whereClause, args = laporIDWhere(v)
' 1

# 4. resource.Track and Untrack return at once (patch/lapor_resource.go).
cp "$here/patch/lapor_resource.go" ferretdb/internal/util/resource/
fix internal/util/resource/resource.go \
    'func Track(obj any, token *Token) {
' \
    'func Track(obj any, token *Token) {
	if laporUntracked {
		return
	}
' 1
fix internal/util/resource/resource.go \
    'func Untrack(obj any, token *Token) {
' \
    'func Untrack(obj any, token *Token) {
	if laporUntracked {
		return
	}
' 1

# 5. The sjson package decodes with goccy/go-json (every non-test file imports
#    encoding/json once; the count fails the build if FerretDB changed).
json_files=0
for f in ferretdb/internal/handler/sjson/*.go; do
    case "$f" in *_test.go) continue ;; esac
    if grep -q '^	"encoding/json"$' "$f"; then
        sed -i 's#^	"encoding/json"$#	json "github.com/goccy/go-json"#' "$f"
        json_files=$((json_files + 1))
    fi
done
if [ "$json_files" != 14 ]; then
    echo "build.sh: expected 14 sjson files importing encoding/json, found $json_files: FerretDB changed, check the fixes" >&2
    exit 1
fi
goccy="$(awk '$1 == "github.com/goccy/go-json" {print $2}' go.mod)"
(cd ferretdb && "$go_cmd" mod edit -require="github.com/goccy/go-json@$goccy")

# 6. fsql's debug lines are built only when debug logging is on (patch/lapor_quiet.go).
cp "$here/patch/lapor_quiet.go" ferretdb/internal/util/fsql/
for f in tx.go db.go; do
    for dir in '>>> ' '<<< '; do
        recv="${f%%.go}"
        fix "internal/util/fsql/$f" \
            "$recv.l.With(fields...).DebugContext(ctx, fmt.Sprintf(\"$dir%s\", query))" \
            "laporDebug(ctx, $recv.l, fields, \"$dir\", query)" 3
    done
    fix "internal/util/fsql/$f" '	"fmt"
' '' 1 # used by those lines only
done

# 7. Stored documents are decoded in one pass, guided by their schema, and
#    encoded into one buffer (patch/lapor_sjson.go); anything it does not vouch
#    for goes the old way.
cp "$here/patch/lapor_sjson.go" ferretdb/internal/handler/sjson/
fix internal/handler/sjson/sjson.go \
    'func Unmarshal(data []byte) (*types.Document, error) {
' \
    'func Unmarshal(data []byte) (*types.Document, error) {
	if d, ok := laporUnmarshal(data); ok {
		return d, nil
	}

' 1
fix internal/handler/sjson/sjson.go \
    '	schema, err := marshalSchemaForDoc(d)
' \
    '	if b, ok := laporMarshal(d); ok {
		return b, nil
	}

	schema, err := marshalSchemaForDoc(d)
' 1

# 8. Writers wait for each other in Go, not in SQLite's busy handler
#    (patch/lapor_writer.go).
cp "$here/patch/lapor_writer.go" ferretdb/internal/util/fsql/
fix internal/util/fsql/db.go \
    'func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
' \
    'func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	w := db.laporWriter()
	w.Lock()
	defer w.Unlock()

' 1
fix internal/util/fsql/db.go \
    'func (db *DB) InTransaction(ctx context.Context, f func(*Tx) error) (err error) {
' \
    'func (db *DB) InTransaction(ctx context.Context, f func(*Tx) error) (err error) {
	w := db.laporWriter()
	w.Lock()
	defer w.Unlock()

' 1
# The mutex is the database's, by name: lapor-devdb's checkpointer takes it too.
fix internal/util/fsql/db.go \
    '	resource.Track(res, res.token)
' \
    '	laporNamed(res, name)
	resource.Track(res, res.token)
' 1

# 9. The documents one update statement changes are written in one transaction
#    (patch/lapor_update.go), not one each.
cp "$here/patch/lapor_update.go" ferretdb/internal/handler/common/
fix internal/handler/common/update.go \
    'func UpdateDocument(ctx context.Context, c backends.Collection,' \
    'func laporUpdateDocument(ctx context.Context, c backends.Collection,' 1

# 10. SQLite compiles a write's statement once per connection, not every time
#     (patch/lapor_stmtcache.go).
cp "$here/patch/lapor_stmtcache.go" ferretdb/internal/backends/sqlite/metadata/pool/
fix internal/backends/sqlite/metadata/pool/opendb.go \
    'sql.Open("sqlite", uri)' \
    'sql.Open(laporDriverName, uri)' 1

# 11. FerretDB's connection loop asks lapor-devdb's gate before each request
#     (patch/lapor_gate.go) and sends no reply to an unacknowledged write.
cp "$here/patch/lapor_gate.go" ferretdb/internal/clientconn/
cp "$here/patch/lapor_api.go" ferretdb/ferretdb/
fix internal/clientconn/conn.go \
    'resHeader, resBody, resCloseConn = c.route(ctx, reqHeader, reqBody)' \
    'resHeader, resBody, resCloseConn = c.laporRoute(ctx, reqHeader, reqBody)' 1
fix internal/clientconn/conn.go \
    '		if resHeader == nil || resBody == nil {
			panic("no response to send to client")
		}
' \
    '		if laporNoReply(reqBody) {
			if resCloseConn {
				err = errors.New("fatal error")
				return
			}

			continue
		}

		if resHeader == nil || resBody == nil {
			panic("no response to send to client")
		}
' 1

"$go_cmd" mod edit -replace "$module=./ferretdb"
"$go_cmd" build -o "$out" .

package sqlite

// lapor_id_where.go: added to FerretDB's SQLite backend by deploy/devdb/build.sh.
//
// Pushes a filter's _id condition down to SQLite: an _id equal to a string or an
// ObjectID (as FerretDB does), and also {_id: {$in: [...]}} of strings and ObjectIDs,
// so that a batch of lookups by _id is one indexed query instead of a scan of the
// whole collection. FerretDB filters every fetched document again in Go, so fetching
// fewer rows by _id first never changes an answer.

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
)

// laporMaxIn bounds the number of SQL parameters of one pushed-down $in.
const laporMaxIn = 500

// laporIDKey is the SQL argument that matches one _id value, or false when the
// value's type is not indexed this way.
func laporIDKey(v any) (string, bool) {
	switch v.(type) {
	case string, types.ObjectID:
		b, err := sjson.MarshalSingleValue(v)
		if err != nil {
			return "", false
		}
		return string(b), true
	}
	return "", false
}

// laporIDWhere returns the WHERE clause and its arguments for the _id condition v
// (the value of the filter's _id key), or "" when it cannot be pushed down.
func laporIDWhere(v any) (string, []any) {
	if key, ok := laporIDKey(v); ok {
		return fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn), []any{key}
	}

	doc, ok := v.(*types.Document)
	if !ok || doc.Len() != 1 {
		return "", nil
	}

	in, err := doc.Get("$in")
	if err != nil {
		return "", nil
	}

	arr, ok := in.(*types.Array)
	if !ok || arr.Len() == 0 || arr.Len() > laporMaxIn {
		return "", nil
	}

	args := make([]any, 0, arr.Len())
	for i := 0; i < arr.Len(); i++ {
		e, err := arr.Get(i)
		if err != nil {
			return "", nil
		}
		key, ok := laporIDKey(e)
		if !ok {
			return "", nil
		}
		args = append(args, key)
	}

	return fmt.Sprintf(` WHERE %s IN (?%s)`, metadata.IDColumn, strings.Repeat(", ?", len(args)-1)), args
}

package fsql

// lapor_quiet.go: added to FerretDB's fsql package by deploy/devdb/build.sh.
//
// fsql logs every SQL statement at debug level as l.With(args...).Debug(...).
// With builds the handler's attributes at once, whatever the level: the JSON
// handler encoded every statement's arguments (whole documents) for a line it
// then dropped, about 5 % of the database's CPU in lapor's benchmark, most of it
// inside write transactions. laporDebug asks the logger first.

import (
	"context"
	"log/slog"
)

// laporDebug logs prefix+query with fields at debug level, if that level is on.
func laporDebug(ctx context.Context, l *slog.Logger, fields []any, prefix, query string) {
	if !l.Enabled(ctx, slog.LevelDebug) {
		return
	}

	l.With(fields...).DebugContext(ctx, prefix+query)
}

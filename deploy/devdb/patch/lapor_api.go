package ferretdb

// lapor_api.go: added to FerretDB's public ferretdb package by
// deploy/devdb/build.sh, so that lapor-devdb can reach two of its fixes from
// outside FerretDB's internal packages.

import (
	"sync"

	"github.com/FerretDB/FerretDB/internal/clientconn"
	"github.com/FerretDB/FerretDB/internal/util/fsql"
)

// SetLaporGate installs g as clientconn.LaporGate (fix 11); call it before Run.
func SetLaporGate(g func(op int32, command []byte, seq [][]byte) func()) {
	clientconn.LaporGate = g
}

// LaporWriter is the mutex FerretDB's writers of the database called name take
// around each write transaction (fix 8).
func LaporWriter(name string) sync.Locker {
	return fsql.LaporWriter(name)
}

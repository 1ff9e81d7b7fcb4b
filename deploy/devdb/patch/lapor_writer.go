package fsql

// lapor_writer.go: added to FerretDB's fsql package by deploy/devdb/build.sh.
//
// SQLite lets one write transaction run at a time; a second writer is refused
// with SQLITE_BUSY and its busy handler sleeps 1, 2, 5, 10 ... ms before trying
// again. lapor-devdb's gate (gate.go) lets inserts through beside the other
// writes, so writers meet here: they wait for each other on a Go mutex per
// database instead, and the next one starts as soon as the last one commits.
// lapor-devdb's checkpointer takes the same mutex (LaporWriter) for the short
// checkpoint that lets the write-ahead log start over (deploy/devdb/checkpoint.go).

import "sync"

var (
	laporWriters   sync.Map // database name -> *sync.Mutex
	laporDBWriters sync.Map // *DB -> its database's *sync.Mutex
)

// LaporWriter is the write mutex of the database called name.
func LaporWriter(name string) *sync.Mutex {
	m, _ := laporWriters.LoadOrStore(name, new(sync.Mutex))
	return m.(*sync.Mutex)
}

// laporNamed gives db the write mutex of its database's name (WrapDB calls it).
func laporNamed(db *DB, name string) {
	laporDBWriters.Store(db, LaporWriter(name))
}

// laporWriter is db's write mutex, taken around each write transaction and each
// statement run outside one (DDL, deletes). Neither runs inside the other.
func (db *DB) laporWriter() *sync.Mutex {
	if m, ok := laporDBWriters.Load(db); ok {
		return m.(*sync.Mutex)
	}
	m, _ := laporDBWriters.LoadOrStore(db, new(sync.Mutex))
	return m.(*sync.Mutex)
}

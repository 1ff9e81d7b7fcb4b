// lapor_stmtcache.go (lapor, not FerretDB): statements compiled once per connection.
//
// FerretDB hands every SQL statement to database/sql without preparing it, and
// modernc's driver compiles the text, runs it once and throws the compiled
// statement away: about 7 % of lapor-devdb's CPU under lapor's load. The writes
// repeat their text (a batch insert of n documents into a table, an update or a
// delete by _id), so the driver FerretDB opens (build.sh makes opendb.go ask for
// laporDriverName) wraps modernc's and keeps, per connection, the compiled
// statements of the last laporStmtCacheSize texts that ExecContext ran. Queries
// keep the old way: their rows would hold the statement while they are read.
//
// A compiled statement outlives schema changes: SQLite compiles it again by itself
// when a table it names was altered, dropped or created anew.

package pool

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
)

// laporDriverName is the database/sql driver that opendb.go opens SQLite with.
const laporDriverName = "lapor-sqlite"

// laporStmtCacheSize bounds the statements kept per connection (FerretDB's pool
// opens up to 100 connections; a compiled statement takes a few kilobytes).
const laporStmtCacheSize = 64

func init() {
	// sql.Open only looks the driver up; it connects to nothing.
	db, err := sql.Open("sqlite", "")
	if err != nil {
		panic(err)
	}
	sql.Register(laporDriverName, laporDriver{base: db.Driver()})
	_ = db.Close()
}

type laporDriver struct {
	base driver.Driver
}

// laporBase is every method of a connection that database/sql may call; modernc's
// connections have them all.
type laporBase interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// Open opens a connection of modernc's driver and wraps it when it has every
// method database/sql may call (otherwise it is returned as it is: a wrapper would
// hide the ones it has).
func (d laporDriver) Open(name string) (driver.Conn, error) {
	c, err := d.base.Open(name)
	if err != nil {
		return nil, err
	}

	base, ok := c.(laporBase)
	if !ok {
		return c, nil
	}

	return &laporConn{laporBase: base, stmts: map[string]*list.Element{}, lru: list.New()}, nil
}

// laporConn forwards everything to modernc's connection and keeps its compiled
// statements for ExecContext. database/sql uses a connection from one goroutine at
// a time, so the cache needs no lock.
type laporConn struct {
	laporBase

	stmts map[string]*list.Element // SQL text -> its element in lru
	lru   *list.List               // of *laporStmt, most recently used first
}

// laporExecStmt is a compiled statement that runs with a context.
type laporExecStmt interface {
	driver.Stmt
	driver.StmtExecContext
}

type laporStmt struct {
	text string
	stmt laporExecStmt
}

// Unwrap returns modernc's connection (modernc's own helpers look for it).
func (c *laporConn) Unwrap() driver.Conn { return c.laporBase }

// ExecContext runs query with the statement compiled for it before, compiling and
// keeping it the first time. A text that does not compile goes the old way, which
// reports the error as it always did.
func (c *laporConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := c.stmts[query]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*laporStmt).stmt.ExecContext(ctx, args)
	}

	raw, err := c.PrepareContext(ctx, query)
	if err != nil {
		return c.laporBase.ExecContext(ctx, query, args)
	}

	st, ok := raw.(laporExecStmt)
	if !ok {
		_ = raw.Close()
		return c.laporBase.ExecContext(ctx, query, args)
	}

	c.stmts[query] = c.lru.PushFront(&laporStmt{text: query, stmt: st})
	if c.lru.Len() > laporStmtCacheSize {
		old := c.lru.Remove(c.lru.Back()).(*laporStmt)
		delete(c.stmts, old.text)
		_ = old.stmt.Close()
	}

	return st.ExecContext(ctx, args)
}

// Close releases the compiled statements, then the connection.
func (c *laporConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		_ = e.Value.(*laporStmt).stmt.Close()
	}

	c.lru.Init()
	clear(c.stmts)

	return c.laporBase.Close()
}

// check interfaces
var _ laporBase = (*laporConn)(nil)

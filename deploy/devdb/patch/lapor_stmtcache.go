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

// Open opens a connection of modernc's driver and wraps it when it has every
// method database/sql may call (it does; otherwise it is returned as it is).
func (d laporDriver) Open(name string) (driver.Conn, error) {
	c, err := d.base.Open(name)
	if err != nil {
		return nil, err
	}

	w := &laporConn{Conn: c, stmts: map[string]*list.Element{}, lru: list.New()}

	var ok [7]bool
	w.beginTx, ok[0] = c.(driver.ConnBeginTx)
	w.prepare, ok[1] = c.(driver.ConnPrepareContext)
	w.exec, ok[2] = c.(driver.ExecerContext)
	w.query, ok[3] = c.(driver.QueryerContext)
	w.ping, ok[4] = c.(driver.Pinger)
	w.reset, ok[5] = c.(driver.SessionResetter)
	w.valid, ok[6] = c.(driver.Validator)

	for _, has := range ok {
		if !has {
			return c, nil
		}
	}

	return w, nil
}

// laporConn forwards everything to modernc's connection and keeps its compiled
// statements for ExecContext. database/sql uses a connection from one goroutine at
// a time, so the cache needs no lock.
type laporConn struct {
	driver.Conn

	beginTx driver.ConnBeginTx
	prepare driver.ConnPrepareContext
	exec    driver.ExecerContext
	query   driver.QueryerContext
	ping    driver.Pinger
	reset   driver.SessionResetter
	valid   driver.Validator

	stmts map[string]*list.Element // SQL text -> its element in lru
	lru   *list.List               // of *laporStmt, most recently used first
}

type laporStmt struct {
	text string
	stmt driver.StmtExecContext
	raw  driver.Stmt
}

// Unwrap returns modernc's connection (modernc's own helpers look for it).
func (c *laporConn) Unwrap() driver.Conn { return c.Conn }

func (c *laporConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.beginTx.BeginTx(ctx, opts)
}

func (c *laporConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.prepare.PrepareContext(ctx, query)
}

func (c *laporConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.query.QueryContext(ctx, query, args)
}

func (c *laporConn) Ping(ctx context.Context) error { return c.ping.Ping(ctx) }

func (c *laporConn) ResetSession(ctx context.Context) error { return c.reset.ResetSession(ctx) }

func (c *laporConn) IsValid() bool { return c.valid.IsValid() }

// ExecContext runs query with the statement compiled for it before, compiling and
// keeping it the first time. A text that does not compile goes the old way, which
// reports the error as it always did.
func (c *laporConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := c.stmts[query]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*laporStmt).stmt.ExecContext(ctx, args)
	}

	raw, err := c.prepare.PrepareContext(ctx, query)
	if err != nil {
		return c.exec.ExecContext(ctx, query, args)
	}

	st, ok := raw.(driver.StmtExecContext)
	if !ok {
		_ = raw.Close()
		return c.exec.ExecContext(ctx, query, args)
	}

	c.stmts[query] = c.lru.PushFront(&laporStmt{text: query, stmt: st, raw: raw})
	if c.lru.Len() > laporStmtCacheSize {
		old := c.lru.Remove(c.lru.Back()).(*laporStmt)
		delete(c.stmts, old.text)
		_ = old.raw.Close()
	}

	return st.ExecContext(ctx, args)
}

// Close releases the compiled statements, then the connection.
func (c *laporConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		_ = e.Value.(*laporStmt).raw.Close()
	}

	c.lru.Init()
	clear(c.stmts)

	return c.Conn.Close()
}

// check interfaces
var (
	_ driver.Conn               = (*laporConn)(nil)
	_ driver.ConnBeginTx        = (*laporConn)(nil)
	_ driver.ConnPrepareContext = (*laporConn)(nil)
	_ driver.ExecerContext      = (*laporConn)(nil)
	_ driver.QueryerContext     = (*laporConn)(nil)
	_ driver.Pinger             = (*laporConn)(nil)
	_ driver.SessionResetter    = (*laporConn)(nil)
	_ driver.Validator          = (*laporConn)(nil)
)

// lapor_stmtcache_test.go (lapor): the statement cache of lapor_stmtcache.go keeps
// what it compiled, gives the answers compiling anew gives, and lets go of it.
// Run by check.sh (ctest devdb_sjson) inside the FerretDB tree build.sh prepared.

package pool

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// laporOpen opens a database of one connection through the caching driver.
func laporOpen(t *testing.T) *sql.DB {
	t.Helper()

	uri := "file:" + filepath.Join(t.TempDir(), "t.sqlite") + "?_pragma=journal_mode(wal)"
	db, err := sql.Open(laporDriverName, uri)
	if err != nil {
		t.Fatal(err)
	}

	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })

	return db
}

// laporCached reports how many statements the connection of db keeps.
func laporCached(t *testing.T, db *sql.DB) int {
	t.Helper()

	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	n := -1
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*laporConn)
		if !ok {
			return fmt.Errorf("the connection is a %T, not lapor's", dc)
		}
		n = c.lru.Len()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	return n
}

func laporCount(t *testing.T, db *sql.DB, table string) int {
	t.Helper()

	var n int
	if err := db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM %q`, table)).Scan(&n); err != nil {
		t.Fatal(err)
	}

	return n
}

func TestLaporStmtCacheKeepsAndAnswers(t *testing.T) {
	db := laporOpen(t)
	ctx := context.Background()

	if _, err := db.ExecContext(ctx, `CREATE TABLE t (j TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE UNIQUE INDEX t_id ON t (j->'$._id')`); err != nil {
		t.Fatal(err)
	}

	insert := `INSERT INTO t (j) VALUES (?)`
	for i := 0; i < 50; i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := tx.ExecContext(ctx, insert, fmt.Sprintf(`{"_id":%d}`, i))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("insert %d: %d rows affected", i, n)
		}
		if err = tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}

	// The two DDL texts and the insert, each compiled once.
	if n := laporCached(t, db); n != 3 {
		t.Fatalf("%d statements kept, want 3", n)
	}
	if n := laporCount(t, db, "t"); n != 50 {
		t.Fatalf("%d rows, want 50", n)
	}

	// A refused write reports SQLite's error, and the statement works afterwards.
	_, err := db.ExecContext(ctx, insert, `{"_id":7}`)
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Fatalf("duplicate _id: %v", err)
	}
	if _, err = db.ExecContext(ctx, insert, `{"_id":50}`); err != nil {
		t.Fatal(err)
	}

	// Arguments are bound anew each time, not kept from the last run.
	upd := `UPDATE t SET j = ? WHERE j->>'$._id' = ?`
	for i := 0; i < 3; i++ {
		if _, err = db.ExecContext(ctx, upd, fmt.Sprintf(`{"_id":%d,"v":%d}`, i, i*10), i); err != nil {
			t.Fatal(err)
		}
	}
	var v int
	if err = db.QueryRow(`SELECT j->>'$.v' FROM t WHERE j->>'$._id' = 2`).Scan(&v); err != nil || v != 20 {
		t.Fatalf("v of _id 2: %d, %v", v, err)
	}

	// A text that does not compile is reported as before and not kept.
	before := laporCached(t, db)
	if _, err = db.ExecContext(ctx, `INSERT INTO nowhere VALUES (?)`, 1); err == nil {
		t.Fatal("insert into a missing table succeeded")
	}
	if n := laporCached(t, db); n != before {
		t.Fatalf("%d statements kept after a failed compile, want %d", n, before)
	}
}

func TestLaporStmtCacheSurvivesSchemaChanges(t *testing.T) {
	db := laporOpen(t)
	ctx := context.Background()
	insert := `INSERT INTO t (a) VALUES (?)`

	for round := 0; round < 3; round++ {
		if _, err := db.ExecContext(ctx, `CREATE TABLE t (a INTEGER)`); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			if _, err := db.ExecContext(ctx, insert, i); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if n := laporCount(t, db, "t"); n != 5 {
			t.Fatalf("round %d: %d rows, want 5 (the kept insert wrote elsewhere)", round, n)
		}
		if _, err := db.ExecContext(ctx, `DROP TABLE t`); err != nil {
			t.Fatal(err)
		}
	}

	// With the table gone, the kept insert fails like a fresh one.
	_, err := db.ExecContext(ctx, insert, 1)
	if err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Fatalf("insert into a dropped table: %v", err)
	}
}

func TestLaporStmtCacheIsBounded(t *testing.T) {
	db := laporOpen(t)
	ctx := context.Background()

	if _, err := db.ExecContext(ctx, `CREATE TABLE t (a INTEGER)`); err != nil {
		t.Fatal(err)
	}

	// Batch inserts of 1..200 rows: as many texts, at most laporStmtCacheSize kept.
	want := 0
	for n := 1; n <= 200; n++ {
		args := make([]any, n)
		for i := range args {
			args[i] = i
		}
		q := `INSERT INTO t (a) VALUES (?)` + strings.Repeat(`, (?)`, n-1)
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
		want += n
	}

	if n := laporCached(t, db); n != laporStmtCacheSize {
		t.Fatalf("%d statements kept, want %d", n, laporStmtCacheSize)
	}
	if n := laporCount(t, db, "t"); n != want {
		t.Fatalf("%d rows, want %d", n, want)
	}

	// Closing the database closes the kept statements with their connection.
	if err := db.Close(); err != nil && !errors.Is(err, sql.ErrConnDone) {
		t.Fatal(err)
	}
}

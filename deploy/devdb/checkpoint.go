package main

// checkpoint.go: copies SQLite's write-ahead log into the database files in the
// background, instead of inside whichever write filled the log.
//
// SQLite checkpoints automatically when a commit leaves the log over
// wal_autocheckpoint pages, in that commit: with lapor's 40,000 pages that is
// tens of megabytes copied while every other write waits behind the gate's lock
// (gate.go), a stall that showed in the benchmark's p99. Here a goroutine runs a
// passive checkpoint (it waits for no reader or writer) every checkpointEvery on
// its own connection to each database file, so the log rarely reaches the
// automatic limit, which stays as the backstop. Every 2 s rather than more often:
// a page rewritten within the period is copied once (at 0.5 s the database's CPU
// per complaint grew; p99 submit->disposed at half load went from 37-55 to 23-40
// ms in alternating runs either way).
//
// The log starts over from its beginning only when a writer begins after a
// checkpoint copied all of it. Under steady writes a passive checkpoint never
// does (commits land while it copies), so the log grew to the backstop, and there
// the commit that crossed it copied two seconds of pages, fsync included, while
// every other writer waited: 45-130 ms stalls every 6-8 s at 300 complaints a
// second, the benchmark's p99. So once the log is over restartPages, two more
// passive checkpoints run, the last holding FerretDB's write mutex
// (fsql.LaporWriter): each copies what was committed during the one before, the
// last only milliseconds' worth, and the next writer starts the log over.

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the SQLite FerretDB's backend uses, in-process
)

const checkpointEvery = 2 * time.Second

// checkpointer keeps one connection per database file of dir (FerretDB's SQLite
// backend keeps each database in <dir>/<name>.sqlite).
type checkpointer struct {
	dir          string
	writer       func(name string) sync.Locker // a database's write mutex (by name)
	restartPages int                           // a log this long is made to start over
	dbs          map[string]*checkpointDB
	failed       map[string]bool // files whose error was logged already
}

// checkpointDB is a connection to one database file, and which file it opened (a
// dropped database's file is deleted, and a new one may take its name).
type checkpointDB struct {
	db   *sql.DB
	file os.FileInfo
}

func newCheckpointer(dir string, writer func(name string) sync.Locker, restartPages int) *checkpointer {
	return &checkpointer{dir: dir, writer: writer, restartPages: restartPages,
		dbs: map[string]*checkpointDB{}, failed: map[string]bool{}}
}

// run checkpoints every database of dir until ctx ends.
func (c *checkpointer) run(ctx context.Context) {
	ticker := time.NewTicker(checkpointEvery)
	defer ticker.Stop()
	defer c.close()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			c.once()
		}
	}
}

func (c *checkpointer) once() {
	files, _ := filepath.Glob(filepath.Join(c.dir, "*.sqlite"))
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			continue
		}
		cdb := c.dbs[f]
		if cdb != nil && !os.SameFile(cdb.file, info) {
			_ = cdb.db.Close()
			cdb = nil
		}
		if cdb == nil {
			// busy_timeout 0: a checkpoint that cannot start now tries again next tick.
			db, err := sql.Open("sqlite", "file:"+f+"?_pragma=busy_timeout(0)")
			if err != nil {
				c.report(f, err)
				continue
			}
			db.SetMaxOpenConns(1)
			cdb = &checkpointDB{db: db, file: info}
			c.dbs[f] = cdb
		}
		pages, err := checkpoint(cdb.db)
		if err == nil && pages >= c.restartPages {
			// Once more without the mutex first: it copies what landed during the
			// first pass, so the one holding it has only milliseconds' worth left.
			if _, err = checkpoint(cdb.db); err == nil {
				w := c.writer(strings.TrimSuffix(filepath.Base(f), ".sqlite"))
				w.Lock()
				_, err = checkpoint(cdb.db)
				w.Unlock()
			}
		}
		if err != nil {
			c.report(f, err)
		}
	}
}

// checkpoint runs a passive checkpoint and returns the log's length in pages
// (-1 when the file is not in WAL mode).
func checkpoint(db *sql.DB) (int, error) {
	var busy, pages, copied int
	err := db.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &pages, &copied)
	return pages, err
}

func (c *checkpointer) report(file string, err error) {
	if c.failed[file] {
		return
	}
	c.failed[file] = true
	fmt.Fprintf(os.Stderr, "{\"svc\":\"devdb\",\"level\":\"warn\",\"event\":\"checkpoint.failed\",\"file\":%q,\"message\":%q}\n", file, err.Error())
}

func (c *checkpointer) close() {
	for _, cdb := range c.dbs {
		_ = cdb.db.Close()
	}
}

// Command lapor-devdb runs FerretDB v1 with its embedded SQLite backend: the
// local MongoDB-wire database of lapor. It listens on the given address, keeps
// its state in the given directory and stops cleanly on SIGTERM.
//
// FerretDB v1 runs an update as "read the document, compute, write it back"
// with nothing holding the document in between, so two clients updating one
// document at the same time lose one of the updates, and a guarded update can
// report success without effect (measured here: 4 clients x 300 $inc kept 367).
// lapor relies on single-document atomicity, as MongoDB provides it. So FerretDB's
// connection loop asks gate.go before each request (fix 11), which lets one write
// command at a time through. SQLite serialises writes anyway, so little is lost
// and every write becomes atomic with respect to the others; reads, inserts and
// deletes by _id run beside them (they cannot lose another write's effect).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	if len(os.Args) != 3 || os.Args[1] == "--help" || os.Args[1] == "-h" {
		fmt.Fprintf(os.Stderr, "usage: %s <listen host:port> <state directory>\n(LAPOR_DEVDB_STATS=1: on exit, print the count and time of commands per collection;\n LAPOR_DEVDB_SYNC=full: wait for the disk on every commit, default normal;\n LAPOR_DEVDB_CPUPROFILE=FILE: write a Go CPU profile of the whole run, for go tool pprof;\n LAPOR_DEVDB_LOCK_ALL=1: inserts and deletes by _id wait for the other writes too;\n LAPOR_DEVDB_WAL_RESTART_PAGES=N: make the write-ahead log start over once it is N pages long, default 8000)\n", os.Args[0])
		os.Exit(2)
	}
	addr, dir := os.Args[1], os.Args[2]
	// Every request decodes documents from JSON into short-lived objects: with the
	// default GOGC=100 the collector took about a tenth of the database's CPU in
	// lapor's benchmark, and at 400 still a good share (allocation was 15 % of the
	// profile). Larger, the database used 5-8 % less CPU per complaint in six
	// alternating pairs of runs (three at 1200, three at 1000 with a 256 MiB
	// limit; its peak RSS 81-94 -> 135-172 MB); the soft limit keeps a large live
	// heap from growing elevenfold. GOGC and GOMEMLIMIT in the environment still
	// decide.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(1000)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
	}
	if err := run(addr, dir); err != nil {
		fmt.Fprintf(os.Stderr, "{\"svc\":\"devdb\",\"level\":\"error\",\"event\":\"failed\",\"message\":%q}\n", err.Error())
		os.Exit(1)
	}
}

// syncMode is SQLite's synchronous setting: LAPOR_DEVDB_SYNC ("full" or "normal",
// the default). In WAL mode, "normal" loses no committed write when a process dies
// (the operating system has it); only a power cut or a kernel crash may roll back
// the last commits, which is what a development database can afford. "full"
// waits for the disk on every commit. Production runs MongoDB (docs/production.md).
func syncMode() string {
	if os.Getenv("LAPOR_DEVDB_SYNC") == "full" {
		return "full"
	}
	return "normal"
}

// walCheckpointPages is how many pages SQLite's write-ahead log collects before a
// commit copies them into the database (SQLite's default is 1,000). lapor rewrites
// the same pages often (a complaint, its marks, the ledger's newest entries): with
// a longer log, each is copied once instead of many times, and the copies, a fifth
// of the database's CPU for updates at the default, mostly go. checkpoint.go copies
// in the background every two seconds, so this limit is only the backstop: at
// 10,000 pages the pipeline filled the log in under two seconds (about 500
// complaints a second), and most checkpoints ran inside a write, with its fsync,
// while every other write waited. The log takes up to about 160 MB.
const walCheckpointPages = "40000"

// walRestartPages is LAPOR_DEVDB_WAL_RESTART_PAGES (a positive integer), else 8000:
// once the write-ahead log is that long after a checkpoint, the checkpointer makes
// it start over (checkpoint.go).
func walRestartPages() int {
	if n, err := strconv.Atoi(os.Getenv("LAPOR_DEVDB_WAL_RESTART_PAGES")); err == nil && n > 0 {
		return n
	}
	return 8000
}

func run(addr, dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// FerretDB logs every connection at info level; keep warnings and errors.
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	db, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/?_pragma=synchronous(" + syncMode() + ")&_pragma=wal_autocheckpoint(" + walCheckpointPages + ")",
		Logger:    logger,
	})
	if err != nil {
		return err
	}

	g := &gate{lockAll: os.Getenv("LAPOR_DEVDB_LOCK_ALL") == "1"}
	if os.Getenv("LAPOR_DEVDB_STATS") == "1" {
		g.stats = &commandStats{byKey: map[string]*commandCost{}}
	}
	ferretdb.SetLaporGate(g.enter)

	// Where the database's own CPU goes (FerretDB's Go, SQLite compiled to Go).
	if path := os.Getenv("LAPOR_DEVDB_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	done := make(chan struct{})
	go func() {
		db.Run(ctx) // listening since ferretdb.New; returns once every connection closed
		close(done)
	}()
	fmt.Fprintf(os.Stderr, "{\"svc\":\"devdb\",\"event\":\"listening\",\"addr\":%q,\"dir\":%q}\n", addr, dir)
	go newCheckpointer(dir, ferretdb.LaporWriter, walRestartPages()).run(ctx)

	<-done
	if g.stats != nil {
		g.stats.print(os.Stderr)
	}
	fmt.Fprintf(os.Stderr, "{\"svc\":\"devdb\",\"event\":\"stopped\"}\n")
	return nil
}

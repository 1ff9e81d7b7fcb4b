package main

// gate.go: one write command at a time through FerretDB (see main.go for why).
// FerretDB's own connection loop asks the gate before it handles each request
// (fix 11, patch/lapor_gate.go); a global lock is held from the start of a write
// until its reply is ready.
//
// Only writes that read what they change take the lock. Lost updates come from two
// writes interleaving their read-modify-write; a read cannot cause one, nor can an
// insert or a delete by _id alone (withoutLock). Holding the lock for reads too
// would also deadlock: FerretDB may make a write wait until an open cursor is
// closed, while that cursor's getMore waits for the lock.
//
// Until session 12 this was a front on its own socket that relayed every message
// to FerretDB over a second one: about 7 % of the database's CPU went into that
// relay.

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

const opMsg = 2013

type gate struct {
	lock    sync.Mutex
	lockAll bool          // LAPOR_DEVDB_LOCK_ALL=1: inserts and deletes by _id wait too
	stats   *commandStats // nil unless LAPOR_DEVDB_STATS=1
}

// enter is called by FerretDB before it handles a request: op is its opcode,
// command the OP_MSG's kind-0 document and seq the documents of its kind-1
// sections (both nil for other opcodes). It returns what to call once the reply
// is ready, or nil.
func (g *gate) enter(op int32, command []byte, seq [][]byte) func() {
	locked := false
	if op == opMsg {
		name := commandName(command) // anything unreadable ("") counts as a write
		locked = (name == "" || writeCommands[name]) &&
			(g.lockAll || !withoutLock(name, command, seq))
	}
	if locked {
		g.lock.Lock()
	}
	if g.stats == nil {
		if locked {
			return g.lock.Unlock
		}
		return nil
	}
	key, start := commandKey(op, command, seq), time.Now()
	return func() {
		g.stats.add(key, start)
		if locked {
			g.lock.Unlock()
		}
	}
}

// commandStats counts commands and their time (from the gate to the reply, the
// lock's wait included) per command name and collection, to see which queries
// cost the database its time.
type commandStats struct {
	mu    sync.Mutex
	byKey map[string]*commandCost
}

type commandCost struct {
	n     int64
	total time.Duration
	max   time.Duration // the slowest one: stalls show here, not in the mean
}

func (s *commandStats) add(key string, start time.Time) {
	d := time.Since(start)
	s.mu.Lock()
	c := s.byKey[key]
	if c == nil {
		c = &commandCost{}
		s.byKey[key] = c
	}
	c.n++
	c.total += d
	c.max = max(c.max, d)
	s.mu.Unlock()
}

// print writes one JSON line per command and collection, most expensive first.
func (s *commandStats) print(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.byKey))
	for k := range s.byKey {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return s.byKey[keys[i]].total > s.byKey[keys[j]].total })
	for _, k := range keys {
		c := s.byKey[k]
		fmt.Fprintf(w, "{\"svc\":\"devdb\",\"event\":\"command_stats\",\"command\":%q,\"count\":%d,\"total_ms\":%.1f,\"mean_ms\":%.3f,\"max_ms\":%.1f}\n",
			k, c.n, float64(c.total.Microseconds())/1000, float64(c.total.Microseconds())/1000/float64(c.n),
			float64(c.max.Microseconds())/1000)
	}
}

// writeCommands change documents or collections: they go through one at a time.
var writeCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findAndModify": true,
	"findandmodify": true, "createIndexes": true, "dropIndexes": true, "create": true,
	"drop": true, "dropDatabase": true, "renameCollection": true, "collMod": true,
}

// commandName is the first key of a command document: the command's name ("" when
// it cannot be read).
func commandName(command []byte) string {
	var name string
	bsonWalk(command, func(n string, _ byte, _ []byte) bool {
		name = n
		return false
	})
	return name
}

// commandKey is "name collection {filter fields}" of a command (the collection is
// the first element's value when it is a string), for the statistics.
func commandKey(op int32, command []byte, seq [][]byte) string {
	if op != opMsg {
		return "legacy"
	}
	key := commandName(command)
	if key == "" {
		return "unknown"
	}
	bsonWalk(command, func(_ string, typ byte, v []byte) bool {
		if typ == 0x02 && len(v) > 5 { // string: int32 length, bytes, NUL
			key += " " + string(v[4:len(v)-1])
		}
		return false
	})
	// The shape of the filter: its top-level field names.
	for _, field := range []string{"filter", "query", "updates", "deletes"} {
		f := bsonField(command, field)
		if f != nil && (field == "updates" || field == "deletes") {
			f = bsonField(bsonField(f, "0"), "q") // the first statement's filter
		}
		if f != nil {
			return key + " {" + strings.Join(bsonKeys(f), ",") + "}"
		}
	}
	// Drivers send update and delete statements as a document sequence (kind 1)
	// after the command document: the first statement's filter.
	if len(seq) > 0 {
		if q := bsonField(seq[0], "q"); q != nil {
			key += " {" + strings.Join(bsonKeys(q), ",") + "}"
		}
	}
	return key
}

// bsonValueLen is the size of a BSON value of type typ at the start of v, or -1.
func bsonValueLen(typ byte, v []byte) int {
	switch typ {
	case 0x01, 0x09, 0x11, 0x12:
		return 8
	case 0x07:
		return 12
	case 0x08:
		return 1
	case 0x0A, 0x06, 0xFF, 0x7F:
		return 0
	case 0x10:
		return 4
	case 0x13:
		return 16
	case 0x02, 0x0D, 0x0E:
		if len(v) < 4 {
			return -1
		}
		return 4 + int(int32(binary.LittleEndian.Uint32(v)))
	case 0x03, 0x04:
		if len(v) < 4 {
			return -1
		}
		return int(int32(binary.LittleEndian.Uint32(v)))
	case 0x05:
		if len(v) < 4 {
			return -1
		}
		return 5 + int(int32(binary.LittleEndian.Uint32(v)))
	}
	return -1
}

// bsonWalk calls fn for each element of the BSON document doc (name, type, value)
// until fn returns false or the document is malformed.
func bsonWalk(doc []byte, fn func(name string, typ byte, v []byte) bool) {
	if len(doc) < 5 {
		return
	}
	p := doc[4:]
	for len(p) > 1 && p[0] != 0 {
		typ := p[0]
		end := 1
		for end < len(p) && p[end] != 0 {
			end++
		}
		if end >= len(p) {
			return
		}
		name := string(p[1:end])
		p = p[end+1:]
		n := bsonValueLen(typ, p)
		if n < 0 || n > len(p) {
			return
		}
		if !fn(name, typ, p[:n]) {
			return
		}
		p = p[n:]
	}
}

// bsonField is the embedded document named name in doc, or nil.
func bsonField(doc []byte, name string) []byte {
	var found []byte
	bsonWalk(doc, func(n string, typ byte, v []byte) bool {
		if n == name && (typ == 0x03 || typ == 0x04) {
			found = v
			return false
		}
		return true
	})
	return found
}

// bsonKeys lists the top-level field names of doc.
func bsonKeys(doc []byte) []string {
	var keys []string
	bsonWalk(doc, func(n string, _ byte, _ []byte) bool {
		keys = append(keys, n)
		return true
	})
	return keys
}

// withoutLock: writes that cannot lose another write's effect need not wait for
// them. An insert only adds documents (a duplicate _id is refused by SQLite's
// unique index, atomically). A delete whose every statement selects by _id alone
// removes what it finds whatever changed it meanwhile: an update that read the
// document before finds nothing to write back, as if it had come first. Writers
// still meet in FerretDB's write mutex (patch/lapor_writer.go) around the SQLite
// transaction itself. Anything this cannot read takes the lock.
func withoutLock(name string, command []byte, seq [][]byte) bool {
	switch name {
	case "insert":
		return true
	case "delete":
		// Statements come as a document sequence or in the "deletes" array.
		n, ok := 0, true
		for _, st := range seq {
			n++
			ok = ok && byIDAlone(st)
		}
		if d := bsonField(command, "deletes"); d != nil && ok {
			bsonWalk(d, func(_ string, typ byte, v []byte) bool {
				n++
				ok = typ == 0x03 && byIDAlone(v)
				return ok
			})
		}
		return ok && n > 0
	}
	return false
}

// byIDAlone: the statement's filter q has the one field _id.
func byIDAlone(st []byte) bool {
	q := bsonField(st, "q")
	if q == nil {
		return false
	}
	k := bsonKeys(q)
	return len(k) == 1 && k[0] == "_id"
}

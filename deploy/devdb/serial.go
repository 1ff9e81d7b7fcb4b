package main

// serial.go: a MongoDB wire-protocol front that passes one write command at a time
// to FerretDB (see main.go for why). Each client connection gets its own backend
// connection, so cursors and sessions keep their meaning; a global lock is held
// from sending a write until its reply has been read.
//
// Only writes that read what they change take the lock. Lost updates come from two
// writes interleaving their read-modify-write; a read cannot cause one, nor can an
// insert or a delete by _id alone (withoutLock). Holding the lock for reads too
// would also deadlock: FerretDB may make a write wait until an open cursor is
// closed, while that cursor's getMore waits for the lock.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

const (
	headerLen  = 16
	maxMessage = 48 * 1024 * 1024 // MongoDB's maxMessageSizeBytes
	opMsg      = 2013
	moreToCome = 1 << 1 // OP_MSG flag: no reply follows (w:0 writes)
)

type serialFront struct {
	ln      net.Listener
	backend string
	lock    sync.Mutex
	wg      sync.WaitGroup
	stats   *commandStats // nil unless LAPOR_DEVDB_STATS=1
}

// commandStats counts commands and their time (request sent to reply read) per
// command name and collection, to see which queries cost the database its time.
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

func newSerialFront(addr, backend string) (*serialFront, error) {
	// FerretDB creates its socket while starting: wait for it briefly.
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("unix", backend); err == nil {
			c.Close()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &serialFront{ln: ln, backend: backend}, nil
}

func (f *serialFront) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.relay(c)
		}()
	}
}

func (f *serialFront) close() {
	f.ln.Close()
}

// readMessage reads one length-prefixed wire message.
func readMessage(r io.Reader) ([]byte, error) {
	var header [headerLen]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.LittleEndian.Uint32(header[0:4])))
	if n < headerLen || n > maxMessage {
		return nil, fmt.Errorf("bad message length %d", n)
	}
	msg := make([]byte, n)
	copy(msg, header[:])
	if _, err := io.ReadFull(r, msg[headerLen:]); err != nil {
		return nil, err
	}
	return msg, nil
}

// writeCommands change documents or collections: they go through one at a time.
var writeCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findAndModify": true,
	"findandmodify": true, "createIndexes": true, "dropIndexes": true, "create": true,
	"drop": true, "dropDatabase": true, "renameCollection": true, "collMod": true,
}

// commandName is the first key of an OP_MSG body section: the command's name.
// Anything it cannot read counts as a write, to be safe.
func isWrite(msg []byte) bool {
	if binary.LittleEndian.Uint32(msg[12:16]) != opMsg {
		return false // OP_QUERY: the legacy handshake
	}
	body := msg[headerLen+4:]
	if len(body) < 1+4+1 || body[0] != 0 { // section kind 0: the command document
		return true
	}
	doc := body[1+4:] // skip the kind byte and the document's length
	if doc[0] == 0 {  // empty document
		return true
	}
	name := doc[1:]
	end := 0
	for end < len(name) && name[end] != 0 {
		end++
	}
	if end == len(name) {
		return true
	}
	return writeCommands[string(name[:end])]
}

// commandKey is "name collection" of an OP_MSG command (the collection is the
// first element's value when it is a string), for the statistics.
func commandKey(msg []byte) string {
	if len(msg) < headerLen+4+1+4+2 || binary.LittleEndian.Uint32(msg[12:16]) != opMsg {
		return "legacy"
	}
	body := msg[headerLen+4:]
	if body[0] != 0 {
		return "unknown"
	}
	doc := body[1+4:]
	typ := doc[0]
	name := doc[1:]
	end := 0
	for end < len(name) && name[end] != 0 {
		end++
	}
	if end == len(name) {
		return "unknown"
	}
	key := string(name[:end])
	rest := name[end+1:]
	if typ == 0x02 && len(rest) >= 4 { // string: int32 length, bytes, NUL
		n := int(int32(binary.LittleEndian.Uint32(rest[0:4])))
		if n > 1 && 4+n <= len(rest) {
			key += " " + string(rest[4:4+n-1])
		}
	}
	// The shape of the filter: its top-level field names.
	full := body[1:]
	for _, field := range []string{"filter", "query", "updates", "deletes"} {
		f := bsonField(full, field)
		if f != nil && (field == "updates" || field == "deletes") {
			f = bsonField(bsonField(f, "0"), "q") // the first statement's filter
		}
		if f != nil {
			key += " {" + strings.Join(bsonKeys(f), ",") + "}"
			return key
		}
	}
	// Drivers send update and delete statements as a document sequence (section
	// kind 1) after the command document: the first statement's filter.
	if len(full) >= 4 {
		n := int(int32(binary.LittleEndian.Uint32(full)))
		if n > 0 && n+1+4 < len(full) && full[n] == 1 {
			seq := full[n+1+4:]
			end := 0
			for end < len(seq) && seq[end] != 0 {
				end++
			}
			if end+1 < len(seq) {
				if q := bsonField(seq[end+1:], "q"); q != nil {
					key += " {" + strings.Join(bsonKeys(q), ",") + "}"
				}
			}
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

// expectsReply is false only for OP_MSG with moreToCome set.
func expectsReply(msg []byte) bool {
	if binary.LittleEndian.Uint32(msg[12:16]) != opMsg || len(msg) < headerLen+4 {
		return true
	}
	return binary.LittleEndian.Uint32(msg[16:20])&moreToCome == 0
}

// exchange sends one request and reads its reply, holding the lock for writes
// that read what they change.
func (f *serialFront) exchange(back net.Conn, req []byte) ([]byte, error) {
	if len(req) < headerLen+4 || (isWrite(req) && (lockAllWrites || !withoutLock(req))) {
		f.lock.Lock()
		defer f.lock.Unlock()
	}
	if f.stats != nil {
		defer f.stats.add(commandKey(req), time.Now())
	}
	// An unacknowledged write (w:0) still waits here for FerretDB to finish it:
	// FerretDB v1 answers it anyway (its reply would be taken for the client's next
	// one), and the lock must cover the whole write. The client does not wait.
	wanted := expectsReply(req)
	if !wanted {
		flags := binary.LittleEndian.Uint32(req[16:20]) &^ moreToCome
		binary.LittleEndian.PutUint32(req[16:20], flags)
	}
	if _, err := back.Write(req); err != nil {
		return nil, err
	}
	reply, err := readMessage(back)
	if !wanted {
		return nil, err
	}
	return reply, err
}

func (f *serialFront) relay(client net.Conn) {
	defer client.Close()
	back, err := net.Dial("unix", f.backend)
	if err != nil {
		fmt.Fprintf(os.Stderr, "{\"svc\":\"devdb\",\"level\":\"error\",\"event\":\"backend_dial\",\"message\":%q}\n", err.Error())
		return
	}
	defer back.Close()
	for {
		req, err := readMessage(client)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				fmt.Fprintf(os.Stderr, "{\"svc\":\"devdb\",\"level\":\"warn\",\"event\":\"client_read\",\"message\":%q}\n", err.Error())
			}
			return
		}
		reply, err := f.exchange(back, req)
		if err != nil {
			return
		}
		if reply != nil {
			if _, err := client.Write(reply); err != nil {
				return
			}
		}
	}
}

// lockAllWrites (LAPOR_DEVDB_LOCK_ALL=1) makes inserts and deletes by _id take the
// lock too, as every write did before: for comparing, or if in doubt.
var lockAllWrites = os.Getenv("LAPOR_DEVDB_LOCK_ALL") == "1"

// withoutLock: writes that cannot lose another write's effect need not wait for
// them. An insert only adds documents (a duplicate _id is refused by SQLite's
// unique index, atomically). A delete whose every statement selects by _id alone
// removes what it finds whatever changed it meanwhile: an update that read the
// document before finds nothing to write back, as if it had come first. Writers
// still meet in FerretDB's write mutex (patch/lapor_writer.go) around the SQLite
// transaction itself. Anything this cannot read takes the lock.
func withoutLock(msg []byte) bool {
	if len(msg) < headerLen+4 || binary.LittleEndian.Uint32(msg[12:16]) != opMsg {
		return false
	}
	p := msg[headerLen+4:]
	var command []byte
	var seq [][]byte // statements sent as a document sequence (kind 1)
	for len(p) > 0 {
		kind := p[0]
		p = p[1:]
		if len(p) < 4 {
			return false
		}
		n := int(int32(binary.LittleEndian.Uint32(p)))
		if n < 5 || n > len(p) {
			return false
		}
		switch kind {
		case 0:
			command = p[:n]
		case 1:
			sec := p[4:n]
			end := 0
			for end < len(sec) && sec[end] != 0 {
				end++
			}
			if end == len(sec) {
				return false
			}
			for docs := sec[end+1:]; len(docs) > 0; {
				if len(docs) < 5 {
					return false
				}
				m := int(int32(binary.LittleEndian.Uint32(docs)))
				if m < 5 || m > len(docs) {
					return false
				}
				seq = append(seq, docs[:m])
				docs = docs[m:]
			}
		default:
			return false
		}
		p = p[n:]
	}
	if command == nil {
		return false
	}
	var name string // the command's name: its first key
	bsonWalk(command, func(n string, _ byte, _ []byte) bool {
		name = n
		return false
	})
	switch name {
	case "insert":
		return true
	case "delete":
		stmts, odd := seq, false
		if d := bsonField(command, "deletes"); d != nil {
			bsonWalk(d, func(_ string, typ byte, v []byte) bool {
				stmts = append(stmts, v)
				odd = odd || typ != 0x03
				return !odd
			})
		}
		if odd || len(stmts) == 0 {
			return false
		}
		for _, st := range stmts {
			q := bsonField(st, "q")
			if q == nil {
				return false
			}
			if k := bsonKeys(q); len(k) != 1 || k[0] != "_id" {
				return false
			}
		}
		return true
	}
	return false
}

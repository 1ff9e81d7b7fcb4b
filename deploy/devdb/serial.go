package main

// serial.go: a MongoDB wire-protocol front that passes one write command at a time
// to FerretDB (see main.go for why). Each client connection gets its own backend
// connection, so cursors and sessions keep their meaning; a global lock is held
// from sending a write until its reply has been read.
//
// Only writes take the lock. Lost updates come from two writes interleaving their
// read-modify-write; a read cannot cause one. Holding the lock for reads too would
// also deadlock: FerretDB may make a write wait until an open cursor is closed,
// while that cursor's getMore waits for the lock.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
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

// expectsReply is false only for OP_MSG with moreToCome set.
func expectsReply(msg []byte) bool {
	if binary.LittleEndian.Uint32(msg[12:16]) != opMsg || len(msg) < headerLen+4 {
		return true
	}
	return binary.LittleEndian.Uint32(msg[16:20])&moreToCome == 0
}

// exchange sends one request and reads its reply, holding the lock for writes.
func (f *serialFront) exchange(back net.Conn, req []byte) ([]byte, error) {
	if len(req) < headerLen+4 || isWrite(req) {
		f.lock.Lock()
		defer f.lock.Unlock()
	}
	if _, err := back.Write(req); err != nil {
		return nil, err
	}
	if !expectsReply(req) {
		return nil, nil
	}
	return readMessage(back)
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

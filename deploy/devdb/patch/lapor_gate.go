package clientconn

// lapor_gate.go: added to FerretDB's clientconn package by deploy/devdb/build.sh
// (fix 11). lapor-devdb lets one write that reads what it changes through at a
// time (deploy/devdb/gate.go); it used to do so in a front of its own that relayed
// every message to FerretDB over a second socket, about 7 % of the database's CPU
// in lapor's benchmark. Now FerretDB's connection loop asks that gate itself.

import (
	"context"

	"github.com/FerretDB/wire"
)

// LaporGate, when set (before the listener runs), is called before each request is
// handled: op is its opcode, command an OP_MSG's kind-0 document and seq the
// documents of its kind-1 sections, as the message holds them (both nil for other
// opcodes). The function it returns, if any, is called once the reply is ready.
var LaporGate func(op int32, command []byte, seq [][]byte) func()

// laporRoute is route behind the gate.
func (c *conn) laporRoute(ctx context.Context, reqHeader *wire.MsgHeader, reqBody wire.MsgBody) (*wire.MsgHeader, wire.MsgBody, bool) { //nolint:lll // like route
	if LaporGate != nil {
		var command []byte
		var seq [][]byte
		if msg, ok := reqBody.(*wire.OpMsg); ok {
			// Not RawSections: it copies every document of the sequence (an
			// insert's whole batch) into one buffer.
			for _, sec := range msg.Sections() {
				for _, d := range sec.Documents() {
					if sec.Kind == 0 {
						command = d
					} else {
						seq = append(seq, d)
					}
				}
			}
		}
		if done := LaporGate(int32(reqHeader.OpCode), command, seq); done != nil {
			defer done()
		}
	}
	return c.route(ctx, reqHeader, reqBody)
}

// laporNoReply: an OP_MSG with moreToCome (an unacknowledged write, w:0) gets no
// reply. FerretDB v1 answers it anyway, and the client would take that answer for
// the one to its next request.
func laporNoReply(reqBody wire.MsgBody) bool {
	msg, ok := reqBody.(*wire.OpMsg)
	return ok && msg.Flags.FlagSet(wire.OpMsgMoreToCome)
}

package ferretdb

// lapor_gate_api.go: added to FerretDB's public ferretdb package by
// deploy/devdb/build.sh (fix 11), so that lapor-devdb can install its gate
// (patch/lapor_gate.go) from outside FerretDB's internal packages.

import "github.com/FerretDB/FerretDB/internal/clientconn"

// SetLaporGate installs g as clientconn.LaporGate; call it before Run.
func SetLaporGate(g func(op int32, command, seq []byte) func()) {
	clientconn.LaporGate = g
}

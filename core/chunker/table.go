package chunker

import (
	"encoding/binary"

	"github.com/zeebo/blake3"
)

// tableContext separates the gear table derivation from any other use of the
// repository secret. Changing it changes every chunk boundary.
const tableContext = "savepoint 2026-11-23 chunker gear table v1"

// Table is the keyed gear table: one pseudo-random 64-bit value per byte.
type Table [256]uint64

// NewTable derives the gear table from a per-repository secret: 2048 bytes
// of BLAKE3 key-derivation output (context tableContext) read as 256
// little-endian uint64. The same secret always gives the same table.
func NewTable(secret []byte) *Table {
	var raw [256 * 8]byte
	blake3.DeriveKey(tableContext, secret, raw[:])
	t := new(Table)
	for i := range t {
		t[i] = binary.LittleEndian.Uint64(raw[i*8:])
	}
	return t
}

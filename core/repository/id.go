package repository

import (
	"encoding/hex"
	"fmt"
)

// ID names a blob: the keyed BLAKE3-256 of its plaintext.
type ID [32]byte

func (id ID) String() string { return hex.EncodeToString(id[:]) }

// Short is the 8-character form shown to users.
func (id ID) Short() string { return id.String()[:8] }

// IsZero reports whether id is unset.
func (id ID) IsZero() bool { return id == ID{} }

// ParseID parses a 64-character hex ID.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 64 {
		return id, fmt.Errorf("invalid ID %q", s)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("invalid ID %q", s)
	}
	return id, nil
}

func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

func (id *ID) UnmarshalText(b []byte) error {
	p, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = p
	return nil
}

// BlobType says what a blob holds and so which kind of pack stores it.
type BlobType uint8

const (
	DataBlob BlobType = 1 // file or stream content
	TreeBlob BlobType = 2 // a directory listing (metadata)
)

func (t BlobType) String() string {
	switch t {
	case DataBlob:
		return "data"
	case TreeBlob:
		return "tree"
	}
	return fmt.Sprintf("blobtype(%d)", uint8(t))
}

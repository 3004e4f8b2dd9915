package crypto

import (
	"os"
	"testing"
)

// TestStoredKeySlot: a key slot written by an earlier WrapKey (N=1024,
// password "correct horse", master key bytes 0..95) still opens to the
// same master key; a change to the slot's format or its derivation fails
// here, where TestKeySlot's round trip would not notice.
func TestStoredKeySlot(t *testing.T) {
	data, err := os.ReadFile("testdata/keyslot-scrypt.json")
	if err != nil {
		t.Fatal(err)
	}
	slot, err := ParseKeySlot(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := slot.Unwrap("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	var want MasterKey
	for i := range 32 {
		want.Encrypt[i], want.ID[i], want.Chunker[i] = byte(i), byte(32+i), byte(64+i)
	}
	if *got != want {
		t.Fatalf("the stored slot opens to %x, want %x", *got, want)
	}
}

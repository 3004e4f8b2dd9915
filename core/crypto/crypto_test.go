package crypto

import (
	"bytes"
	"errors"
	"testing"
)

func init() { ScryptN = 1 << 10 }

func TestSealOpen(t *testing.T) {
	mk, _ := NewMasterKey()
	s, _ := NewSealer(mk.Encrypt, true)
	plain := []byte("hello savepoint")
	sealed := s.Seal(nil, plain)
	if bytes.Contains(sealed, plain) {
		t.Fatal("sealed bytes contain the plaintext")
	}
	if len(sealed) != len(plain)+s.Overhead() {
		t.Fatalf("sealed length %d, want %d", len(sealed), len(plain)+s.Overhead())
	}
	got, err := s.Open(nil, sealed)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open: %q %v", got, err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := s.Open(nil, sealed); !errors.Is(err, ErrAuth) {
		t.Fatalf("tampered bytes opened: %v", err)
	}
	if _, err := s.Open(nil, sealed[:5]); !errors.Is(err, ErrAuth) {
		t.Fatalf("short bytes opened: %v", err)
	}
}

func TestKeySlot(t *testing.T) {
	mk, _ := NewMasterKey()
	slot, err := WrapKey(mk, "correct horse", true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := slot.Unwrap("correct horse")
	if err != nil || *got != *mk {
		t.Fatalf("Unwrap: %v", err)
	}
	if _, err := slot.Unwrap("wrong"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := WrapKey(mk, "", true); err == nil {
		t.Fatal("empty password accepted")
	}
}

func TestHasherKeyed(t *testing.T) {
	a, _ := NewMasterKey()
	b, _ := NewMasterKey()
	data := []byte("same data")
	ha, hb := NewHasher(a.ID), NewHasher(b.ID)
	if ha.Sum(data) != ha.Sum(data) {
		t.Fatal("hash not deterministic")
	}
	if ha.Sum(data) == hb.Sum(data) {
		t.Fatal("different keys gave the same ID")
	}
}

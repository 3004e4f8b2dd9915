package crypto

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/crypto/scrypt"
)

// ErrWrongPassword means no key slot opens with the given password.
var ErrWrongPassword = errors.New("wrong password")

// KeySlot is a master key wrapped by a password-derived key, as stored in a
// keys/ object. KDF "none" stores the master key in the clear: only for
// repositories created with `init --no-encryption`.
type KeySlot struct {
	KDF    string     `json:"kdf"` // "scrypt" or "none"
	N      int        `json:"n,omitempty"`
	R      int        `json:"r,omitempty"`
	P      int        `json:"p,omitempty"`
	Salt   []byte     `json:"salt,omitempty"`
	Sealed []byte     `json:"sealed,omitempty"` // AES-256-GCM(kek, JSON(MasterKey))
	Plain  *MasterKey `json:"plain,omitempty"`
}

// KDF cost parameters for new slots; tests lower them.
var (
	ScryptN = 1 << 15
	ScryptR = 8
	ScryptP = 1
)

// WrapKey makes a key slot for mk. An empty password with encrypt=false
// makes a "none" slot.
func WrapKey(mk *MasterKey, password string, encrypt bool) (*KeySlot, error) {
	if !encrypt {
		return &KeySlot{KDF: "none", Plain: mk}, nil
	}
	if password == "" {
		return nil, errors.New("an empty password is not allowed")
	}
	plain, err := json.Marshal(mk)
	if err != nil {
		return nil, err
	}
	slot := &KeySlot{KDF: "scrypt", N: ScryptN, R: ScryptR, P: ScryptP, Salt: make([]byte, 32)}
	if _, err := rand.Read(slot.Salt); err != nil {
		return nil, err
	}
	s, err := slot.sealer(password)
	if err != nil {
		return nil, err
	}
	slot.Sealed = s.Seal(nil, plain)
	return slot, nil
}

// maxScryptMemory bounds the memory a key slot's scrypt parameters may ask
// for (128·N·r bytes): 1 GiB, 32 times the default's. The slot is read from
// storage, so its parameters are not to be trusted.
const maxScryptMemory = 1 << 30

// ParseKeySlot decodes a stored key slot and checks that its parameters
// are usable, without deriving anything.
func ParseKeySlot(data []byte) (*KeySlot, error) {
	var k KeySlot
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, err
	}
	switch k.KDF {
	case "none":
		if k.Plain == nil {
			return nil, errors.New("key slot without key")
		}
	case "scrypt":
		if err := k.checkParams(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("key slot uses unknown KDF %q", k.KDF)
	}
	return &k, nil
}

func (k *KeySlot) checkParams() error {
	if k.N < 2 || k.N > 1<<22 || k.N&(k.N-1) != 0 || k.R < 1 || k.R > 64 || k.P < 1 || k.P > 16 ||
		int64(128)*int64(k.N)*int64(k.R) > maxScryptMemory {
		return fmt.Errorf("key slot has unsupported scrypt parameters N=%d r=%d p=%d", k.N, k.R, k.P)
	}
	if len(k.Salt) < 16 || len(k.Salt) > 1024 {
		return fmt.Errorf("key slot has a salt of %d bytes", len(k.Salt))
	}
	return nil
}

// sealer derives the key-encrypting key from password with the slot's
// scrypt parameters and returns the sealer that wraps the master key.
func (k *KeySlot) sealer(password string) (*Sealer, error) {
	if err := k.checkParams(); err != nil {
		return nil, err
	}
	b, err := scrypt.Key([]byte(password), k.Salt, k.N, k.R, k.P, 32)
	if err != nil {
		return nil, err
	}
	var kek [32]byte
	copy(kek[:], b)
	return NewSealer(kek, true)
}

// Unwrap opens the slot with password.
func (k *KeySlot) Unwrap(password string) (*MasterKey, error) {
	switch k.KDF {
	case "none":
		if k.Plain == nil {
			return nil, errors.New("key slot without key")
		}
		return k.Plain, nil
	case "scrypt":
	default:
		return nil, fmt.Errorf("key slot uses unknown KDF %q", k.KDF)
	}
	s, err := k.sealer(password)
	if err != nil {
		return nil, err
	}
	plain, err := s.Open(nil, k.Sealed)
	if err != nil {
		return nil, ErrWrongPassword
	}
	var mk MasterKey
	if err := json.Unmarshal(plain, &mk); err != nil {
		return nil, fmt.Errorf("key slot holds a malformed key: %w", err)
	}
	return &mk, nil
}

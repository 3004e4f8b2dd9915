package crypto

import (
	"encoding/json"
	"testing"
)

// FuzzParseKeySlot decodes a stored key slot and, when its parameters are
// cheap enough for a fuzzer, unwraps it. A slot comes from storage: its
// scrypt parameters must not be able to ask for unbounded memory.
func FuzzParseKeySlot(f *testing.F) {
	old := ScryptN
	ScryptN = 1 << 10
	mk, _ := NewMasterKey()
	slot, _ := WrapKey(mk, "pw", true)
	ScryptN = old
	good, _ := json.Marshal(slot)
	f.Add(good)
	none, _ := json.Marshal(&KeySlot{KDF: "none", Plain: mk})
	f.Add(none)
	f.Add([]byte(`{"kdf":"scrypt","n":4194304,"r":64,"p":16,"salt":"AAAAAAAAAAAAAAAAAAAAAA=="}`))
	f.Add([]byte(`{"kdf":"none","plain":{"encrypt":[1,2,3]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKeySlot(data)
		if err != nil {
			return
		}
		if k.KDF == "scrypt" {
			if int64(128)*int64(k.N)*int64(k.R) > maxScryptMemory {
				t.Fatalf("accepted scrypt parameters needing %d bytes", 128*k.N*k.R)
			}
			if k.N*k.R*k.P > 1<<14 {
				return // valid, but too slow to derive for every input
			}
		}
		mk, err := k.Unwrap("pw")
		if err == nil && mk == nil {
			t.Fatal("no key and no error")
		}
	})
}

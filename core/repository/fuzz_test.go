package repository

import (
	"encoding/json"
	"testing"

	"github.com/savepoint-ci/savepoint/core/chunker"
	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
)

// Fuzz targets for the stored bytes this package decodes (with
// decode_test.go: index segments, pack headers and compression groups, of
// both format versions). Every decoder must
// return an error for bad bytes, never panic, and never allocate more
// than a size it read can justify. `make fuzz` runs them; `go test`
// replays the seeds below and testdata/fuzz.

func FuzzParseConfig(f *testing.F) {
	good, _ := json.Marshal(Config{Version: FormatVersion, ID: "x", Hash: "blake3-keyed", Compression: "zstd",
		Encryption: "aes-256-gcm", PackSize: DefaultPackSize, Chunker: chunker.Default})
	f.Add(good)
	f.Add([]byte(`{"version":1,"hash":"blake3-keyed","compression":"zstd","encryption":"none","pack_size":1048576,"chunker":{"min":0,"avg":0,"max":0}}`))
	f.Add([]byte(`{"version":1,"pack_size":1e300}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseConfig(data)
		if err != nil {
			return
		}
		if cfg.Chunker.Validate() != nil || cfg.PackSize < 1<<20 || cfg.PackSize > 256<<20 {
			t.Fatalf("accepted a config with unusable parameters: %+v", cfg)
		}
	})
}

// plainRepo is an unencrypted repository on a memory backend: the sealed
// objects' plaintext is what the fuzzer writes.
func plainRepo(t testing.TB) (*Repository, *mem.Backend) {
	be := mem.New()
	r, err := Init(t.Context(), be, InitOptions{NoEncryption: true, Chunker: chunker.Params{Min: 1 << 10, Avg: 4 << 10, Max: 16 << 10}, PackSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return r, be
}

// FuzzReadPackHeader stores the input as a pack and reads its header the
// way verify and index repair do: the trailer's length field picks the
// range read, so it must be checked before anything is allocated for it.
func FuzzReadPackHeader(f *testing.F) {
	s, _ := crypto.NewSealer([32]byte{}, false)
	for _, p := range packSeeds(s) {
		f.Add(p)
	}
	f.Add([]byte("\xff\xff\xff\xffSPK1"))
	f.Add([]byte("\xff\xff\xff\xffSPK2"))
	f.Add(append([]byte("SPH1\x01\x00\x00\x00"), make([]byte, packEntrySize)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, be := plainRepo(t)
		name := objectName(data)
		id, _ := ParseID(name)
		if err := be.Save(t.Context(), storage.Handle{Kind: storage.KindData, Name: name}, data); err != nil {
			t.Fatal(err)
		}
		entries, err := r.ReadPackHeader(t.Context(), storage.KindData, id)
		if err != nil {
			return
		}
		checkEntries(t, entries, len(data))
	})
}

// FuzzListIntents stores the input as a deletion intent (prune's marker of
// packs to delete) and lists the intents as a writer does when it starts.
func FuzzListIntents(f *testing.F) {
	var id ID
	id[0] = 1
	good, _ := json.Marshal(Intent{Holder: "h", Packs: []PackRef{{ID: id, Kind: storage.KindData}}})
	f.Add(good)
	f.Add([]byte(`{"packs":[{"id":"zz","kind":"data"}]}`))
	f.Add([]byte(`{"packs":null,"created":"not a time"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, be := plainRepo(t)
		ctx := t.Context()
		if err := be.Save(ctx, storage.Handle{Kind: storage.KindLease, Name: IntentPrefix + "1-x"}, data); err != nil {
			t.Fatal(err)
		}
		intents, err := r.ListIntents(ctx)
		if err != nil {
			return
		}
		if len(intents) != 1 {
			t.Fatalf("%d intents listed, want 1", len(intents))
		}
		if err := r.BeginSession(ctx, "fuzz", intents[0].ModTime); err != nil {
			t.Fatal(err)
		}
	})
}

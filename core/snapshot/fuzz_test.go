package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// FuzzLoadSnapshot stores the input as a snapshot of an unencrypted
// repository (so the fuzzer writes the plaintext) and lists, selects and
// prints the snapshots as the CLI does.
func FuzzLoadSnapshot(f *testing.F) {
	var id repository.ID
	id[0] = 9
	good, _ := json.Marshal(&Snapshot{Time: time.Unix(1e9, 0).UTC(), Hostname: "ci", Name: "prod", Tags: []string{"a"},
		Paths: []string{"src"}, Tree: &id, Parent: &id, Provenance: map[string]string{"commit": "abc"},
		Sources: []Source{{Kind: "command", Name: "db.sql", Content: []repository.ID{id}}}})
	f.Add(good)
	f.Add([]byte(`{"time":"0001-01-01T00:00:00Z","tree":"zz"}`))
	f.Add([]byte(`{"sources":[{"kind":"image","content":null}],"stats":{"bytes_stored":-1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := t.Context()
		repo, be := testrepo.NewPlain(t)
		sum := sha256.Sum256(data)
		if err := be.Save(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: hex.EncodeToString(sum[:])}, data); err != nil {
			t.Fatal(err)
		}
		list, err := List(ctx, repo)
		if err != nil {
			return
		}
		if len(list) != 1 {
			t.Fatalf("%d snapshots listed, want 1", len(list))
		}
		s, err := Find(list, "latest")
		if err != nil {
			t.Fatal(err)
		}
		Select(list, Filter{Name: s.Name, Tags: s.Tags, Provenance: map[string]string{"commit": "a"}})
		Find(list, s.Name+":latest")
		s.Stats.DedupRatio()
		if _, err := json.Marshal(s); err != nil {
			t.Fatalf("a loaded snapshot does not print as JSON: %v", err)
		}
	})
}

package prune_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// FuzzLease stores the input as the prune lease: prune refuses with a
// lease error, and --break-lease always takes the lease over.
func FuzzLease(f *testing.F) {
	good, _ := json.Marshal(prune.Lease{Holder: "h", Host: "ci", PID: 7, Acquired: time.Unix(1e9, 0).UTC(), Expires: time.Unix(2e9, 0).UTC()})
	f.Add(good)
	f.Add([]byte("null"))
	f.Add([]byte(`{"expires":"9999-12-31T23:59:59Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		repo, be := testrepo.NewPlain(t)
		if err := be.Save(ctx, storage.Handle{Kind: storage.KindLease, Name: prune.LeaseName}, data); err != nil {
			t.Fatal(err)
		}
		if _, err := prune.ReadLease(ctx, repo); err != nil && !errors.Is(err, repository.ErrCorrupted) {
			t.Fatalf("ReadLease: %v", err)
		}
		_, err := prune.Run(ctx, repo, prune.Options{})
		if err == nil || !(errors.Is(err, prune.ErrLeaseHeld) || errors.Is(err, prune.ErrLeaseStale) || errors.Is(err, repository.ErrCorrupted)) {
			t.Fatalf("prune with a foreign lease in place: %v", err)
		}
		if _, err := prune.Run(ctx, repo, prune.Options{BreakLease: true}); err != nil {
			t.Fatalf("prune --break-lease: %v", err)
		}
	})
}

// FuzzSessionMarker stores a writer session marker of any name and content
// (prune uses only its name and time): prune removes it once it is older
// than the grace period.
func FuzzSessionMarker(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef", []byte(`{"start":"2026-01-01T00:00:00Z","host":"ci","pid":1}`))
	f.Add("..", []byte{})
	f.Add("a b", []byte{0xff})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		repo, be := testrepo.NewPlain(t)
		if err := be.Save(ctx, storage.Handle{Kind: storage.KindSession, Name: name}, data); err != nil {
			return // not a name a backend stores
		}
		later := time.Now().Add(48 * time.Hour)
		res, err := prune.Run(ctx, repo, prune.Options{Now: func() time.Time { return later }})
		if err != nil {
			t.Fatalf("prune: %v", err)
		}
		if res.SessionsRemoved != 1 {
			t.Fatalf("prune removed %d stale session markers, want 1", res.SessionsRemoved)
		}
	})
}

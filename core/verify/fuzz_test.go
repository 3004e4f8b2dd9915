package verify

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// FuzzFailureMarker stores the input as a verify-failure marker: reading
// it never fails and never forgets the failure (an unreadable marker
// still marks the snapshot as failed).
func FuzzFailureMarker(f *testing.F) {
	good, _ := json.Marshal(Failure{Time: time.Unix(1e9, 0).UTC(), Problems: 2, First: "pack x: missing", Data: true})
	f.Add(good)
	f.Add([]byte(`{"problems":-1}`))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := t.Context()
		repo, be := testrepo.NewPlain(t)
		var id repository.ID
		id[0] = 1
		if err := be.Save(ctx, failedHandle(id), data); err != nil {
			t.Fatal(err)
		}
		failed, err := FailedSnapshots(ctx, be)
		if err != nil || !failed[id] {
			t.Fatalf("the marker is not listed: %v", err)
		}
		f, err := readFailure(ctx, repo, id)
		if err != nil || f == nil {
			t.Fatalf("readFailure: %+v %v", f, err)
		}
	})
}

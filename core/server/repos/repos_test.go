package repos

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// testHub is a hub on a temporary directory with a clock the test moves.
func testHub(t *testing.T) (*Hub, *time.Time, string) {
	t.Helper()
	dir := t.TempDir()
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	pw := filepath.Join(dir, "passwords")
	os.Mkdir(pw, 0o700)
	h := New(Options{Storage: filepath.Join(dir, "storage"), PasswordDir: pw, Now: func() time.Time { return now }})
	t.Cleanup(func() { h.Close() })
	return h, &now, pw
}

func put(t *testing.T, r *Repo, k storage.Kind, name string, size int) {
	t.Helper()
	be := r.Backend()
	if c, ok := be.(storage.Creator); ok {
		c.Create(t.Context())
	}
	if err := be.Save(t.Context(), storage.Handle{Kind: k, Name: name}, make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	r.Touched()
}

// TestNames: the union of the registry (a, b: registered by a server
// process, as a storage that cannot list, OCI, needs), the password
// directory (c) and the storage's listing (d: written there directly,
// b: both), without the server's own records.
func TestNames(t *testing.T) {
	h, _, pw := testHub(t)
	ctx := t.Context()
	for _, n := range []string{"b", "a"} {
		r, _ := h.Get(ctx, n)
		if err := r.Register(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"b", "d"} {
		r, _ := h.Get(ctx, n)
		put(t, r, storage.KindConfig, "config", 10)
	}
	os.WriteFile(filepath.Join(pw, "c"), []byte("pw"), 0o600)
	os.WriteFile(filepath.Join(pw, "Not A Name"), []byte("pw"), 0o600)
	got, err := h.Names(ctx)
	if err != nil || strings.Join(got, " ") != "a b c d" {
		t.Errorf("Names: %v %v, want [a b c d]", got, err)
	}
}

func TestStatsAndHistory(t *testing.T) {
	h, now, _ := testHub(t)
	ctx := t.Context()
	r, _ := h.Get(ctx, "app")
	if st, err := r.Stats(ctx); err != nil || st.Exists {
		t.Fatalf("Stats of nothing: %+v %v", st, err)
	}
	put(t, r, storage.KindConfig, "config", 100)
	put(t, r, storage.KindSnapshot, "aa", 50)
	st, err := r.Stats(ctx)
	if err != nil || !st.Exists || st.Snapshots != 1 || st.StoredBytes != 150 || st.LastSave.IsZero() ||
		st.Kinds[storage.KindSnapshot] != (KindStats{Objects: 1, Bytes: 50}) || st.Kinds[storage.KindData] != (KindStats{}) {
		t.Fatalf("Stats: %+v %v", st, err)
	}
	// Within the refresh and without a write, the figures are cached.
	r.be.Save(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: "bb"}, make([]byte, 50))
	if st, _ := r.Stats(ctx); st.Snapshots != 1 {
		t.Errorf("Stats listed again within the refresh: %+v", st)
	}
	*now = now.Add(DefaultStatsRefresh)
	if st, _ := r.Stats(ctx); st.Snapshots != 2 {
		t.Errorf("Stats after the refresh: %+v, want 2 snapshots", st)
	}
	// Samples: the first at once, a change only after SampleEvery, and
	// an unchanged figure after SampleIdle.
	*now = now.Add(time.Minute)
	put(t, r, storage.KindData, "cc", 1000)
	r.Stats(ctx)
	*now = now.Add(SampleEvery)
	r.Touched()
	r.Stats(ctx)
	*now = now.Add(SampleIdle)
	r.Touched()
	r.Stats(ctx)
	hist, err := r.History(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var bytes []int64
	for _, s := range hist {
		bytes = append(bytes, s.StoredBytes)
	}
	want := []int64{150, 1200, 1200, 1200} // first, the change, idle, and now
	if len(bytes) != len(want) {
		t.Fatalf("history %v, want %v", bytes, want)
	}
	for i := range want {
		if bytes[i] != want[i] {
			t.Fatalf("history %v, want %v", bytes, want)
		}
	}
}

func TestRuns(t *testing.T) {
	h, now, _ := testHub(t)
	ctx := t.Context()
	r, _ := h.Get(ctx, "app")
	ok := *now
	if err := r.NoteRun(ctx, "prune", ok, nil); err != nil {
		t.Fatal(err)
	}
	failed := now.Add(time.Hour)
	if err := r.NoteRun(ctx, "prune", failed, errors.New("lease held")); err != nil {
		t.Fatal(err)
	}
	runs, err := r.Runs(ctx)
	p := runs["prune"]
	if err != nil || !p.LastSuccess.Equal(ok) || !p.LastFailure.Equal(failed) || p.LastError != "lease held" {
		t.Errorf("runs %+v %v", runs, err)
	}
	// Another process (another hub on the same storage) reads them.
	h2 := New(Options{Storage: h.o.Storage})
	defer h2.Close()
	r2, _ := h2.Get(ctx, "app")
	if runs, err := r2.Runs(ctx); err != nil || !runs["prune"].LastFailure.Equal(failed) {
		t.Errorf("runs seen by another hub: %+v %v", runs, err)
	}
}

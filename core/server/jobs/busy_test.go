package jobs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/internal/stallproxy"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestSyncBusy: while a sync from a source into a repository runs (here
// one whose source accepts the connection and never answers), a second
// from the same source is refused with ErrBusy; one from another source
// starts.
func TestSyncBusy(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	pwDir := filepath.Join(dir, "passwords")
	os.Mkdir(pwDir, 0o700)
	os.WriteFile(filepath.Join(pwDir, "far"), []byte("test-password\n"), 0o600)
	hub := repos.New(repos.Options{Storage: filepath.Join(dir, "storage"), PasswordDir: pwDir})
	defer hub.Close()
	repo, err := hub.Get(ctx, "far")
	if err != nil {
		t.Fatal(err)
	}
	rp, err := testrepo.Init(t, repo.Backend())
	if err != nil {
		t.Fatal(err)
	}
	rp.Close()
	table, err := hub.Table(ctx, TableName)
	if err != nil {
		t.Fatal(err)
	}
	r := New(Options{Repos: hub, Table: table})
	defer r.Shutdown(ctx)

	addr := stallproxy.Silent(t) // accepts, never answers
	secret := filepath.Join(dir, "token")
	os.WriteFile(secret, []byte("spt_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"), 0o600)
	spec := func(url string) Spec {
		return Spec{Kind: KindSync, All: true, From: SyncSource{Repo: url, TokenFile: secret, PasswordFile: secret}}
	}
	first, err := r.Start(ctx, "far", spec("http://"+addr+"/app"), "tok", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Start(ctx, "far", spec("http://"+addr+"/app"), "tok", ""); !errors.Is(err, ErrBusy) {
		t.Errorf("a second sync from the same source: %v, want ErrBusy", err)
	}
	other, err := r.Start(ctx, "far", spec("http://127.0.0.1:1/other"), "tok", "")
	if err != nil {
		t.Errorf("a sync from another source: %v", err)
	}
	r.Cancel(ctx, first.ID)
	r.Cancel(ctx, other.ID)
	for _, id := range []string{first.ID, other.ID} {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if j, _ := r.Get(ctx, id); j.State.Final() {
				break
			}
		}
	}
	if j, _ := r.Get(ctx, first.ID); j.State != StateCancelled {
		t.Errorf("the first sync after its cancel: %s", j.State)
	}
}

//go:build unix

package server

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// holdConfig swaps repository repo's config for a FIFO, so that whatever
// opens the repository next (a job) waits at its first read until the
// test calls release (also called when the test ends). The readers held
// then go on with an empty config (a held job fails, unless it was
// cancelled meanwhile), and the file is put back.
func holdConfig(t *testing.T, srv *testserver.Server, repo string) (release func()) {
	t.Helper()
	cfg := filepath.Join(srv.Storage, repo, "config", "config")
	real, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(cfg)
	if err := syscall.Mkfifo(cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	released := false
	release = func() {
		if released {
			return
		}
		released = true
		stop := time.After(3 * time.Second)
		for {
			select {
			case <-stop:
				os.Remove(cfg)
				os.WriteFile(cfg, real, 0o600)
				return
			default:
			}
			f, err := os.OpenFile(cfg, os.O_WRONLY|syscall.O_NONBLOCK, 0)
			if err != nil {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			f.Write(real)
			f.Close()
		}
	}
	t.Cleanup(release)
	return release
}

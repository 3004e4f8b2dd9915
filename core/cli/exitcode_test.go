package cli

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/local"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
)

// TestExitCodes runs the CLI into each documented failure (docs/cli.md);
// TestUserMistakes covers 10, 12 and 13 for more commands.
func TestExitCodes(t *testing.T) {
	workdir(t)
	r := newCLI(t)
	r.ok("save", "--name", "app", "src")

	// 10: no repository there.
	cliAt(t, filepath.Join(t.TempDir(), "none")).fails(ExitNoRepository, "no savepoint repository here", "save", "src")
	// 12: wrong or missing password.
	r.with("SAVEPOINT_PASSWORD", "not-pw").fails(ExitPassword, "wrong password", "restore", "--target", t.TempDir(), "latest")
	// 13: no such snapshot.
	r.fails(ExitNoSnapshot, "snapshot not found", "restore", "--target", t.TempDir(), "other:latest")

	// 11: another prune holds the lease, or left it stale.
	lease := func(expires time.Time) {
		t.Helper()
		be, err := local.New(r.repo)
		if err != nil {
			t.Fatal(err)
		}
		repo := openTestRepo(t, be)
		data, err := repo.SealJSON(prune.Lease{Holder: "other", Host: "elsewhere", Acquired: time.Now(), Expires: expires})
		if err != nil {
			t.Fatal(err)
		}
		if err := be.Save(t.Context(), storage.Handle{Kind: storage.KindLease, Name: prune.LeaseName}, data); err != nil {
			t.Fatal(err)
		}
	}
	lease(time.Now().Add(time.Hour))
	r.fails(ExitLocked, "another prune is running", "prune")
	lease(time.Now().Add(-time.Hour))
	r.fails(ExitLocked, "run 'savepoint prune --break-lease'", "prune")
	r.ok("prune", "--break-lease")

	// 14: the storage refuses the credentials.
	reg := testregistry.InProcess(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if u, p, ok := req.BasicAuth(); !ok || u != "alice" || p != "right" {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, req)
		})
	})
	oci := cliAt(t, "oci://"+reg+"/cache").with("REG_PW", "wrong")
	oci.fails(ExitAccessRefused, "refused the credentials", "--registry-user", "alice", "--registry-password-env", "REG_PW", "snapshots")
	oci.fails(ExitAccessRefused, "(check --registry-user / --registry-password-env or docker login)", "--registry-user", "alice", "--registry-password-env", "REG_PW", "snapshots")
}

// TestHintsNameFlags: the core's errors name no flag; the command line
// adds which flag to set (withHint).
func TestHintsNameFlags(t *testing.T) {
	workdir(t)
	cliAt(t, "oci://127.0.0.1:1/team/app").fails(ExitAccessRefused, "registry user bob but no password: incomplete registry credentials: permission denied (give both --registry-user and --registry-password-env",
		"--registry-user", "bob", "snapshots")
	cliAt(t, "s3://minio.example.com:9000/bucket").fails(ExitError, "an endpoint is not part of it: invalid request (the endpoint goes in --s3-endpoint", "snapshots")
	cliAt(t, "").fails(ExitError, "a TLS certificate needs its key and a key its certificate (give both --tls-cert and --tls-key, or neither)",
		"serve", "--storage", t.TempDir(), "--tls-cert", "cert.pem")
	cliAt(t, "").fails(ExitError, "plain HTTP only on a loopback address (tokens would cross the network in clear text) (give --tls-cert and --tls-key, or --insecure-listen",
		"serve", "--storage", t.TempDir(), "--listen", "0.0.0.0:0")
}

func openTestRepo(t *testing.T, be storage.Backend) interface {
	SealJSON(any) ([]byte, error)
} {
	t.Helper()
	repo, err := openRepo(t.Context(), &Globals{Repo: be.Location(), Env: Env{Getenv: func(k string) string { return map[string]string{"SAVEPOINT_PASSWORD": "pw"}[k] }}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { repo.Close() })
	return repo
}

// TestExitCodeTable: every sentinel maps to its code however it is
// wrapped, and an unknown error is a plain failure.
func TestExitCodeTable(t *testing.T) {
	for _, m := range exitCodes {
		if got := ExitCode(fmt.Errorf("doing something: %w", m.err)); got != m.code {
			t.Errorf("ExitCode(%v) = %d, want %d", m.err, got, m.code)
		}
	}
	for err, want := range map[error]int{
		nil: ExitOK, errors.New("disk on fire"): ExitError, usagef("bad flag"): ExitUsage,
		exitError{ExitPartial, errors.New("partial")}:         ExitPartial,
		fmt.Errorf("saving: %w", storage.ErrQuota):            ExitQuota,
		interrupted{fmt.Errorf("x: %w", storage.ErrNotFound)}: ExitInterrupted,
	} {
		if got := ExitCode(err); got != want {
			t.Errorf("ExitCode(%v) = %d, want %d", err, got, want)
		}
	}
}

package remote_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/stallproxy"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestSlowStorageBehindServer: the S3 storage behind a real `savepoint
// serve` (MinIO through a proxy) stops answering for three times the
// client's idle timeout, then goes on. A PUT waiting for the server to
// store its object, or a GET waiting for it to find one, is not taken for
// a stall (the server sends 103 Early Hints meanwhile): each succeeds with
// one request. A prune on the server, one long silent request, succeeds
// too.
func TestSlowStorageBehindServer(t *testing.T) {
	t.Parallel()
	const idle = time.Second
	m := testenv.RequireMinIO(t)
	p := stallproxy.Start(t, m.Endpoint)
	passwords := t.TempDir()
	if err := os.WriteFile(filepath.Join(passwords, "slow"), []byte("test-password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := testserver.Start(t, testserver.Options{
		Storage: "s3://" + testenv.Unique("sp-slow-") + "/srv",
		Env: []string{"AWS_ACCESS_KEY_ID=" + m.AccessKey, "AWS_SECRET_ACCESS_KEY=" + m.SecretKey,
			"SAVEPOINT_S3_ENDPOINT=http://" + p.Addr(), "AWS_REGION=us-east-1"},
		Args: []string{"--password-dir", passwords, "--early-hints", (idle / 4).String()},
	})
	b, err := remote.New(remote.Options{URL: srv.Repo("slow"), Token: srv.Token("slow", "admin"), IdleTimeout: idle})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	repo, err := testrepo.Init(t, b)
	if err != nil {
		t.Fatal(err)
	}
	repo.Close()
	ctx := t.Context()

	// slowly runs op while the storage behind the server is held for
	// three idle timeouts.
	slowly := func(what string, op func() error) {
		t.Helper()
		holding := p.Hold()
		errc := make(chan error, 1)
		go func() { errc <- op() }()
		select {
		case <-holding:
		case err := <-errc:
			p.Release()
			t.Fatalf("%s ended before the storage was held: %v", what, err)
		}
		time.Sleep(3 * idle) // the storage is silent, and so is the server
		p.Release()
		if err := <-errc; err != nil {
			t.Fatalf("%s while the storage was slow: %v", what, err)
		}
	}

	data, name := storagetest.Blob(1 << 20)
	puts := b.Requests().Put
	slowly("Save", func() error {
		return b.Save(ctx, storage.Handle{Kind: storage.KindData, Name: name}, data)
	})
	if n := b.Requests().Put - puts; n != 1 {
		t.Errorf("a Save the server took long to store cost %d PUTs, want 1 (no retry)", n)
	}
	if strings.Contains(srv.Logs(), `"status":103`) {
		t.Error("the server logged an informational answer as a request's status")
	}

	gets := b.Requests().Get
	slowly("Load", func() error {
		got, err := storage.LoadAll(ctx, b, storage.Handle{Kind: storage.KindData, Name: name})
		if err == nil && !bytes.Equal(got, data) {
			err = errors.New("the object read back differs")
		}
		return err
	})
	if n := b.Requests().Get - gets; n != 1 {
		t.Errorf("a Load the server took long to find cost %d GETs, want 1 (no retry)", n)
	}

	var res prune.Result
	slowly("prune on the server", func() error {
		return b.Maintain(ctx, "prune", prune.Options{Grace: time.Second}, &res)
	})
}

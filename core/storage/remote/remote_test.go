package remote_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// TestConformance runs the storage suite through a real `savepoint serve`
// process on loopback, local storage behind it, with an admin token (the
// suite replaces and removes objects).
func TestConformance(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	token := srv.Token("*", "admin")
	n := 0
	storagetest.Run(t, func(t *testing.T) storage.Backend {
		n++
		be, err := remote.New(remote.Options{URL: srv.Repo(fmt.Sprintf("conformance-%d", n)), Token: token})
		if err != nil {
			t.Fatal(err)
		}
		if err := be.Create(context.Background()); err != nil {
			t.Fatal(err)
		}
		return be
	})
}

// TestMissingRepository: a repository nobody created is ErrNoContainer,
// as a missing directory or bucket is.
func TestMissingRepository(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	be, err := remote.New(remote.Options{URL: srv.Repo("nothing-here"), Token: srv.Token("*", "read")})
	if err != nil {
		t.Fatal(err)
	}
	err = be.List(context.Background(), storage.KindSnapshot, func(storage.Info) error { return nil })
	if !errors.Is(err, storage.ErrNoContainer) {
		t.Fatalf("List in a missing repository: %v, want ErrNoContainer", err)
	}
}

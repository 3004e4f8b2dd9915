package repository_test

import (
	"errors"
	"testing"

	"github.com/savepoint-ci/savepoint/core/chunker"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// Init with KeyFrom shares the source's key under another password and
// takes its chunker; settings that contradict the source are refused.
func TestInitKeyFrom(t *testing.T) {
	a, _ := testrepo.New(t)
	other, _ := testrepo.New(t)
	be := mem.New()
	b, err := repository.Init(ctx, be, repository.InitOptions{Password: "another", KeyFrom: a})
	if err != nil {
		t.Fatal(err)
	}
	probe := []byte("probe")
	if !b.SharesKey(a) || !a.SharesKey(b) || a.SharesKey(other) || b.Hash(probe) != a.Hash(probe) {
		t.Fatal("SharesKey / Hash disagree with KeyFrom")
	}
	if b.Config().Chunker != a.Config().Chunker || b.Config().ID == a.Config().ID {
		t.Fatalf("config %+v from %+v", b.Config(), a.Config())
	}
	if _, err := repository.Open(ctx, be, repository.OpenOptions{Password: "test-password"}); err == nil {
		t.Fatal("the new repository opens with the source's password")
	}
	for _, o := range []repository.InitOptions{
		{Password: "x", KeyFrom: a, NoEncryption: true},
		{Password: "x", KeyFrom: a, Chunker: chunker.Default},
	} {
		if _, err := repository.Init(ctx, mem.New(), o); !errors.Is(err, repository.ErrKeyFromMismatch) {
			t.Fatalf("%+v: %v", o, err)
		}
	}
	plain, _ := testrepo.NewPlain(t)
	if _, err := repository.Init(ctx, mem.New(), repository.InitOptions{Password: "x", KeyFrom: plain}); !errors.Is(err, repository.ErrKeyFromMismatch) {
		t.Fatalf("from an unencrypted source: %v", err)
	}
}

// CheckUnit refuses a unit with one byte changed: by its tag when
// encrypted, by the IDs inside when not.
func TestCheckUnit(t *testing.T) {
	enc, _ := testrepo.New(t)
	plain, _ := testrepo.NewPlain(t)
	for _, r := range []*repository.Repository{enc, plain} {
		data := testrepo.Random(100 << 10)
		id := r.Hash(data)
		if _, err := r.SaveBlob(ctx, repository.DataBlob, id, data); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		stored, l, err := r.LoadUnit(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.CheckUnit([]repository.ID{id}, []repository.Location{l}, stored); err != nil {
			t.Fatal(err)
		}
		bad := append([]byte(nil), stored...)
		bad[len(bad)/2] ^= 1
		if err := r.CheckUnit([]repository.ID{id}, []repository.Location{l}, bad); !errors.Is(err, repository.ErrCorrupted) {
			t.Fatalf("encryption %s: a changed unit: %v", r.Config().Encryption, err)
		}
	}
}

package repository_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func TestBlobsRoundTripAcrossSessions(t *testing.T) {
	repo, be := testrepo.New(t)
	blobs := saveBlobs(t, repo, 40, 100<<10) // 4 MB: several 1 MiB packs
	repo2 := testrepo.Reopen(t, be)
	for id, data := range blobs {
		got, err := repo2.LoadBlob(ctx, id)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("blob %s: %v", id.Short(), err)
		}
	}
	var packs int
	be.List(ctx, storage.KindData, func(storage.Info) error { packs++; return nil })
	if packs < 3 {
		t.Fatalf("expected several packs of ~1 MiB, got %d", packs)
	}
}

func TestDedupWithinAndAcrossSessions(t *testing.T) {
	repo, be := testrepo.New(t)
	data := bytes.Repeat([]byte("savepoint "), 5000)
	id := repo.Hash(data)
	if isNew, _ := repo.SaveBlob(ctx, repository.DataBlob, id, data); !isNew {
		t.Fatal("first save of a blob must be new")
	}
	if isNew, _ := repo.SaveBlob(ctx, repository.DataBlob, id, data); isNew {
		t.Fatal("second save in the same session must be deduplicated")
	}
	repo.Flush(ctx)
	repo2 := testrepo.Reopen(t, be)
	if isNew, _ := repo2.SaveBlob(ctx, repository.DataBlob, id, data); isNew {
		t.Fatal("a blob stored by an earlier session must be deduplicated")
	}
	if s := repo.WriteStats(); s.Blobs != 1 || s.BytesStored >= int64(len(data)) {
		t.Fatalf("stats %+v: want one compressed blob", s)
	}
}

func TestEncryptedAtRest(t *testing.T) {
	repo, be := testrepo.New(t)
	marker := []byte("PLAINTEXT-MARKER-THAT-MUST-NOT-APPEAR")
	data := bytes.Repeat(marker, 100)
	repo.SaveBlob(ctx, repository.DataBlob, repo.Hash(data), data)
	repo.Flush(ctx)
	for _, k := range []storage.Kind{storage.KindData, storage.KindIndex} {
		be.List(ctx, k, func(fi storage.Info) error {
			b, _ := storage.LoadAll(ctx, be, storage.Handle{Kind: k, Name: fi.Name})
			if bytes.Contains(b, marker[:16]) {
				t.Fatalf("%s/%s contains plaintext", k, fi.Name)
			}
			return nil
		})
	}
}

func TestUnencryptedOnlyWhenAsked(t *testing.T) {
	be := mem.New()
	if _, err := repository.Init(ctx, be, repository.InitOptions{}); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("init without password or --no-encryption: %v", err)
	}
	repo, err := repository.Init(ctx, be, repository.InitOptions{NoEncryption: true})
	if err != nil {
		t.Fatal(err)
	}
	if repo.Config().Encryption != "none" {
		t.Fatal("want an unencrypted repository")
	}
	if _, err := repository.Open(ctx, be, repository.OpenOptions{}); err != nil {
		t.Fatalf("an unencrypted repository opens without password: %v", err)
	}
}

func TestPasswordErrors(t *testing.T) {
	_, be := testrepo.New(t)
	if _, err := repository.Open(ctx, be, repository.OpenOptions{Password: "nope"}); !errors.Is(err, crypto.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := repository.Open(ctx, be, repository.OpenOptions{}); !errors.Is(err, repository.ErrNeedPassword) {
		t.Fatalf("no password: %v", err)
	}
	if _, err := testrepo.Init(t, be); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("init over a repository: %v", err)
	}
}

func TestNoRepositoryAndUnknownVersion(t *testing.T) {
	be := mem.New()
	if _, err := repository.Open(ctx, be, repository.OpenOptions{Password: "x"}); !errors.Is(err, repository.ErrNoRepository) {
		t.Fatalf("empty backend: %v", err)
	}
	testrepo.Init(t, be)
	h := storage.Handle{Kind: storage.KindConfig, Name: "config"}
	raw, _ := storage.LoadAll(ctx, be, h)
	var cfg map[string]any
	json.Unmarshal(raw, &cfg)
	cfg["version"] = 99
	raw, _ = json.Marshal(cfg)
	be.Save(ctx, h, raw)
	_, err := repository.Open(ctx, be, repository.OpenOptions{Password: "test-password"})
	if err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Fatalf("unknown version: %v", err)
	}
}

func TestTamperedPackIsNamed(t *testing.T) {
	repo, be := testrepo.New(t)
	blobs := saveBlobs(t, repo, 1, 50<<10)
	pack := lastObject(be, storage.KindData)
	be.Corrupt(storage.Handle{Kind: storage.KindData, Name: pack}, 100)
	repo2 := testrepo.Reopen(t, be)
	for id := range blobs {
		_, err := repo2.LoadBlob(ctx, id)
		if !errors.Is(err, repository.ErrCorrupted) || !strings.Contains(err.Error(), pack) || !strings.Contains(err.Error(), id.String()) {
			t.Fatalf("tampered blob: %v (want ErrCorrupted naming pack %s and blob)", err, pack[:8])
		}
	}
}

func TestTamperedIndexIsNamed(t *testing.T) {
	repo, be := testrepo.New(t)
	saveBlobs(t, repo, 2, 1000)
	seg := lastObject(be, storage.KindIndex)
	be.Corrupt(storage.Handle{Kind: storage.KindIndex, Name: seg}, 10)
	repo2 := testrepo.Reopen(t, be)
	err := repo2.LoadIndex(ctx)
	if !errors.Is(err, repository.ErrCorrupted) || !strings.Contains(err.Error(), seg) {
		t.Fatalf("tampered index: %v", err)
	}
}

func TestPackHeaderRebuildsIndex(t *testing.T) {
	repo, be := testrepo.New(t)
	blobs := saveBlobs(t, repo, 25, 60<<10)
	repo2 := testrepo.Reopen(t, be)
	repo2.LoadIndex(ctx)
	seen := 0
	be.List(ctx, storage.KindData, func(fi storage.Info) error {
		id, _ := repository.ParseID(fi.Name)
		entries, err := repo2.ReadPackHeader(ctx, storage.KindData, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			loc, ok := repo2.Index().Lookup(e.ID)
			if !ok || loc.Pack != id || loc.Offset != e.Offset || loc.Length != e.Length {
				t.Fatalf("pack header entry %s disagrees with the index", e.ID.Short())
			}
			seen++
		}
		return nil
	})
	if seen != len(blobs) {
		t.Fatalf("pack headers list %d blobs, want %d", seen, len(blobs))
	}
}

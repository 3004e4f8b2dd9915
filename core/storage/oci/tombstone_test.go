package oci_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
)

// noDelete refuses the DELETE API the way GHCR does.
var noDelete = testregistry.Refuse(func(r *http.Request) bool { return r.Method == http.MethodDelete },
	http.StatusMethodNotAllowed, "UNSUPPORTED", "The operation is unsupported.")

func TestTombstonesSeenByOtherClients(t *testing.T) {
	host := inProcess(t, noDelete)
	ctx := t.Context()
	w := newBackend(t, host, oci.Options{Keychain: anonymous})
	keep, kname := storagetest.Blob(100)
	gone, gname := storagetest.Blob(100)
	for _, h := range []storage.Handle{{Kind: storage.KindIndex, Name: kname}, {Kind: storage.KindIndex, Name: gname}} {
		data := keep
		if h.Name == gname {
			data = gone
		}
		if err := w.Save(ctx, h, data); err != nil {
			t.Fatal(err)
		}
	}
	sess := storage.Handle{Kind: storage.KindSession, Name: "w1"}
	if err := w.Save(ctx, sess, []byte("marker")); err != nil {
		t.Fatal(err)
	}
	if err := w.Remove(ctx, storage.Handle{Kind: storage.KindIndex, Name: gname}); err != nil {
		t.Fatal(err)
	}
	if err := w.Remove(ctx, sess); err != nil {
		t.Fatal(err)
	}
	r, _ := oci.New(w.Location(), oci.Options{Keychain: anonymous})
	var names []string
	if err := r.List(ctx, storage.KindIndex, func(fi storage.Info) error { names = append(names, fi.Name); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0] != kname {
		t.Fatalf("another client lists %v, want only %s", names, kname)
	}
	if _, err := r.Load(ctx, sess, 0, 0); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Load of a removed session: %v", err)
	}
	n := 0
	r.List(ctx, storage.KindSession, func(storage.Info) error { n++; return nil })
	if n != 0 {
		t.Fatalf("a removed session is still listed")
	}
	// Saving the session again brings it back.
	if err := r.Save(ctx, sess, []byte("again")); err != nil {
		t.Fatal(err)
	}
	if got, err := storage.LoadAll(ctx, r, sess); err != nil || string(got) != "again" {
		t.Fatalf("re-saved session: %q, %v", got, err)
	}
}

// TestForeignTags: tags of savepoint's shape that hold other artifacts are
// skipped by List, not fatal.
func TestForeignTags(t *testing.T) {
	host := inProcess(t, nil)
	ctx := t.Context()
	b := newBackend(t, host, oci.Options{Keychain: anonymous})
	if err := b.Save(ctx, storage.Handle{Kind: storage.KindSession, Name: "ours"}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	// Someone pushes an image manifest under "session-theirs".
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}`
	req, _ := http.NewRequest(http.MethodPut, "http://"+host+"/v2/"+strings.TrimPrefix(b.Location(), "oci://"+host+"/")+"/manifests/session-theirs", strings.NewReader(manifest))
	req.Header.Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("pushing a foreign manifest: %v %v", err, res)
	}
	res.Body.Close()
	var names []string
	if err := b.List(ctx, storage.KindSession, func(fi storage.Info) error { names = append(names, fi.Name); return nil }); err != nil {
		t.Fatalf("List with a foreign tag: %v", err)
	}
	if len(names) != 1 || names[0] != "ours" {
		t.Fatalf("List(sessions) = %v, want [ours]", names)
	}
}

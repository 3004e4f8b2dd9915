package remote_test

import (
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/stallproxy"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// through returns a backend for a new repository of srv whose
// connections go through a stalling proxy.
func through(t *testing.T, srv *testserver.Server, name string, o remote.Options) (*remote.Backend, *stallproxy.Proxy) {
	t.Helper()
	p := stallproxy.Start(t, srv.Addr)
	o.URL = strings.Replace(srv.Repo(name), srv.Addr, p.Addr(), 1)
	o.Token = srv.Token(name, "admin")
	b, err := remote.New(o)
	return storagetest.Created(t, b, err), p
}

// TestStalledTransfers: a connection to a real `savepoint serve` that
// stops moving bytes half-way through a PUT or a GET, without closing,
// costs the client's idle timeout and a retry on a fresh connection, and
// the operation succeeds within storagetest.StallBound. The client runs
// with its default settings.
func TestStalledTransfers(t *testing.T) {
	t.Parallel()
	b, p := through(t, testserver.Start(t, testserver.Options{}), "stalls", remote.Options{})
	storagetest.SaveLoadThroughStalls(t, b, p)
}

// TestStalledListAndStat: a listing whose answer stalls half-way is asked
// for again and yields every object once; a HEAD whose answer stalls is
// retried. (A short idle timeout keeps the test quick.)
func TestStalledListAndStat(t *testing.T) {
	t.Parallel()
	b, p := through(t, testserver.Start(t, testserver.Options{}), "stalls", remote.Options{IdleTimeout: 500 * time.Millisecond})
	ctx := t.Context()
	want := map[string]int64{}
	var last storage.Handle
	for i := range 100 {
		data, name := storagetest.Blob(100 + i)
		last = storage.Handle{Kind: storage.KindSnapshot, Name: name}
		if err := b.Save(ctx, last, data); err != nil {
			t.Fatal(err)
		}
		want[name] = int64(len(data))
	}

	p.Stall(stallproxy.Down, 4<<10) // the list is about 13 KiB
	got := map[string]int{}
	err := b.List(ctx, storage.KindSnapshot, func(fi storage.Info) error {
		got[fi.Name]++
		if fi.Size != want[fi.Name] {
			t.Errorf("List gave %s with size %d, want %d", fi.Name, fi.Size, want[fi.Name])
		}
		return nil
	})
	if err != nil {
		t.Fatalf("List through a stalled answer: %v", err)
	}
	if p.Stalls() != 1 {
		t.Fatalf("the proxy stalled %d connections, want 1", p.Stalls())
	}
	for name, n := range got {
		if n != 1 {
			t.Errorf("List gave %s %d times", name, n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("List gave %d objects, want %d", len(got), len(want))
	}

	p.Stall(stallproxy.Down, 10)
	fi, err := b.Stat(ctx, last)
	if err != nil || fi.Size != want[last.Name] {
		t.Fatalf("Stat through a stalled answer: %+v, %v", fi, err)
	}
	if p.Stalls() != 2 {
		t.Fatalf("the proxy stalled %d connections, want 2", p.Stalls())
	}
}

package storagetest

import (
	"context"
	"slices"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Names checks a storage.Namespace: before anything is stored below it,
// parent lists no name; after objects are saved in the locations "app" and
// "db.prod" (child opens and creates the location of a name below parent),
// it lists exactly those two, and an object of the parent's own is not a
// name.
func Names(t *testing.T, parent storage.Backend, child func(t *testing.T, name string) storage.Backend) {
	t.Helper()
	ctx := context.Background()
	ns, ok := parent.(storage.Namespace)
	if !ok {
		t.Fatalf("%T does not list names", parent)
	}
	list := func() []string {
		var out []string
		if err := ns.Names(ctx, func(n string) error { out = append(out, n); return nil }); err != nil {
			t.Fatalf("Names: %v", err)
		}
		slices.Sort(out)
		return out
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("Names of an empty location: %q", got)
	}
	for _, name := range []string{"app", "db.prod"} {
		be := child(t, name)
		data, id := Blob(100)
		if err := be.Save(ctx, storage.Handle{Kind: storage.KindData, Name: id}, data); err != nil {
			t.Fatal(err)
		}
	}
	if got := list(); !slices.Equal(got, []string{"app", "db.prod"}) {
		t.Fatalf("Names: %q, want [app db.prod]", got)
	}
}

package tokens

import (
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
)

// FuzzAuthenticate: the Authorization header's token, as anyone may send
// it. Only the one token the store issued authenticates; a string parse
// accepts names a record the storage can hold (its ID becomes a record
// name) and is the token it was split from.
func FuzzAuthenticate(f *testing.F) {
	s := NewStore(records.New(mem.New()), Options{})
	token, tok, err := s.Create(f.Context(), "app", RoleAppend, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(token)
	f.Add(token[:len(token)-1] + "A")
	f.Add("spt_" + tok.ID + "_")
	f.Add("spt_../../etc_" + strings.Repeat("a", 43))
	f.Add("spt_0123456789abcdef_" + strings.Repeat("\x00", 43))
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		got, err := s.Authenticate(t.Context(), v)
		if (err == nil) != (v == token) {
			t.Fatalf("Authenticate(%q): %+v, %v", v, got, err)
		}
		id, secret, err := Parse(v)
		if err != nil {
			return
		}
		if prefix+id+"_"+secret != v || !ValidID(id) || len(secret) != 43 {
			t.Fatalf("Parse(%q) = %q, %q", v, id, secret)
		}
		if err := storage.CheckHandle(storage.Handle{Kind: storage.KindLease, Name: id}); err != nil {
			t.Fatalf("Parse(%q): ID %q is no record name: %v", v, id, err)
		}
	})
}

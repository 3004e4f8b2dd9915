package protocol

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzCheckRepoName: the repository name in a request's path. A name it
// accepts is one segment of a URL path, a directory, an S3 key segment and
// an OCI path component as it is (nothing to escape, no dot segments), and
// never a name the server keeps for itself.
func FuzzCheckRepoName(f *testing.F) {
	for _, s := range []string{"app", "my-app.v2", "a_b", "..", ".", "a..b", "-a", "a-", "API", "api", "savepoint-server",
		"a/b", "a%2fb", strings.Repeat("a", 65), "é", "a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if CheckRepoName(name) != nil {
			return
		}
		if name == "" || len(name) > 64 || url.PathEscape(name) != name || strings.ContainsAny(name, "/\\%\x00") ||
			strings.Contains(name, "..") || name[0] == '.' || slices.Contains(Reserved, name) || strings.ToLower(name) != name {
			t.Fatalf("CheckRepoName accepted %q", name)
		}
	})
}

// FuzzDecodeAnswer: the JSON bodies the client decodes from a server (a
// list entry, an error). Whatever decodes encodes again and decodes to
// the same value: nothing a server sends is half-read.
func FuzzDecodeAnswer(f *testing.F) {
	f.Add([]byte(`{"name":"abc","size":12,"mtime":"2026-12-02T19:00:00.123456789Z"}`))
	f.Add([]byte(`{"error":"refused: x","code":"forbidden","role":"admin","token_role":"append"}`))
	f.Add([]byte(`{"name":"","size":-1,"mtime":"0001-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"size":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Entry
		if json.Unmarshal(data, &e) == nil {
			b, err := json.Marshal(e)
			if err != nil {
				if _, terr := e.ModTime.MarshalJSON(); terr != nil {
					return // a time outside RFC 3339's years: the client keeps it as a time.Time
				}
				t.Fatalf("entry %+v does not encode: %v", e, err)
			}
			var back Entry
			if err := json.Unmarshal(b, &back); err != nil || back.Name != e.Name || back.Size != e.Size || !back.ModTime.Equal(e.ModTime) {
				t.Fatalf("entry %+v reads back as %+v (%v)", e, back, err)
			}
		}
		var er Error
		if json.Unmarshal(data, &er) == nil {
			b, _ := json.Marshal(er)
			var back Error
			if err := json.Unmarshal(b, &back); err != nil || back != er {
				t.Fatalf("error %+v reads back as %+v (%v)", er, back, err)
			}
		}
	})
}

package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/savepoint-ci/savepoint/core/server"
	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/local"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// fuzzServer is one in-process server for every input of FuzzRequest:
// repository "app" holds one object of every kind; its read and append
// tokens, and an admin token of another repository, are what the inputs
// may send.
type fuzzServer struct {
	root    string // holds the storage directory and nothing else
	handler http.Handler
	app     storage.Backend
	seeded  map[storage.Handle][]byte
	tokens  []string // none, read and append on app, admin on "adm", malformed
}

var (
	fuzzOnce sync.Once
	fuzzSrv  *fuzzServer
)

func newFuzzServer(f *testing.F) *fuzzServer {
	fuzzOnce.Do(func() {
		ctx := f.Context()
		root, err := os.MkdirTemp("", "savepoint-fuzz-server-")
		if err != nil {
			f.Fatal(err)
		}
		store := tokens.NewStore(records.New(mem.New()), tokens.Options{})
		s := &fuzzServer{root: root, seeded: map[storage.Handle][]byte{}, tokens: []string{""}}
		for _, t := range []struct {
			repo string
			role tokens.Role
		}{{"app", tokens.RoleRead}, {"app", tokens.RoleAppend}, {"adm", tokens.RoleAdmin}} {
			tok, _, err := store.Create(ctx, t.repo, t.role, 0)
			if err != nil {
				f.Fatal(err)
			}
			s.tokens = append(s.tokens, tok)
		}
		s.tokens = append(s.tokens, "spt_0123456789abcdef_"+strings.Repeat("x", 43))
		storageDir := filepath.Join(root, "storage")
		app, err := local.New(filepath.Join(storageDir, "app"))
		if err == nil {
			err = app.Create(ctx)
		}
		if err != nil {
			f.Fatal(err)
		}
		s.app = app
		add := func(h storage.Handle, data []byte) {
			if err := s.app.Save(ctx, h, data); err != nil {
				f.Fatal(err)
			}
			s.seeded[h] = data
		}
		add(storage.Handle{Kind: storage.KindConfig, Name: "config"}, []byte(`{"version":2}`))
		for _, k := range []storage.Kind{storage.KindKey, storage.KindSnapshot, storage.KindIndex, storage.KindMeta, storage.KindData} {
			data, n := fixedBlob(string(k))
			add(storage.Handle{Kind: k, Name: n}, data)
		}
		add(storage.Handle{Kind: storage.KindLease, Name: "prune"}, []byte("lease"))
		add(storage.Handle{Kind: storage.KindSession, Name: "admins-marker"}, []byte("marker"))
		srv := server.New(server.Options{Repos: repos.New(repos.Options{Storage: storageDir}), Tokens: store,
			MaxRequestSize: 1 << 20})
		s.handler = srv.Handler()
		fuzzSrv = s
		f.Cleanup(func() { os.RemoveAll(root) })
	})
	return fuzzSrv
}

var fuzzMethods = []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodPost, http.MethodPatch}

// FuzzRequest sends the server requests as anyone on the network, or a
// job holding a read or append token, could: any method, path (repository
// name, kind, object name, maintenance operation), token, Range and
// checksum header, and body (a maintenance request's JSON options). The
// server must answer every one (no 500, no panic); an error answer of its
// own is a protocol.Error with a message and a code; no object of "app"
// is changed or removed, whatever a read or append token sends (the admin
// token is for another repository); and nothing is written outside the
// storage directory.
func FuzzRequest(f *testing.F) {
	s := newFuzzServer(f)
	var data, index string
	for h := range s.seeded {
		switch h.Kind {
		case storage.KindData:
			data = h.Name
		case storage.KindIndex:
			index = h.Name
		}
	}
	blob, blobName := fixedBlob("new")
	seeds := []struct {
		method   uint8
		path     string
		token    uint8
		rng, sum string
		body     []byte
	}{
		{0, "/app/data/" + data, 1, "bytes=10-19", "", nil},
		{0, "/app/data/" + data, 1, "bytes=0-9223372036854775807", "", nil},
		{1, "/app/index/" + index, 2, "", "", nil},
		{0, "/app/snapshots/", 1, "", "", nil},
		{2, "/app/data/" + blobName, 2, "", "", blob},
		{2, "/app/data/" + data, 2, "", "", []byte("other bytes")},
		{2, "/app/lease/prune", 2, "", "", []byte("mine now")},
		{2, "/app/config/config", 2, "", strings.Repeat("0", 64), []byte(`{"version":9}`)},
		{2, "/app/sessions/new-marker", 2, "", "", []byte("m")},
		{3, "/app/sessions/admins-marker", 2, "", "", nil},
		{3, "/app/data/" + data, 1, "", "", nil},
		{4, "/app/maintenance/prune", 2, "", "", []byte(`{"dry_run":true}`)},
		{4, "/adm/maintenance/prune", 3, "", "", []byte(`{"grace":-1,"max_unused":2,"lease_ttl":"x"}`)},
		{4, "/adm/maintenance/forget", 3, "", "", []byte(`{"keep_last":1,"unknown":true}`)},
		{4, "/adm/maintenance/verify", 3, "", "", []byte(`{}`)},
		{4, "/app/", 2, "", "", nil},
		{0, "/app/../adm/data/x", 1, "", "", nil},
		{0, "/app/data/..%2f..%2fconfig", 1, "", "", nil},
		{0, "/savepoint-server/tokens/", 4, "", "", nil},
		{5, "/app/data/x", 0, "", "", nil},
		{0, "/metrics", 1, "", "", nil},
	}
	for _, sd := range seeds {
		f.Add(sd.method, sd.path, sd.token, sd.rng, sd.sum, sd.body)
	}
	f.Fuzz(func(t *testing.T, method uint8, path string, token uint8, rng, sum string, body []byte) {
		req, err := http.NewRequest(fuzzMethods[int(method)%len(fuzzMethods)], "http://savepoint.test"+path, bytes.NewReader(body))
		if err != nil || req.URL.Host != "savepoint.test" {
			return // not a request a client can send to this server
		}
		if tok := s.tokens[int(token)%len(s.tokens)]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		if sum != "" {
			req.Header.Set(protocol.HeaderSHA256, sum)
		}
		w := httptest.NewRecorder()
		serve(s.handler, w, req)
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("%s %s: 500: %s", req.Method, path, w.Body)
		}
		if w.Code >= 400 {
			if strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
				var e protocol.Error
				if err := json.Unmarshal(w.Body.Bytes(), &e); (err != nil || e.Message == "" || e.Code == "") && req.Method != http.MethodHead {
					t.Fatalf("%s %s: %d with body %q", req.Method, path, w.Code, w.Body)
				}
			} else if w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed && w.Code != http.StatusUnauthorized {
				t.Fatalf("%s %s: %d without a protocol error: %q", req.Method, path, w.Code, w.Body)
			}
		}
		for h, want := range s.seeded {
			got, err := storage.LoadAll(t.Context(), s.app, h)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s %s (token %d) changed %s: %v", req.Method, path, int(token)%len(s.tokens), h, err)
			}
		}
		entries, err := os.ReadDir(s.root)
		if err != nil || len(entries) != 1 || entries[0].Name() != "storage" {
			t.Fatalf("%s %s wrote outside the storage directory: %v %v", req.Method, path, entries, err)
		}
	})
}

// fixedBlob is a content-addressed object and its name, the same in every
// fuzzing process (the seeds name them).
func fixedBlob(seed string) ([]byte, string) {
	data := []byte(strings.Repeat("savepoint fuzz object "+seed+"\n", 20))
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:])
}

// serve runs the handler as net/http does: a handler that aborts its
// answer (http.ErrAbortHandler) only cuts the connection.
func serve(h http.Handler, w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if err, ok := p.(error); !ok || !errors.Is(err, http.ErrAbortHandler) {
				panic(p)
			}
		}
	}()
	h.ServeHTTP(w, r)
}

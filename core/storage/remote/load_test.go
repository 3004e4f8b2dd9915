package remote

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// TestLoadResumes: a body that breaks is continued with a ranged GET from
// the byte it broke at, and the reader sees the object whole; one that
// keeps breaking fails with ErrUnavailable after 1+maxResumes GETs.
func TestLoadResumes(t *testing.T) {
	object := bytes.Repeat([]byte("0123456789"), 100)
	for _, tc := range []struct {
		name   string
		breaks int64 // how many answers break after 100 bytes
		gets   int64
		want   error // nil: the object read whole
	}{
		{"breaks twice", 2, 3, nil},
		{"breaks for good", 1 << 30, 1 + maxResumes, storage.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gets atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := gets.Add(1)
				off := int64(0)
				if rg := r.Header.Get("Range"); rg != "" {
					first, _, _ := strings.Cut(strings.TrimPrefix(rg, "bytes="), "-") // the rest always runs to the end
					off, _ = strconv.ParseInt(first, 10, 64)
				}
				rest := object[off:]
				w.Header().Set("Content-Length", strconv.Itoa(len(rest)))
				if r.Header.Get("Range") != "" {
					w.WriteHeader(http.StatusPartialContent)
				}
				if n > tc.breaks {
					w.Write(rest)
					return
				}
				w.Write(rest[:min(100, len(rest))])
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler) // the connection breaks
			}))
			defer srv.Close()
			be, err := New(Options{URL: srv.URL + "/repo", Token: "t"})
			if err != nil {
				t.Fatal(err)
			}
			rc, err := be.Load(t.Context(), storage.Handle{Kind: storage.KindData, Name: "ab12"}, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			switch {
			case tc.want == nil && (err != nil || !bytes.Equal(got, object)):
				t.Fatalf("read %d bytes (want %d), error %v", len(got), len(object), err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if n := gets.Load(); n != tc.gets {
				t.Fatalf("%d GETs, want %d", n, tc.gets)
			}
		})
	}
}

package server

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// objectHandler serves a request about one object, made with token tok
// (see onObject).
type objectHandler func(w http.ResponseWriter, r *http.Request, tok tokens.Token, repo *repos.Repo, h storage.Handle)

// onObject serves a request about one object: it authenticates the
// request, checks that the token's role is at least need (what: what the
// request would do) and reads the object's handle from the path, then
// runs fn. On failure it has answered and fn does not run.
func (s *Server) onObject(need tokens.Role, what string, fn objectHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := storage.Handle{Kind: storage.Kind(r.PathValue("kind")), Name: r.PathValue("name")}
		tok, repo, ok := s.authenticate(w, r)
		if !ok || !s.require(w, r, tok, need, what) {
			return
		}
		if err := storage.CheckHandle(h); err != nil {
			s.fail(w, r, err)
			return
		}
		fn(w, r, tok, repo, h)
	}
}

// beginWrite waits for the writes of h in flight and registers this one
// (repos.Repo.BeginWrite); it returns the repository's backend and the
// function that ends the write. On failure it has answered.
func (s *Server) beginWrite(w http.ResponseWriter, r *http.Request, repo *repos.Repo, h storage.Handle) (storage.Backend, func(), bool) {
	end, err := repo.BeginWrite(r.Context(), h)
	if err != nil {
		s.fail(w, r, err)
		return nil, nil, false
	}
	return repo.Backend(), end, true
}

// handleCreate makes the repository's container (POST /NAME/).
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	tok, repo, ok := s.authenticate(w, r)
	if !ok || !s.require(w, r, tok, tokens.RoleAppend, "creating a repository") {
		return
	}
	if c, ok := repo.Backend().(storage.Creator); ok {
		if err := c.Create(r.Context()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.stored(r, repo)
	w.WriteHeader(http.StatusNoContent)
}

// handleList streams the objects of a kind as a JSON array. An error
// after the first byte aborts the connection, so the client never takes
// a cut-off list for a whole one.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	tok, repo, ok := s.authenticate(w, r)
	if !ok || !s.require(w, r, tok, tokens.RoleRead, "listing") {
		return
	}
	k := storage.Kind(r.PathValue("kind"))
	if err := storage.CheckHandle(storage.Handle{Kind: k, Name: "x"}); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := repo.AwaitKind(r.Context(), k); err != nil {
		s.fail(w, r, err)
		return
	}
	started := false
	var buf []byte
	err := repo.Backend().List(r.Context(), k, func(fi storage.Info) error {
		if !started {
			w.Header().Set("Content-Type", "application/json")
			buf = append(buf, '[')
			started = true
		} else {
			buf = append(buf, ',')
		}
		buf = appendEntry(buf, fi)
		if len(buf) >= 32<<10 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		return nil
	})
	switch {
	case err != nil && !started:
		s.fail(w, r, err)
		return
	case err != nil:
		callOf(r).note = err.Error()
		panic(http.ErrAbortHandler)
	case !started:
		w.Header().Set("Content-Type", "application/json")
		buf = append(buf, '[')
	}
	w.Write(append(buf, ']', '\n'))
}

// appendEntry writes one protocol.Entry as JSON (names are checked
// handles: no character needs escaping).
func appendEntry(b []byte, fi storage.Info) []byte {
	b = append(b, `{"name":"`...)
	b = append(b, fi.Name...)
	b = append(b, `","size":`...)
	b = strconv.AppendInt(b, fi.Size, 10)
	b = append(b, `,"mtime":"`...)
	b = fi.ModTime.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

// handleLoad answers GET (the object or a Range of it) and HEAD (its size
// and storage time).
func (s *Server) handleLoad(w http.ResponseWriter, r *http.Request, _ tokens.Token, repo *repos.Repo, h storage.Handle) {
	if err := repo.AwaitWrites(r.Context(), h); err != nil {
		s.fail(w, r, err)
		return
	}
	be := repo.Backend()
	if r.Method == http.MethodHead {
		fi, err := be.Stat(r.Context(), h)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Length", strconv.FormatInt(fi.Size, 10))
		w.Header().Set(protocol.HeaderModTime, fi.ModTime.UTC().Format(time.RFC3339Nano))
		w.WriteHeader(http.StatusOK)
		return
	}
	off, n, ranged, err := parseRange(r.Header.Get("Range"))
	if err != nil {
		writeError(w, r, http.StatusRequestedRangeNotSatisfiable, protocol.Error{Code: protocol.CodeInvalid, Message: err.Error()})
		return
	}
	rd, err := be.Load(r.Context(), h, off, n)
	if errors.Is(err, storage.ErrInvalid) {
		writeError(w, r, http.StatusRequestedRangeNotSatisfiable, protocol.Error{Code: protocol.CodeInvalid, Message: err.Error()})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rd.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	status := http.StatusOK
	if n > 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	}
	if ranged {
		status = http.StatusPartialContent
		end := "*"
		if n > 0 {
			end = strconv.FormatInt(off+n-1, 10)
		}
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%s/*", off, end))
	}
	w.WriteHeader(status)
	if _, err := io.Copy(w, rd); err != nil {
		// The answer is cut short: abort the connection so the client
		// sees a broken body, never a short one.
		callOf(r).note = err.Error()
		panic(http.ErrAbortHandler)
	}
}

// parseRange reads "bytes=A-B" or "bytes=A-" (no header: the whole object).
func parseRange(v string) (off, n int64, ranged bool, err error) {
	if v == "" {
		return 0, 0, false, nil
	}
	spec, ok := strings.CutPrefix(v, "bytes=")
	a, b, ok2 := strings.Cut(spec, "-")
	if !ok || !ok2 || strings.Contains(spec, ",") {
		return 0, 0, false, fmt.Errorf("range %q: only bytes=A-B or bytes=A- are served", v)
	}
	off, err = strconv.ParseInt(a, 10, 64)
	if err != nil || off < 0 {
		return 0, 0, false, fmt.Errorf("range %q: bad start", v)
	}
	if b == "" {
		return off, 0, true, nil
	}
	end, err := strconv.ParseInt(b, 10, 64)
	if err != nil || end < off {
		return 0, 0, false, fmt.Errorf("range %q: bad end", v)
	}
	if end-off == math.MaxInt64 {
		return off, 0, true, nil // its length would overflow: up to the end it is (found by FuzzParseRange)
	}
	return off, end - off + 1, true, nil
}

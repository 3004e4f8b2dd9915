package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
	"github.com/savepoint-ci/savepoint/core/verify"
)

// handleSave stores an object (PUT). The whole body is read and its
// SHA-256 checked before the storage sees a byte, so a body cut off by a
// dropped connection or a shutdown is discarded whole.
//
// An append token only adds: an object that exists is never replaced (a
// PUT of identical bytes succeeds without writing, so a retried PUT is
// harmless); lease objects (prune's lease and deletion intents) are not
// its to write, except verify's failure markers; its writes count against
// the quota; the server records it as the owner of the session markers
// it creates.
func (s *Server) handleSave(w http.ResponseWriter, r *http.Request) {
	tok, repo, h, ok := s.object(w, r, tokens.RoleAppend, "saving")
	if !ok {
		return
	}
	admin := tok.Role.Allows(tokens.RoleAdmin)
	if !admin && h.Kind == storage.KindLease && !strings.HasPrefix(h.Name, verify.FailedPrefix) {
		refuse(w, r, tok, tokens.RoleAdmin, "writing "+h.String()+" (prune's lease and deletion intents) needs a token with role admin")
		return
	}
	data, ok := s.readBody(w, r, h)
	if !ok {
		return
	}
	be := repo.Backend()
	if admin {
		if err := be.Save(r.Context(), h, data); err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set(protocol.HeaderStored, "created")
		w.WriteHeader(http.StatusCreated)
		return
	}
	if existed, err := exists(r, be, h, data); err != nil {
		if errors.Is(err, errDiffers) {
			refuse(w, r, tok, tokens.RoleAdmin, "replacing "+h.String()+", which exists with other content, needs a token with role admin")
		} else {
			s.fail(w, r, err)
		}
		return
	} else if existed {
		w.Header().Set(protocol.HeaderStored, "existed")
		w.WriteHeader(http.StatusOK)
		return
	}
	done, err := repo.Reserve(r.Context(), int64(len(data)))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if h.Kind == storage.KindSession {
		if err := repo.SetOwner(r.Context(), h.Name, tok.ID); err != nil {
			done(false)
			s.fail(w, r, err)
			return
		}
	}
	err = be.Save(r.Context(), h, data)
	done(err == nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set(protocol.HeaderStored, "created")
	w.WriteHeader(http.StatusCreated)
}

var errDiffers = errors.New("the object exists with other content")

// exists reports whether h is stored already. For content-addressed kinds
// the name proves the bytes equal; other objects are compared, and
// errDiffers means they differ.
func exists(r *http.Request, be storage.Backend, h storage.Handle, data []byte) (bool, error) {
	if h.Kind.ContentAddressed() {
		_, err := be.Stat(r.Context(), h)
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	old, err := storage.LoadAll(r.Context(), be, h)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	case !bytes.Equal(old, data):
		return false, errDiffers
	}
	return true, nil
}

// readBody reads the whole body within the size limit and checks its
// digest: the object name for content-addressed kinds, else the
// X-Savepoint-Content-Sha256 header when given. On failure it has answered.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, h storage.Handle) ([]byte, bool) {
	max := s.o.MaxRequestSize
	tooLarge := func() {
		writeError(w, r, http.StatusRequestEntityTooLarge, protocol.Error{Code: protocol.CodeTooLarge,
			Message: fmt.Sprintf("%s is larger than this server's request-size limit of %d bytes (serve --max-request-size)", h, max)})
	}
	var data []byte
	var err error
	if r.ContentLength > max {
		tooLarge()
		return nil, false
	} else if r.ContentLength >= 0 {
		data = make([]byte, r.ContentLength)
		var n int
		n, err = io.ReadFull(r.Body, data)
		data = data[:n]
	} else {
		// Chunked: the end of the body is framed, a cut-off one is an error.
		data, err = io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge()
			return nil, false
		}
	}
	callOf(r).in = int64(len(data))
	if err != nil {
		// The client went away or the server is stopping: nothing is stored.
		callOf(r).note = "body incomplete, discarded: " + err.Error()
		panic(http.ErrAbortHandler)
	}
	sum := sha256.Sum256(data)
	got := hex.EncodeToString(sum[:])
	want := r.Header.Get(protocol.HeaderSHA256)
	if h.Kind.ContentAddressed() {
		want = h.Name
	}
	if want != "" && got != want {
		writeError(w, r, http.StatusBadRequest, protocol.Error{Code: protocol.CodeInvalid,
			Message: fmt.Sprintf("%s: the body's SHA-256 is %s, not %s (damaged on the way?)", h, got, want)})
		return nil, false
	}
	return data, true
}

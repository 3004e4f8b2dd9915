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
	"time"

	"github.com/savepoint-ci/savepoint/core/server/repos"
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
func (s *Server) handleSave(w http.ResponseWriter, r *http.Request, tok tokens.Token, repo *repos.Repo, h storage.Handle) {
	admin := tok.Role.Allows(tokens.RoleAdmin)
	if !admin && h.Kind == storage.KindLease && !strings.HasPrefix(h.Name, verify.FailedPrefix) {
		refuse(w, r, tok, tokens.RoleAdmin, "writing "+h.String()+" (prune's lease and deletion intents) needs a token with role admin")
		return
	}
	data, ok := s.readBody(w, r, h)
	if !ok {
		return
	}
	// Storing may take a while (a slow storage, a quota check that lists
	// the repository, an earlier write of the same object): the client
	// hears from the server meanwhile.
	w, stop := s.keepHinting(w, r)
	defer stop()
	be, end, ok := s.beginWrite(w, r, repo, h)
	if !ok {
		return
	}
	defer end()
	done := func(bool) {} // an admin's writes are not counted against the quota
	if !admin {
		if existed, err := exists(r, be, h, data); err != nil {
			if errors.Is(err, errDiffers) {
				refuse(w, r, tok, tokens.RoleAdmin, "replacing "+h.String()+", which exists with other content, needs a token with role admin")
			} else {
				s.fail(w, r, err)
			}
			return
		} else if existed {
			s.bodies.put(data)
			w.Header().Set(protocol.HeaderStored, "existed")
			w.WriteHeader(http.StatusOK)
			return
		}
		var err error
		if done, err = repo.Reserve(r.Context(), int64(len(data))); err != nil {
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
	}
	err := be.Save(r.Context(), h, data)
	done(err == nil)
	if err != nil {
		// A failed or cancelled Save may still be sending data: its
		// buffer is not reused.
		s.fail(w, r, err)
		return
	}
	s.bodies.put(data)
	s.stored(r, repo)
	w.Header().Set(protocol.HeaderStored, "created")
	w.WriteHeader(http.StatusCreated)
}

// stored notes a write: the repository's figures are listed afresh, and
// its name is registered (once per process) so the metrics and the web
// view list it.
func (s *Server) stored(r *http.Request, repo *repos.Repo) {
	repo.Touched()
	if err := repo.Register(r.Context()); err != nil {
		s.log.Warn("repository not registered", "request_id", RequestID(r), "repo", repo.Name, "error", err.Error())
	}
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
	limit := s.o.MaxRequestSize
	tooLarge := func() {
		writeError(w, r, http.StatusRequestEntityTooLarge, protocol.Error{Code: protocol.CodeTooLarge,
			Message: fmt.Sprintf("%s is larger than this server's request-size limit of %d bytes", h, limit)})
	}
	if r.ContentLength > limit {
		tooLarge()
		return nil, false
	}
	// A body of a known length up to bodyPrealloc (a pack) is read into a
	// buffer of that length (bodies.go); a larger or unannounced one grows
	// with the bytes that arrive. A client that stops sending is cut off.
	// The digest is taken as the bytes arrive, beside the network's pace.
	digest := sha256.New()
	body := io.TeeReader(&idleReader{r: http.MaxBytesReader(w, r.Body, limit), rc: http.NewResponseController(w)}, digest)
	var data []byte
	var err error
	if n := r.ContentLength; n >= 0 && n <= bodyPrealloc {
		if data, err = s.bodies.read(body, int(n)); err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
	} else {
		buf := bytes.NewBuffer(make([]byte, 0, 4<<20))
		_, err = buf.ReadFrom(body)
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge()
			return nil, false
		}
		data = buf.Bytes()
		if err == nil && n >= 0 && int64(len(data)) != n {
			err = io.ErrUnexpectedEOF
		}
	}
	if err != nil {
		// The client went away or the server is stopping: nothing is stored.
		callOf(r).note = "body incomplete, discarded: " + err.Error()
		panic(http.ErrAbortHandler)
	}
	got := hex.EncodeToString(digest.Sum(nil))
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

// idleTimeout cuts off an upload that sends nothing for this long.
const idleTimeout = 2 * time.Minute

// idleReader moves the connection's read deadline forward before each
// read, so a slow upload may take as long as it needs while a stalled one
// ends within idleTimeout.
type idleReader struct {
	r  io.Reader
	rc *http.ResponseController
}

func (i *idleReader) Read(p []byte) (int, error) {
	i.rc.SetReadDeadline(time.Now().Add(idleTimeout))
	return i.r.Read(p)
}

package server_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// slowPut starts a PUT of data whose body the test feeds by hand; the
// returned channel yields the status (or 0 when the request failed).
func slowPut(t *testing.T, url, token string, data []byte) (*io.PipeWriter, <-chan int) {
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPut, url, pr)
	req.ContentLength = int64(len(data))
	req.Header.Set("Authorization", "Bearer "+token)
	// The body goes only once the handler reads it (100 Continue): the
	// first write to the pipe returns when the request is in flight.
	req.Header.Set("Expect", "100-continue")
	done := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	return pw, done
}

// waitLog waits until the server's log holds s.
func waitLog(t *testing.T, srv *testserver.Server, s string) {
	t.Helper()
	for i := 0; i < 300 && !strings.Contains(srv.Logs(), s); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(srv.Logs(), s) {
		t.Fatalf("the server never logged %q:\n%s", s, srv.Logs())
	}
}

// TestGracefulShutdown: on SIGTERM an upload in flight finishes and is
// stored; one that is still incomplete when the shutdown timeout ends is
// cut off and nothing of it is stored.
func TestGracefulShutdown(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Args: []string{"--shutdown-timeout", "30s"}})
	tok := srv.Token("ci", "append")
	created(t, srv, "ci", tok)
	data, n := storagetest.Blob(4 << 20)
	pw, done := slowPut(t, srv.URL+"/ci/data/"+n, tok, data)
	pw.Write(data[:1<<20])
	srv.Signal(syscall.SIGTERM)
	waitLog(t, srv, "shutting down")
	pw.Write(data[1<<20:])
	pw.Close()
	if st := <-done; st != http.StatusCreated {
		t.Fatalf("the upload in flight at SIGTERM: HTTP %d", st)
	}
	if err := srv.Wait(time.Minute); err != nil {
		t.Fatalf("the server did not exit cleanly: %v", err)
	}
	stored, err := os.ReadFile(filepath.Join(srv.Storage, "ci", "data", n[:2], n))
	if err != nil || !bytes.Equal(stored, data) {
		t.Fatalf("the upload that finished during the shutdown is not stored whole: %v", err)
	}

	// Now one that never completes, on a server over the same storage
	// that waits one second.
	srv = testserver.Start(t, testserver.Options{Storage: srv.Storage, Args: []string{"--shutdown-timeout", "1s"}})
	data2, n2 := storagetest.Blob(4 << 20)
	pw, done = slowPut(t, srv.URL+"/ci/data/"+n2, tok, data2)
	pw.Write(data2[:1<<20]) // returns once the server has read it: the request is in flight
	srv.Signal(syscall.SIGTERM)
	waitLog(t, srv, "shutting down")
	if err := srv.Wait(time.Minute); err != nil {
		t.Fatalf("the server did not exit after its shutdown timeout: %v", err)
	}
	pw.CloseWithError(errors.New("client gave up"))
	if st := <-done; st == http.StatusCreated {
		t.Fatal("an incomplete upload was answered 201")
	}
	if !strings.Contains(srv.Logs(), "cut off") {
		t.Errorf("the server did not log the cut-off request:\n%s", srv.Logs())
	}
	// Nothing of it: no object, no temporary file.
	filepath.WalkDir(filepath.Join(srv.Storage, "ci", "data"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(p) != n {
			t.Errorf("left in the storage after the cut-off upload: %s", p)
		}
		return nil
	})
}

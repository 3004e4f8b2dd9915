package capture

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func TestCommandRoundTrip(t *testing.T) {
	ctx := t.Context()
	repo, be := testrepo.New(t)
	dir := t.TempDir()
	data := testrepo.Random(300 << 10)
	testrepo.WriteFile(t, dir, "in.bin", data)
	src, err := RunCommand(ctx, repo, Command{Name: "db", Command: "cat in.bin; echo progress >&2", RestoreCommand: "cat > out.bin", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if src.Size != uint64(len(data)) || len(src.Content) < 2 || src.ExitStatus != 0 || src.StderrTail != "progress\n" {
		t.Fatalf("source %+v", src)
	}
	if _, err := repo.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	repo = testrepo.Reopen(t, be)
	var out bytes.Buffer
	if n, err := Dump(ctx, repo, &src, &out); err != nil || n != int64(len(data)) || !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("dump: n=%d err=%v equal=%v", n, err, bytes.Equal(out.Bytes(), data))
	}
	if err := RunRestore(ctx, repo, &src, RestoreOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "out.bin"))
	if !bytes.Equal(got, data) {
		t.Fatal("restore command received different data")
	}
}

func TestCommandFails(t *testing.T) {
	repo, _ := testrepo.New(t)
	src, err := RunCommand(t.Context(), repo, Command{Name: "db",
		Command: "echo partial; echo 'pg_dump: error: connection to server failed' >&2; exit 3"})
	if !errors.Is(err, ErrCommandFailed) || src.ExitStatus != 3 {
		t.Fatalf("err=%v status=%d", err, src.ExitStatus)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "pg_dump: error: connection to server failed") || !strings.Contains(msg, "exit status 3") {
		t.Fatalf("message %q", msg)
	}
	if src.Content != nil {
		t.Fatal("a failed command must not yield content")
	}
	if _, err := RunCommand(t.Context(), repo, Command{Name: "db", Command: "exit 1"}); !strings.Contains(err.Error(), "(no error output)") {
		t.Fatalf("message %q", err)
	}
}

func TestStderrTailKeepsTheEnd(t *testing.T) {
	repo, _ := testrepo.New(t)
	// 100 KiB of noise on stderr, then the real error.
	src, err := RunCommand(t.Context(), repo, Command{Name: "x",
		Command: "head -c 102400 /dev/zero | tr '\\0' 'n' >&2; echo >&2; echo FATAL: the end >&2; exit 1"})
	if err == nil || len(src.StderrTail) != StderrTailSize || !strings.HasSuffix(src.StderrTail, "FATAL: the end\n") {
		t.Fatalf("tail %d bytes, err %v", len(src.StderrTail), err)
	}
	if !strings.HasSuffix(err.Error(), "FATAL: the end") {
		t.Fatalf("message %q", err)
	}
}

func TestStdinAndRestoreFailure(t *testing.T) {
	ctx := t.Context()
	repo, _ := testrepo.New(t)
	data := testrepo.Random(100 << 10)
	src, err := Stdin(ctx, repo, "db", "", bytes.NewReader(data))
	if err != nil || src.Kind != KindStdin || src.Size != uint64(len(data)) {
		t.Fatalf("src %+v err %v", src, err)
	}
	repo.Flush(ctx)
	if err := RunRestore(ctx, repo, &src, RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "no restore command") {
		t.Fatalf("err %v", err)
	}
	err = RunRestore(ctx, repo, &src, RestoreOptions{Command: "cat >/dev/null; echo 'ERROR: relation \"x\" does not exist' >&2; exit 2"})
	if !errors.Is(err, ErrRestoreFailed) || !strings.Contains(err.Error(), `relation "x" does not exist`) {
		t.Fatalf("err %v", err)
	}
	// A command that stops reading early has not restored everything.
	if err := RunRestore(ctx, repo, &src, RestoreOptions{Command: "head -c 10 >/dev/null"}); err == nil {
		t.Fatal("a restore command that read 10 bytes succeeded")
	}
}

func TestDumpDetectsMissingChunk(t *testing.T) {
	ctx := t.Context()
	repo, _ := testrepo.New(t)
	src, _ := Stdin(ctx, repo, "db", "", bytes.NewReader(testrepo.Random(10<<10)))
	repo.Flush(ctx)
	src.Content = append(src.Content, repository.ID{1, 2, 3})
	if _, err := Dump(ctx, repo, &src, &bytes.Buffer{}); !errors.Is(err, repository.ErrBlobNotFound) {
		t.Fatalf("err %v", err)
	}
	src.Content = src.Content[:len(src.Content)-1]
	src.Size++
	if _, err := Dump(ctx, repo, &src, &bytes.Buffer{}); !errors.Is(err, repository.ErrCorrupted) {
		t.Fatalf("err %v", err)
	}
}

func TestParseSpec(t *testing.T) {
	s, err := ParseSpec("db = pg_dump -Fp app --where a=b")
	if err != nil || s.Name != "db" || s.Value != "pg_dump -Fp app --where a=b" {
		t.Fatalf("%+v %v", s, err)
	}
	for _, bad := range []string{"db", "=x", "db=", "a/b=x", "a b=x", ".=x"} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCancelKillsThePipeline(t *testing.T) {
	repo, _ := testrepo.New(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	started := make(chan struct{})
	go func() {
		// The pipeline says on stderr that it streams; it never ends by itself.
		_, err := RunCommand(ctx, repo, Command{Name: "db", Command: "yes | (echo streaming >&2; cat)", Stderr: &firstWrite{c: started}})
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("the command ended by itself: %v", err)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled command succeeded")
	}
}

// firstWrite closes c on its first write.
type firstWrite struct {
	c    chan struct{}
	once sync.Once
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.c) })
	return len(p), nil
}

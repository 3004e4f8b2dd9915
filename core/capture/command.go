package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// StderrTailSize is how much of a command's standard error is kept.
const StderrTailSize = 4 << 10

// ErrCommandFailed is wrapped by the error of a command that exited
// non-zero or could not start.
var ErrCommandFailed = errors.New("command failed")

// Command describes a command source to capture.
type Command struct {
	Name           string
	Command        string // run with sh -c
	RestoreCommand string // stored with the source, run by rollback
	Dir            string // working directory (empty: the current one)
	Env            []string
	// Stderr, if set, also receives the command's standard error as it
	// is produced (the CLI passes its own stderr so dumps show progress).
	Stderr io.Writer
	// Reporter, if set, sees a phase "command NAME" counting bytes read.
	Reporter progress.Reporter
}

// RunCommand runs c.Command with sh -c and streams its standard output into
// the repository. A non-zero exit returns an error wrapping
// ErrCommandFailed with the exit status and the last line(s) of standard
// error; the blobs already written are then unreferenced (no snapshot is
// committed by the caller).
func RunCommand(ctx context.Context, repo *repository.Repository, c Command) (snapshot.Source, error) {
	// The command is recorded for information only: credentials are
	// redacted. The restore command is kept verbatim: rollback runs it.
	src := snapshot.Source{Kind: KindCommand, Name: c.Name, Command: Redact(c.Command), RestoreCommand: c.RestoreCommand}
	// The command's own context ends with this call; the output is stored
	// under the caller's, since compression groups closed here are sealed
	// in the background after it returns (a checkpoint failed with
	// "a blob was not stored: context canceled" when it was the same).
	cmdCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(cmdCtx, "sh", "-c", c.Command)
	cmd.Dir, cmd.Env = c.Dir, c.Env
	killGroup(cmd)
	tail := &tailBuffer{max: StderrTailSize}
	if c.Stderr != nil {
		cmd.Stderr = io.MultiWriter(tail, c.Stderr)
	} else {
		cmd.Stderr = tail
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return src, err
	}
	if err := cmd.Start(); err != nil {
		return src, fmt.Errorf("source %s: %w: %v", c.Name, ErrCommandFailed, err)
	}
	counters := &progress.Counters{}
	progress.Or(c.Reporter).Phase("command "+c.Name, counters)
	res, serr := save.SaveStream(ctx, repo, io.TeeReader(stdout, Counter{&counters.Bytes}))
	if serr != nil {
		cancel() // stop the command: we cannot store what it writes
		io.Copy(io.Discard, stdout)
	}
	werr := cmd.Wait()
	src.StderrTail = tail.String()
	if serr != nil {
		return src, fmt.Errorf("source %s: storing the output of %q: %w", c.Name, Redact(c.Command), serr)
	}
	if werr != nil {
		var ee *exec.ExitError
		if errors.As(werr, &ee) {
			src.ExitStatus = ee.ExitCode()
		}
		return src, fmt.Errorf("source %s: %w (%v): %s", c.Name, ErrCommandFailed, werr, OneLine(src.StderrTail))
	}
	src.Content, src.Size = res.Content, res.Size
	return src, nil
}

// Stdin stores r (standard input) as a source called name.
func Stdin(ctx context.Context, repo *repository.Repository, name, restoreCommand string, r io.Reader) (snapshot.Source, error) {
	src := snapshot.Source{Kind: KindStdin, Name: name, RestoreCommand: restoreCommand}
	res, err := save.SaveStream(ctx, repo, r)
	if err != nil {
		return src, fmt.Errorf("source %s: storing standard input: %w", name, err)
	}
	src.Content, src.Size = res.Content, res.Size
	return src, nil
}

// Counter adds the length of every write to N: through io.TeeReader it
// counts the bytes read from a reader, through io.MultiWriter those written
// to a writer.
type Counter struct{ N *atomic.Int64 }

func (c Counter) Write(p []byte) (int, error) {
	c.N.Add(int64(len(p)))
	return len(p), nil
}

// OneLine turns a stderr tail into one line: its non-empty lines joined
// with " | ", at most the last 5 of them.
func OneLine(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return "(no error output)"
	}
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if len(p) >= t.max {
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		return n, nil
	}
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return n, nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.ToValidUTF8(string(t.buf), "?")
}

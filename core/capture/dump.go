package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"

	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// Dump writes the stored stream of src to w, checking every chunk against
// its ID and the total against the recorded size. Up to
// repo.Connections() chunks are fetched ahead, in parallel, so a remote
// repository streams at its bandwidth rather than its latency.
func Dump(ctx context.Context, repo *repository.Repository, src *snapshot.Source, w io.Writer) (int64, error) {
	if !IsStream(src) {
		return 0, fmt.Errorf("source %s is an %s, not a stored stream", src.Name, src.Kind)
	}
	if err := repo.LoadIndex(ctx); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		data []byte
		err  error
	}
	slots := make([]chan result, len(src.Content))
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	ahead := make(chan struct{}, max(repo.Connections(), 1))
	go func() {
		for i, id := range src.Content {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				data, err := repo.LoadBlob(ctx, id)
				slots[i] <- result{data, err}
			}()
		}
	}()
	var n int64
	for i := range src.Content {
		var r result
		select {
		case r = <-slots[i]:
		case <-ctx.Done():
			return n, ctx.Err()
		}
		<-ahead
		if r.err != nil {
			return n, fmt.Errorf("source %s: chunk %d of %d: %w", src.Name, i+1, len(src.Content), r.err)
		}
		m, err := w.Write(r.data)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	if uint64(n) != src.Size {
		return n, fmt.Errorf("source %s: %d bytes read, %d recorded: %w", src.Name, n, src.Size, repository.ErrCorrupted)
	}
	return n, nil
}

// ErrRestoreFailed is wrapped by the error of a restore command that
// exited non-zero.
var ErrRestoreFailed = errors.New("restore command failed")

// RestoreOptions configure RunRestore.
type RestoreOptions struct {
	Command string // default: the source's RestoreCommand
	Dir     string
	Env     []string
	Stdout  io.Writer // the command's output (nil: discarded)
	Stderr  io.Writer // also receives the command's stderr, if set
	// Reporter, if set, sees a phase "restore NAME" counting bytes piped in.
	Reporter progress.Reporter
}

// RunRestore pipes the stored stream of src into its restore command
// (sh -c). If the command fails, the error wraps ErrRestoreFailed and
// carries the tail of its standard error.
func RunRestore(ctx context.Context, repo *repository.Repository, src *snapshot.Source, o RestoreOptions) error {
	command := o.Command
	if command == "" {
		command = src.RestoreCommand
	}
	if command == "" {
		return fmt.Errorf("source %s has no restore command: use `savepoint dump SNAPSHOT %s | ...`", src.Name, src.Name)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Dir, cmd.Env, cmd.Stdout = o.Dir, o.Env, o.Stdout
	killGroup(cmd)
	tail := &tailBuffer{max: StderrTailSize}
	cmd.Stderr = tail
	if o.Stderr != nil {
		cmd.Stderr = io.MultiWriter(tail, o.Stderr)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("source %s: %w: %v", src.Name, ErrRestoreFailed, err)
	}
	counters := &progress.Counters{}
	counters.TotalBytes.Store(int64(src.Size))
	progress.Or(o.Reporter).Phase("restore "+src.Name, counters)
	_, derr := Dump(ctx, repo, src, io.MultiWriter(stdin, Counter{&counters.Bytes}))
	stdin.Close()
	if derr != nil && !errors.Is(derr, io.ErrClosedPipe) && !isBrokenPipe(derr) {
		cancel() // the data is bad: do not let the command finish on half of it
		cmd.Wait()
		return fmt.Errorf("source %s: reading the stored stream: %w", src.Name, derr)
	}
	if werr := cmd.Wait(); werr != nil {
		return fmt.Errorf("source %s: %w (%v): %s", src.Name, ErrRestoreFailed, werr, OneLine(tail.String()))
	}
	if derr != nil {
		return fmt.Errorf("source %s: the restore command exited before reading all the data: %w", src.Name, derr)
	}
	return nil
}

package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/tick"
)

// TableName is the records table that holds the jobs.
const TableName = "jobs"

// Errors of the runner.
var (
	// ErrNotFound: no job has that ID.
	ErrNotFound = errors.New("no such job")
	// ErrBusy: a job that excludes this one is running already: a prune
	// job of the repository, or a sync job from the same source into it.
	ErrBusy = errors.New("a job that excludes this one is running")
	// ErrFinished: the job is over; there is nothing to cancel.
	ErrFinished = errors.New("the job is over")
	// ErrElsewhere: another server process runs the job; cancel it there.
	ErrElsewhere = errors.New("another server process runs this job")
	// ErrStopping: the server is shutting down and starts no job.
	ErrStopping = errors.New("the server is shutting down")
)

// Options configure a Runner.
type Options struct {
	Repos *repos.Hub
	Table *records.Table // the "jobs" records table
	// Heartbeat is how often a running job's record is written (0: 5s).
	Heartbeat time.Duration
	Logger    *slog.Logger     // nil: discard
	Now       func() time.Time // nil: time.Now
	Program   string           // recorded in snapshots: "savepoint VERSION"
	// Ended, when set, is called once for every job this process ran, as
	// it ends, before it shows as ended: the server's metrics count it
	// (metrics.Metrics.RunnerJobEnded).
	Ended func(ctx context.Context, j Job)
}

// staleAfter: a running job whose record was not written for this many
// heartbeats belongs to a process that stopped without saying so.
const staleAfter = 6

// Runner starts jobs and answers for them.
type Runner struct {
	o        Options
	instance string
	log      *slog.Logger

	mu       sync.Mutex
	running  map[string]*run // by job ID
	done     map[string]Job  // finished jobs read or run: they no longer change
	stopping bool
	wg       sync.WaitGroup
}

// run is a job running in this process.
type run struct {
	mu     sync.Mutex
	job    Job
	rep    *reporter
	cancel context.CancelCauseFunc
}

// errShutdown is the cause of the cancellation of jobs running at a shutdown.
var errShutdown = errors.New("the server stopped while the job ran")

// New returns a Runner. Jobs recorded as running by this host's earlier
// processes are marked interrupted when next read.
func New(o Options) *Runner {
	if o.Heartbeat <= 0 {
		o.Heartbeat = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	var b [4]byte
	rand.Read(b[:])
	host, _ := os.Hostname()
	return &Runner{o: o, log: o.Logger, instance: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:])),
		running: map[string]*run{}, done: map[string]Job{}}
}

var idRE = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$`)

// newID is a job ID that sorts by creation time.
func (r *Runner) newID() string {
	var b [4]byte
	rand.Read(b[:])
	return r.o.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Start checks spec and starts the job on repository name; it returns at
// once with the job as it starts. by is who asked (a token ID, or
// "schedule"), schedule the schedule's ID when a schedule started it.
func (r *Runner) Start(ctx context.Context, name string, spec Spec, by, schedule string) (Job, error) {
	if err := spec.Check(); err != nil {
		return Job{}, err
	}
	repo, err := r.o.Repos.Get(ctx, name)
	if err != nil {
		return Job{}, err
	}
	// The password is checked now, so a repository the server cannot
	// open is refused at once rather than as a failed job.
	if _, err := repo.Password(); err != nil {
		return Job{}, err
	}
	now := r.o.Now().UTC()
	j := Job{ID: r.newID(), Repository: name, Spec: spec, State: StateRunning, Created: now, Started: now,
		Updated: now, By: by, Schedule: schedule, Instance: r.instance}
	r.mu.Lock()
	if r.stopping {
		r.mu.Unlock()
		return Job{}, ErrStopping
	}
	for _, x := range r.running {
		if x.job.Repository != name || x.job.Spec.Kind != spec.Kind {
			continue
		}
		// One prune per repository; one sync per source and repository
		// (a second would copy the same snapshots twice).
		switch {
		case spec.Kind == KindPrune:
			r.mu.Unlock()
			return Job{}, fmt.Errorf("repository %s: a prune job is running (job %s): %w", name, x.job.ID, ErrBusy)
		case spec.Kind == KindSync && x.job.Spec.From.Repo == spec.From.Repo:
			r.mu.Unlock()
			return Job{}, fmt.Errorf("repository %s: a sync job from %s is running (job %s): %w", name, spec.From.Repo, x.job.ID, ErrBusy)
		}
	}
	jctx, cancel := context.WithCancelCause(context.Background())
	x := &run{job: j, rep: &reporter{now: r.o.Now}, cancel: cancel}
	r.running[j.ID] = x
	r.wg.Add(1)
	r.mu.Unlock()
	x.rep.Logf("%s job started by %s", spec.Kind, by)
	if err := r.o.Table.Put(ctx, j.ID, j); err != nil {
		r.mu.Lock()
		delete(r.running, j.ID)
		r.mu.Unlock()
		r.wg.Done()
		cancel(nil)
		return Job{}, fmt.Errorf("recording the job: %w", err)
	}
	r.log.Info("job started", "job", j.ID, "repo", name, "kind", string(spec.Kind), "by", by)
	go r.execute(jctx, x, repo)
	return x.snapshot(), nil
}

// snapshot is the job as it stands.
func (x *run) snapshot() Job {
	x.mu.Lock()
	j := x.job
	x.mu.Unlock()
	if !j.State.Final() {
		j.Progress = x.rep.progress()
	}
	j.Log = x.rep.lines()
	return j
}

// execute runs the job, with a heartbeat writing its record, and records
// how it ended.
func (r *Runner) execute(ctx context.Context, x *run, repo *repos.Repo) {
	defer r.wg.Done()
	stop := make(chan struct{})
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		tick.Each(stop, r.o.Heartbeat, func() {
			x.mu.Lock()
			x.job.Updated = r.o.Now().UTC()
			x.mu.Unlock()
			r.write(x.snapshot())
		})
	}()
	result, err := perform(ctx, x, repo, r.o.Program, r.o.Now)
	close(stop)
	<-beat
	now := r.o.Now().UTC()
	x.mu.Lock()
	j := x.job // the heartbeat has stopped: nothing else changes it
	x.mu.Unlock()
	j.Result, j.Finished, j.Updated = result, now, now
	j.Code = CodeOf(err)
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errShutdown):
		j.State, j.Code, j.Error = StateInterrupted, CodeInterrupted, errShutdown.Error()
	case ctx.Err() != nil:
		j.State, j.Code, j.Error = StateCancelled, CodeCancelled, "cancelled by request; nothing partial was committed"
	case err == nil || j.Code == CodePartial && result != nil:
		j.State = StateSucceeded
		if err != nil {
			j.Error = err.Error()
		}
	default:
		j.State, j.Error = StateFailed, err.Error()
	}
	if r.o.Ended != nil {
		// Before the job shows as over: whoever sees it ended finds it
		// counted.
		ectx, cancel := context.WithTimeout(context.Background(), time.Minute)
		r.o.Ended(ectx, j)
		cancel()
	}
	x.mu.Lock()
	x.job = j
	x.mu.Unlock()
	if j.Error != "" {
		x.rep.Logf("%s: %s", j.State, j.Error)
	} else {
		x.rep.Logf("%s", j.State)
	}
	final := x.snapshot()
	r.write(final)
	r.mu.Lock()
	delete(r.running, final.ID)
	r.done[final.ID] = final
	r.mu.Unlock()
	r.log.Info("job finished", "job", final.ID, "repo", final.Repository, "kind", string(final.Spec.Kind),
		"state", string(final.State), "code", string(final.Code), "duration", final.Finished.Sub(final.Started).String())
}

// write stores a job's record; a failure is logged (the job goes on).
func (r *Runner) write(j Job) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.o.Table.Put(ctx, j.ID, j); err != nil {
		r.log.Error("job record not written", "job", j.ID, "error", err.Error())
	}
}

// Get returns job id.
func (r *Runner) Get(ctx context.Context, id string) (Job, error) {
	r.mu.Lock()
	x, live := r.running[id]
	j, done := r.done[id]
	r.mu.Unlock()
	switch {
	case live:
		return x.snapshot(), nil
	case done:
		return j, nil
	}
	if !idRE.MatchString(id) {
		return Job{}, fmt.Errorf("job %q: %w", id, ErrNotFound)
	}
	err := r.o.Table.Get(ctx, id, &j)
	if errors.Is(err, storage.ErrNotFound) {
		return Job{}, fmt.Errorf("job %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Job{}, err
	}
	return r.settle(ctx, j), nil
}

// settle marks a job recorded as running interrupted when no process
// runs it any more: this process does not, and its record is stale. A
// final job is remembered.
func (r *Runner) settle(ctx context.Context, j Job) Job {
	now := r.o.Now()
	if !j.State.Final() && now.Sub(j.Updated) > staleAfter*r.o.Heartbeat {
		j.State, j.Code, j.Finished = StateInterrupted, CodeInterrupted, j.Updated
		j.Error = "the server process running it stopped without finishing it; nothing partial was committed"
		j.Log = append(j.Log, LogLine{Time: now.UTC(), Text: "interrupted: " + j.Error})
		if err := r.o.Table.Put(ctx, j.ID, j); err != nil {
			r.log.Warn("job record not written", "job", j.ID, "error", err.Error())
		}
	}
	if j.State.Final() {
		r.mu.Lock()
		r.done[j.ID] = j
		r.mu.Unlock()
	}
	return j
}

// List returns the jobs of repository name (every repository when name
// is empty), newest first, without their logs.
func (r *Runner) List(ctx context.Context, name string) ([]Job, error) {
	var ids []string
	if err := r.o.Table.Keys(ctx, func(k string, _ time.Time) error {
		ids = append(ids, k)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	out := []Job{}
	for _, id := range ids {
		j, err := r.Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if name == "" || j.Repository == name {
			j.Log = nil
			out = append(out, j)
		}
	}
	return out, nil
}

// Cancel cancels job id if it runs in this process; it ends as cancelled,
// with nothing partial committed. Wait with Get for its final state.
func (r *Runner) Cancel(ctx context.Context, id string) (Job, error) {
	r.mu.Lock()
	x, live := r.running[id]
	r.mu.Unlock()
	if live {
		// A run ends (its state final) a moment before it leaves the
		// running set: such a job is finished, not cancellable.
		if j := x.snapshot(); j.State.Final() {
			return j, fmt.Errorf("job %s is %s: %w", id, j.State, ErrFinished)
		}
		x.rep.Logf("cancel requested")
		x.cancel(context.Canceled)
		return x.snapshot(), nil
	}
	j, err := r.Get(ctx, id)
	if err != nil {
		return j, err
	}
	if j.State.Final() {
		return j, fmt.Errorf("job %s is %s: %w", id, j.State, ErrFinished)
	}
	return j, fmt.Errorf("job %s runs on %s: %w", id, j.Instance, ErrElsewhere)
}

// Running returns the jobs running in this process.
func (r *Runner) Running() []Job {
	r.mu.Lock()
	xs := make([]*run, 0, len(r.running))
	for _, x := range r.running {
		xs = append(xs, x)
	}
	r.mu.Unlock()
	out := make([]Job, 0, len(xs))
	for _, x := range xs {
		out = append(out, x.snapshot())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Shutdown starts no more jobs, cancels those running (they end
// interrupted, nothing partial committed) and waits for them to record it,
// until ctx ends.
func (r *Runner) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.stopping = true
	for _, x := range r.running {
		x.cancel(errShutdown)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("jobs still running at the shutdown timeout: %w", ctx.Err())
	}
}

// Ping reaches the server's records in the storage with one request
// (readiness).
func (r *Runner) Ping(ctx context.Context) error {
	_, err := r.o.Table.Backend().Stat(ctx, storage.Handle{Kind: storage.KindLease, Name: "ping"})
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrNoContainer) {
		return nil
	}
	return err
}

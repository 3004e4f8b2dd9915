package schedules

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
	"github.com/savepoint-ci/savepoint/internal/tick"
)

// ErrNotFound: no schedule has that ID.
var ErrNotFound = errors.New("no such schedule")

// Options configure a Scheduler.
type Options struct {
	Table  *records.Table // the "schedules" records table
	Runner *jobs.Runner
	// Now is the clock the cron times are compared with (nil: time.Now).
	Now func() time.Time
	// Tick is how often the clock is looked at (0: 1s); Reload how often
	// the schedules are read again for those other server processes
	// added or removed (0: 1m).
	Tick, Reload time.Duration
	Logger       *slog.Logger
}

// Scheduler keeps the schedules and starts their jobs when due.
type Scheduler struct {
	o   Options
	log *slog.Logger

	mu     sync.Mutex
	list   map[string]*Schedule
	loaded time.Time // real time of the last reload
}

// New returns a Scheduler; Run starts it.
func New(o Options) *Scheduler {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Tick <= 0 {
		o.Tick = time.Second
	}
	if o.Reload <= 0 {
		o.Reload = time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{o: o, log: o.Logger}
}

// Now is the scheduler's clock.
func (s *Scheduler) Now() time.Time { return s.o.Now() }

// Add checks and stores a new schedule.
func (s *Scheduler) Add(ctx context.Context, repo, expr string, spec jobs.Spec, by string) (Schedule, error) {
	if err := protocol.CheckRepoName(repo); err != nil {
		return Schedule{}, err
	}
	if _, err := Parse(expr); err != nil {
		return Schedule{}, err
	}
	if err := spec.Check(); err != nil {
		return Schedule{}, err
	}
	if err := s.load(ctx, false); err != nil {
		return Schedule{}, err
	}
	var b [6]byte
	rand.Read(b[:])
	sc := Schedule{ID: "s" + hex.EncodeToString(b[:]), Repository: repo, Cron: expr, Spec: spec,
		Created: s.o.Now().UTC(), By: by}
	if err := s.o.Table.Put(ctx, sc.ID, sc); err != nil {
		return Schedule{}, fmt.Errorf("storing the schedule: %w", err)
	}
	s.mu.Lock()
	s.list[sc.ID] = &sc
	s.mu.Unlock()
	sc.Next = sc.due()
	s.log.Info("schedule added", "schedule", sc.ID, "repo", repo, "cron", expr, "kind", string(spec.Kind), "by", by)
	return sc, nil
}

// Remove deletes schedule id; jobs it started are left alone.
func (s *Scheduler) Remove(ctx context.Context, id string) (Schedule, error) {
	sc, err := s.Get(ctx, id)
	if err != nil {
		return sc, err
	}
	if err := s.o.Table.Delete(ctx, id); err != nil {
		return sc, err
	}
	s.mu.Lock()
	delete(s.list, id)
	s.mu.Unlock()
	s.log.Info("schedule removed", "schedule", id)
	return sc, nil
}

// Get returns schedule id.
func (s *Scheduler) Get(ctx context.Context, id string) (Schedule, error) {
	if err := s.load(ctx, false); err != nil {
		return Schedule{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.list[id]
	if !ok {
		return Schedule{}, fmt.Errorf("schedule %q: %w", id, ErrNotFound)
	}
	out := *sc
	out.Next = out.due()
	return out, nil
}

// List returns the schedules of repository repo (all when empty), by ID,
// with their next run times.
func (s *Scheduler) List(ctx context.Context, repo string) ([]Schedule, error) {
	if err := s.load(ctx, false); err != nil {
		return nil, err
	}
	s.mu.Lock()
	out := []Schedule{}
	for _, sc := range s.list {
		if repo == "" || sc.Repository == repo {
			x := *sc
			x.Next = x.due()
			out = append(out, x)
		}
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// load reads the table when it was never read, when force, or when the
// last read is older than Reload.
func (s *Scheduler) load(ctx context.Context, force bool) error {
	s.mu.Lock()
	fresh := s.list != nil && !force && time.Since(s.loaded) < s.o.Reload
	s.mu.Unlock()
	if fresh {
		return nil
	}
	list := map[string]*Schedule{}
	var ids []string
	if err := s.o.Table.Keys(ctx, func(k string, _ time.Time) error { ids = append(ids, k); return nil }); err != nil {
		return fmt.Errorf("listing schedules: %w", err)
	}
	for _, id := range ids {
		var sc Schedule
		err := s.o.Table.Get(ctx, id, &sc)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading schedule %s: %w", id, err)
		}
		list[id] = &sc
	}
	s.mu.Lock()
	s.list, s.loaded = list, time.Now()
	s.mu.Unlock()
	return nil
}

// Run starts the jobs of due schedules until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	tick.Every(ctx, s.o.Tick, func(ctx context.Context) {
		if err := s.load(ctx, false); err != nil {
			if ctx.Err() == nil {
				s.log.Error("reading schedules", "error", err.Error())
			}
		} else {
			s.fire(ctx)
		}
	})
}

// fire starts the job of every schedule due at the clock's time.
func (s *Scheduler) fire(ctx context.Context) {
	now := s.o.Now().UTC()
	s.mu.Lock()
	var due []Schedule
	for _, sc := range s.list {
		if at := sc.due(); !at.IsZero() && !at.After(now) {
			due = append(due, *sc)
		}
	}
	s.mu.Unlock()
	for _, sc := range due {
		// Another server process fronting the storage may have run it:
		// its record says so.
		var cur Schedule
		if err := s.o.Table.Get(ctx, sc.ID, &cur); err != nil {
			if !errors.Is(err, storage.ErrNotFound) {
				s.log.Error("reading schedule", "schedule", sc.ID, "error", err.Error())
			}
			continue
		}
		if at := cur.due(); at.After(now) {
			s.remember(cur)
			continue
		}
		cur.LastRun, cur.LastError, cur.LastJob = now, "", ""
		job, err := s.o.Runner.Start(ctx, cur.Repository, cur.Spec, "schedule", cur.ID)
		if err != nil {
			cur.LastError = err.Error()
			s.log.Warn("scheduled job not started", "schedule", cur.ID, "repo", cur.Repository, "error", cur.LastError)
		} else {
			cur.LastJob = job.ID
		}
		if err := s.o.Table.Put(ctx, cur.ID, cur); err != nil {
			s.log.Error("schedule record not written", "schedule", cur.ID, "error", err.Error())
		}
		s.remember(cur)
	}
}

func (s *Scheduler) remember(sc Schedule) {
	s.mu.Lock()
	if _, ok := s.list[sc.ID]; ok {
		s.list[sc.ID] = &sc
	}
	s.mu.Unlock()
}

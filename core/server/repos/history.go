package repos

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The history of a repository's stored bytes is a records table
// ("usage/NAME") of samples, each named "UNIXSECONDS-BYTES-SNAPSHOTS", so
// one listing of the table reads the whole series. Stats records a sample
// when its figures changed and the last sample is SampleEvery old, or
// unchanged for SampleIdle. Several server processes each add their own
// samples; the series stays a series.

// SampleEvery and SampleIdle pace the history's samples.
const (
	SampleEvery = 10 * time.Minute
	SampleIdle  = 6 * time.Hour
)

// Sample is one point of a repository's history.
type Sample struct {
	At          time.Time
	StoredBytes int64
	Snapshots   int
}

func (s Sample) key() string {
	return fmt.Sprintf("%012d-%d-%d", s.At.Unix(), s.StoredBytes, s.Snapshots)
}

func parseSample(key string) (Sample, bool) {
	parts := strings.Split(key, "-")
	if len(parts) != 3 {
		return Sample{}, false
	}
	sec, err1 := strconv.ParseInt(parts[0], 10, 64)
	b, err2 := strconv.ParseInt(parts[1], 10, 64)
	n, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return Sample{}, false
	}
	return Sample{At: time.Unix(sec, 0).UTC(), StoredBytes: b, Snapshots: n}, true
}

// sample records st in the history when it is due. Failing to record a
// sample leaves a gap in a chart, nothing worse: the error is dropped.
func (r *Repo) sample(ctx context.Context, st Stats) {
	s := Sample{At: st.Listed.UTC().Truncate(time.Second), StoredBytes: st.StoredBytes, Snapshots: st.Snapshots}
	last := r.stats.last
	changed := last.StoredBytes != s.StoredBytes || last.Snapshots != s.Snapshots
	age := s.At.Sub(last.At)
	if !last.At.IsZero() && !(changed && age >= SampleEvery) && age < SampleIdle {
		return
	}
	if r.AddSample(ctx, s) == nil {
		r.stats.last = s
	}
}

// AddSample records s in the repository's history (Stats does, when a
// sample is due; an import of figures from elsewhere may too).
func (r *Repo) AddSample(ctx context.Context, s Sample) error {
	t, err := r.tables.get(ctx, "usage/"+r.Name)
	if err != nil {
		return err
	}
	return t.Put(ctx, s.key(), s)
}

// History returns the samples taken since since, oldest first, and the
// figures of now as the last point.
func (r *Repo) History(ctx context.Context, since time.Time) ([]Sample, error) {
	st, err := r.Stats(ctx)
	if err != nil {
		return nil, err
	}
	t, err := r.tables.get(ctx, "usage/"+r.Name)
	if err != nil {
		return nil, err
	}
	var out []Sample
	err = t.Keys(ctx, func(key string, _ time.Time) error {
		if s, ok := parseSample(key); ok && !s.At.Before(since) {
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the history of repository %s: %w", r.Name, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	if st.Exists {
		out = append(out, Sample{At: st.Listed.UTC(), StoredBytes: st.StoredBytes, Snapshots: st.Snapshots})
	}
	return out, nil
}

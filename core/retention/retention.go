// Package retention decides which snapshots a forget keeps: restic's OR-ed
// keep rules (last, hourly, daily, weekly, monthly, yearly, within a
// duration, tags) applied per group with calendar buckets, plus the rules
// of a CI cache: keep what was used within a TTL, and cap each group's
// size, the least recently used going first. It only decides; the caller
// deletes.
package retention

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// Policy is a set of keep rules. A snapshot is kept when any rule keeps
// it; MaxSize then caps what is kept.
type Policy struct {
	Last    int // the n newest
	Hourly  int // the newest of each of the n newest hours that have one
	Daily   int
	Weekly  int // ISO weeks
	Monthly int
	Yearly  int
	// Within keeps snapshots taken within this duration of the group's newest.
	Within time.Duration
	// Tags keeps snapshots that carry any of these tags.
	Tags []string
	// WithinTTL keeps snapshots used within this duration of now. No read
	// is recorded, so "used" is when the snapshot was taken: a cache entry
	// saved again (same content, new snapshot) counts as used again.
	WithinTTL time.Duration
	// MaxSize caps each group: walking from newest to oldest, once the sum
	// of the snapshots' sizes (Stats.BytesScanned, what a restore writes)
	// exceeds it, the older ones go, whatever other rule kept them. The
	// newest snapshot of a group is always kept.
	MaxSize int64
	// GroupBy adds provenance keys ("branch", "environment") to the
	// snapshot name in the group key.
	GroupBy []string
}

// ErrEmptyPolicy refuses a policy that would keep nothing (forget everything).
var ErrEmptyPolicy = errors.New("no keep rule given: refusing to forget every snapshot")

// Empty reports whether no rule is set.
func (p Policy) Empty() bool {
	return p.Last == 0 && p.Hourly == 0 && p.Daily == 0 && p.Weekly == 0 && p.Monthly == 0 &&
		p.Yearly == 0 && p.Within == 0 && len(p.Tags) == 0 && p.WithinTTL == 0 && p.MaxSize == 0
}

func (p Policy) hasKeepRule() bool {
	q := p
	q.MaxSize = 0
	return !q.Empty()
}

// Decision is the verdict on one snapshot.
type Decision struct {
	Snapshot *snapshot.Snapshot
	Group    string
	Keep     bool
	Reasons  []string // why it is kept, or why it goes
}

// Apply decides every snapshot of list. Decisions come grouped, newest
// first within a group, groups in key order.
func Apply(list []*snapshot.Snapshot, p Policy, now time.Time) ([]Decision, error) {
	if p.Empty() {
		return nil, ErrEmptyPolicy
	}
	for _, n := range []int{p.Last, p.Hourly, p.Daily, p.Weekly, p.Monthly, p.Yearly} {
		if n < 0 {
			return nil, errors.New("keep counts must not be negative")
		}
	}
	if p.Within < 0 || p.WithinTTL < 0 || p.MaxSize < 0 {
		return nil, errors.New("durations and sizes must not be negative")
	}
	groups := map[string][]*snapshot.Snapshot{}
	for _, s := range list {
		k := GroupKey(s, p.GroupBy)
		groups[k] = append(groups[k], s)
	}
	var out []Decision
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		out = append(out, applyGroup(k, groups[k], p, now)...)
	}
	return out, nil
}

// GroupKey is the group a snapshot belongs to: its name, plus the given
// provenance keys.
func GroupKey(s *snapshot.Snapshot, by []string) string {
	parts := []string{"name=" + s.Name}
	for _, k := range by {
		parts = append(parts, k+"="+s.Provenance[k])
	}
	return strings.Join(parts, ",")
}

type bucketRule struct {
	name  string
	n     int
	key   func(time.Time) string
	last  string
	count int
}

func applyGroup(key string, snaps []*snapshot.Snapshot, p Policy, now time.Time) []Decision {
	sorted := slices.Clone(snaps)
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].Time.Equal(sorted[j].Time) {
			return sorted[i].Time.After(sorted[j].Time)
		}
		return sorted[i].ID.String() > sorted[j].ID.String()
	})
	rules := []*bucketRule{
		{name: "hourly", n: p.Hourly, key: func(t time.Time) string { return t.Format("2006-01-02T15") }},
		{name: "daily", n: p.Daily, key: func(t time.Time) string { return t.Format("2006-01-02") }},
		{name: "weekly", n: p.Weekly, key: func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-W%02d", y, w) }},
		{name: "monthly", n: p.Monthly, key: func(t time.Time) string { return t.Format("2006-01") }},
		{name: "yearly", n: p.Yearly, key: func(t time.Time) string { return t.Format("2006") }},
	}
	out := make([]Decision, len(sorted))
	var newest time.Time
	if len(sorted) > 0 {
		newest = sorted[0].Time
	}
	for i, s := range sorted {
		d := Decision{Snapshot: s, Group: key}
		t := s.Time.UTC()
		if i < p.Last {
			d.Reasons = append(d.Reasons, fmt.Sprintf("last %d", p.Last))
		}
		for _, r := range rules {
			if r.n == 0 || r.count >= r.n {
				continue
			}
			if k := r.key(t); k != r.last {
				r.last = k
				r.count++
				d.Reasons = append(d.Reasons, fmt.Sprintf("%s %s", r.name, k))
			}
		}
		if p.Within > 0 && !s.Time.Before(newest.Add(-p.Within)) {
			d.Reasons = append(d.Reasons, "within "+p.Within.String()+" of the newest")
		}
		for _, tag := range p.Tags {
			if slices.Contains(s.Tags, tag) {
				d.Reasons = append(d.Reasons, "tag "+tag)
				break
			}
		}
		if p.WithinTTL > 0 && !s.Time.Before(now.Add(-p.WithinTTL)) {
			d.Reasons = append(d.Reasons, "used within the TTL "+p.WithinTTL.String())
		}
		d.Keep = len(d.Reasons) > 0 || !p.hasKeepRule()
		if !d.Keep {
			d.Reasons = []string{"no keep rule matches"}
		}
		out[i] = d
	}
	if p.MaxSize > 0 {
		var total int64
		for i := range out {
			if !out[i].Keep {
				continue
			}
			total += out[i].Snapshot.Stats.BytesScanned
			if total > p.MaxSize && i > 0 {
				out[i].Keep = false
				out[i].Reasons = []string{fmt.Sprintf("over max size %d bytes for its group (least recently used first)", p.MaxSize)}
			} else if !p.hasKeepRule() {
				out[i].Reasons = []string{"within max size"}
			}
		}
	}
	return out
}

// ParseDuration reads durations such as 7d, 2w, 1y, 36h, 1d12h or 90m:
// y (365 days), w, d, h, m (minutes), s.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	if s == "" {
		return 0, errors.New("empty duration")
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) {
			return 0, fmt.Errorf("invalid duration %q: use a number and a unit, e.g. 7d, 2w, 36h", orig)
		}
		var n int64
		fmt.Sscan(s[:i], &n)
		unit := map[byte]time.Duration{'y': 365 * 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'd': 24 * time.Hour,
			'h': time.Hour, 'm': time.Minute, 's': time.Second}[s[i]]
		if unit == 0 {
			return 0, fmt.Errorf("invalid duration %q: unknown unit %q (use y, w, d, h, m, s)", orig, s[i])
		}
		total += time.Duration(n) * unit
		s = s[i+1:]
	}
	return total, nil
}

// ParseSize reads sizes such as 10G, 500M, 1.5GiB or 1000 (bytes), in
// binary units.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), "B"), "I")
	mult := int64(1)
	if t != "" {
		switch t[len(t)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:len(t)-1]
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("invalid size %q: use e.g. 10G, 500M, 2048", s)
	}
	return int64(f * float64(mult)), nil
}

// FormatSize writes a byte count in binary units (1.5 GiB), the form
// ParseSize reads.
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

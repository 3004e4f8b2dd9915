package retention

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/snapshot"
)

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// snaps makes one snapshot every step going back from t0, newest first.
func snaps(n int, step time.Duration, name string) []*snapshot.Snapshot {
	var out []*snapshot.Snapshot
	for i := 0; i < n; i++ {
		s := &snapshot.Snapshot{Time: t0.Add(-time.Duration(i) * step), Name: name, Stats: snapshot.Stats{BytesScanned: 100}}
		s.ID[0], s.ID[1] = byte(i), byte(len(name))
		out = append(out, s)
	}
	return out
}

func kept(t *testing.T, list []*snapshot.Snapshot, p Policy) string {
	t.Helper()
	ds, err := Apply(list, p, t0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, d := range ds {
		if d.Keep {
			fmt.Fprintf(&b, "%s ", d.Snapshot.Time.Format("01-02T15"))
		}
	}
	return strings.TrimSpace(b.String())
}

func TestRules(t *testing.T) {
	hourly := snaps(60, 6*time.Hour, "n") // 15 days, 4 a day
	cases := []struct {
		name string
		p    Policy
		want string
	}{
		{"last", Policy{Last: 3}, "03-10T12 03-10T06 03-10T00"},
		{"daily", Policy{Daily: 3}, "03-10T12 03-09T18 03-08T18"},
		{"last+daily OR-ed", Policy{Last: 2, Daily: 2}, "03-10T12 03-10T06 03-09T18"},
		{"within", Policy{Within: 13 * time.Hour}, "03-10T12 03-10T06 03-10T00"},
		{"ttl", Policy{WithinTTL: 7 * time.Hour}, "03-10T12 03-10T06"},
		{"weekly", Policy{Weekly: 2}, "03-10T12 03-08T18"},
		{"monthly", Policy{Monthly: 5}, "03-10T12 02-28T18"},
		{"max-size alone", Policy{MaxSize: 250}, "03-10T12 03-10T06"},
		{"max-size caps rules", Policy{Last: 5, MaxSize: 300}, "03-10T12 03-10T06 03-10T00"},
	}
	for _, c := range cases {
		if got := kept(t, hourly, c.p); got != c.want {
			t.Errorf("%s: kept %q, want %q", c.name, got, c.want)
		}
	}
}

func TestGroupsAndTags(t *testing.T) {
	a := snaps(3, time.Hour, "a")
	b := snaps(3, time.Hour, "b")
	b[2].Tags = []string{"release"}
	ds, err := Apply(append(a, b...), Policy{Last: 1, Tags: []string{"release"}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range ds {
		if d.Keep {
			n++
		}
		if len(d.Reasons) == 0 {
			t.Errorf("no reason for %s", d.Snapshot.ID.Short())
		}
	}
	if n != 3 {
		t.Fatalf("kept %d, want 3 (newest per name + tagged)", n)
	}
	a[0].Provenance = map[string]string{"branch": "main"}
	ds, _ = Apply(a, Policy{Last: 1, GroupBy: []string{"branch"}}, t0)
	n = 0
	for _, d := range ds {
		if d.Keep {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("grouped by branch: kept %d, want 2", n)
	}
}

func TestEmptyPolicyRefused(t *testing.T) {
	if _, err := Apply(snaps(2, time.Hour, "n"), Policy{GroupBy: []string{"branch"}}, t0); err != ErrEmptyPolicy {
		t.Fatalf("got %v", err)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "1d12h": 36 * time.Hour, "2w": 14 * 24 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "7", "d", "7x"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
	for in, want := range map[string]int64{"10G": 10 << 30, "1.5GiB": 3 << 29, "2048": 2048, "500M": 500 << 20} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseSize("10x"); err == nil {
		t.Error("ParseSize accepted 10x")
	}
}

package cli

import (
	"slices"
	"testing"
	"time"
)

// TestParse: options come out of the flags as the run functions get them.
func TestParse(t *testing.T) {
	p, err := Parse([]string{"save", "x", "--command", "db=pg_dump -t a,b app", "--tag", "a,b", "--repo", "R"})
	if err != nil {
		t.Fatal(err)
	}
	o := p.Options.(SaveOptions)
	if p.Command != "save" || p.Globals.Repo != "R" || o.Capture.Commands[0].Value != "pg_dump -t a,b app" ||
		!slices.Equal(o.Tags, []string{"a,b"}) || !slices.Equal(o.Paths, []string{"x"}) {
		t.Errorf("parsed %+v", p)
	}
	// Prune: "unset" is nil, zero is zero.
	o2 := mustParse(t, "prune").Options.(PruneOptions)
	if o2.ClockSkew != nil || *o2.MaxUnused != 0.10 {
		t.Errorf("defaults: clock skew %v, max unused %v", o2.ClockSkew, *o2.MaxUnused)
	}
	o2 = mustParse(t, "prune", "--max-unused", "0%", "--clock-skew", "0s").Options.(PruneOptions)
	if o2.ClockSkew == nil || *o2.ClockSkew != 0 || *o2.MaxUnused != 0 {
		t.Errorf("zeros: clock skew %v, max unused %v", o2.ClockSkew, *o2.MaxUnused)
	}
	if o2 := mustParse(t, "prune", "--clock-skew", "2m").Options.(PruneOptions); *o2.ClockSkew != 2*time.Minute {
		t.Errorf("clock skew %v", *o2.ClockSkew)
	}
	if _, err := Parse([]string{"restore", "latest"}); ExitCode(err) != ExitUsage {
		t.Errorf("restore without --target: %v", err)
	}
}

func mustParse(t *testing.T, args ...string) *Parsed {
	t.Helper()
	p, err := Parse(args)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

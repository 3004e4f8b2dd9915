//go:build unix

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// tarRunner is `tar -cf - DIR | zstd -T0` (zstd's default level 3) into a
// local file: no dedup, no incremental, no encryption; the floor a cache
// tool is measured against. It runs at the local location only.
type tarRunner struct {
	loc    *location
	dir    string
	latest string
	n      int
	sparse bool // tar -S: holes archived as holes (and extracted as holes)
}

func newTarZstd(_ string, loc *location) runner { return &tarRunner{loc: loc} }

func (t *tarRunner) keepHoles() { t.sparse = true }

func (t *tarRunner) Version(ctx context.Context) string {
	var zstd, tar string
	for _, x := range strings.Fields(firstLine(ctx, "zstd", "--version")) {
		if strings.HasPrefix(x, "v") {
			zstd = strings.TrimSuffix(x, ",")
		}
	}
	if f := strings.Fields(firstLine(ctx, "tar", "--version")); len(f) > 0 {
		tar = f[len(f)-1]
	}
	return fmt.Sprintf("zstd %s -3 -T0, tar %s", zstd, tar)
}

func (t *tarRunner) Init(ctx context.Context, dir, name string) error {
	if t.loc.name != "local" {
		return errUnsupported
	}
	t.dir = dir
	return os.MkdirAll(dir, 0o755)
}

func (t *tarRunner) Save(ctx context.Context, workdir, name string, fresh bool) (measure, error) {
	t.n++
	out := filepath.Join(t.dir, fmt.Sprintf("%d.tar.zst", t.n))
	flags := "-cf"
	if t.sparse {
		flags = "-Scf"
	}
	cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", `tar `+flags+` - "$1" | zstd -T0 -q -o "$2"`, "tar", name, out)
	cmd.Dir = workdir
	m, _, err := timed(ctx, cmd)
	if err != nil {
		return m, err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return m, err
	}
	m.stored, t.latest = fi.Size(), out
	return m, nil
}

func (t *tarRunner) Restore(ctx context.Context, target string) (measure, error) {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return measure{}, err
	}
	cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", `zstd -d -T0 -q -c "$1" | tar -xf - -C "$2"`, "tar", t.latest, target)
	m, _, err := timed(ctx, cmd)
	if err != nil {
		return m, err
	}
	return m, flatten(target)
}

//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// runner is one tool under test, set up for one dataset at one location.
type runner interface {
	// Version describes the tool as it runs: version and the settings that
	// matter for the figures (compression, repository format).
	Version(ctx context.Context) string
	// Init creates an empty repository. dir is a fresh local directory the
	// runner owns: the repository itself when local, else its caches and
	// configuration. name is unique per tool and dataset (a bucket prefix).
	// Init returns errUnsupported when the tool cannot use the location.
	Init(ctx context.Context, dir, name string) error
	// Save saves workdir/name with workdir as the working directory. fresh
	// models a fresh CI runner: no local cache or configuration.
	Save(ctx context.Context, workdir, name string, fresh bool) (measure, error)
	// Restore restores the latest save into target (not existing yet), as
	// a fresh runner, with the saved tree's contents directly in target.
	Restore(ctx context.Context, target string) (measure, error)
}

// errUnsupported: the tool cannot run at this location or in this scenario.
var errUnsupported = errors.New("not supported here")

// tool is one entry of the registry below.
type tool struct {
	name  string
	color string // in the chart
	bin   string // default binary, relative to the repository root; -bin overrides
	// secondMtimes: restores mtimes to the second only (tar), so the
	// restore check compares seconds.
	secondMtimes bool
	// at is the one location the tool runs at ("": every location); a run
	// takes it by default only there.
	at string
	// new returns a runner for one dataset; bin is the binary to run.
	new func(bin string, loc *location) runner
}

// tools is every tool the harness knows, in report order. savepoint first:
// the targets' ratios are savepoint's to a peer (savepoint-server's to
// savepoint for the server location).
var tools = []tool{
	{name: "savepoint", color: "#2b7bb9", bin: "bin/savepoint", new: newSavepoint},
	{name: "restic", color: "#e08a2c", bin: ".tools/bin/restic", new: newRestic},
	{name: "kopia", color: "#4e9a4b", bin: ".tools/bin/kopia", new: newKopia},
	{name: "tar+zstd", color: "#8a8a8a", new: newTarZstd, secondMtimes: true, at: "local"},
	{name: "savepoint-server", color: "#74add1", bin: "bin/savepoint", new: newSavepointServer, at: "server"},
}

func toolByName(name string) (tool, error) {
	for _, t := range tools {
		if t.name == name {
			return t, nil
		}
	}
	return tool{}, fmt.Errorf("unknown tool %q", name)
}

// binary resolves a tool's binary: an override from -bin, else its
// default, which must exist.
func (t tool) binary(overrides map[string]string) (string, error) {
	bin := overrides[t.name]
	if bin == "" {
		bin = t.bin
	}
	if bin == "" {
		return "", nil
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		hint := "run make build"
		if t.bin != "bin/savepoint" {
			hint = "run scripts/peers.sh"
		}
		return "", fmt.Errorf("%s binary: %v (%s)", t.name, err, hint)
	}
	return abs, nil
}

// flatten turns target/<only child> into target: savepoint, restic and
// tar restore the saved relative path below the target.
func flatten(target string) error {
	entries, err := os.ReadDir(target)
	if err != nil || len(entries) != 1 || !entries[0].IsDir() {
		return err
	}
	tmp := target + ".flat"
	if err := os.Rename(filepath.Join(target, entries[0].Name()), tmp); err != nil {
		return err
	}
	if err := os.Remove(target); err != nil {
		return err
	}
	return os.Rename(tmp, target)
}

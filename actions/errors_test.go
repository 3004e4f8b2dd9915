package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/cli"
)

// TestInputErrors: every missing or contradictory input gives exactly one
// error annotation naming the problem, and exit status 2.
func TestInputErrors(t *testing.T) {
	repo := "/nonexistent/repo"
	cases := []struct {
		name   string
		inputs map[string]string
		want   string
	}{
		{"no repository", map[string]string{"paths": "x"}, "input repository is required"},
		{"unknown command", map[string]string{"repository": repo, "command": "backup"}, `"backup" is not one of save, restore`},
		{"save without paths", map[string]string{"repository": repo}, "command save needs input paths"},
		{"keep rules on save", map[string]string{"repository": repo, "paths": "x", "keep_last": "3"}, "keep_* inputs applies to command forget"},
		{"forget without rules", map[string]string{"repository": repo, "command": "forget"}, "needs at least one keep rule"},
		{"rollback with both", map[string]string{"repository": repo, "command": "rollback", "snapshot": "abcd", "before_commit": "f00"}, "snapshot and before_commit contradict"},
		{"rollback on restore", map[string]string{"repository": repo, "command": "restore", "on_failure": "rollback"}, "on_failure: rollback needs command checkpoint or save"},
		{"post and rollback", map[string]string{"repository": repo, "paths": "x", "name": "n", "save_on": "post", "on_failure": "rollback"}, "contradict each other"},
		{"post without name", map[string]string{"repository": repo, "paths": "x", "save_on": "post"}, "save_on: post needs input name"},
		{"post on restore", map[string]string{"repository": repo, "command": "restore", "save_on": "post"}, "save_on: post applies to command save"},
		{"bad on_failure", map[string]string{"repository": repo, "paths": "x", "on_failure": "retry"}, `"retry" is not none or rollback`},
		{"bad bool", map[string]string{"repository": repo, "paths": "x", "init": "maybe"}, `input init: "maybe" is not true or false`},
		{"bad connections", map[string]string{"repository": repo, "paths": "x", "connections": "-1"}, "input connections"},
		{"images on save", map[string]string{"repository": repo, "paths": "x", "images": "api=r/a:1"}, "input images applies to command checkpoint"},
		{"bad command source", map[string]string{"repository": repo, "command": "checkpoint", "commands": "pg_dump app"}, "NAME=VALUE"},
		{"same_owner on save", map[string]string{"repository": repo, "paths": "x", "same_owner": "true"}, "input same_owner applies to command restore or rollback"},
		{"keep_special_bits on verify", map[string]string{"repository": repo, "command": "verify", "keep_special_bits": "true"}, "input keep_special_bits applies to command restore or rollback"},
		{"bad sparse", map[string]string{"repository": repo, "command": "restore", "sparse": "holes"}, `input sparse: "holes" is not auto, true or false`},
		{"sparse on rollback", map[string]string{"repository": repo, "command": "rollback", "sparse": "false"}, "input sparse applies to command restore"},
		{"grace on verify", map[string]string{"repository": repo, "command": "verify", "grace": "1h"}, "input grace applies to command prune"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeEnv(t).inputs(c.inputs).input("password", testPassword)
			if code := f.run(false); code != cli.ExitUsage {
				t.Errorf("exit %d, want %d", code, cli.ExitUsage)
			}
			errs := f.errors()
			if len(errs) != 1 || !strings.Contains(errs[0], c.want) {
				t.Errorf("want one error annotation with %q, got %q\n%s", c.want, errs, f.log.String())
			}
			if strings.Contains(f.log.String(), "goroutine ") || strings.Contains(f.log.String(), "panic") {
				t.Errorf("stack trace in the log:\n%s", f.log.String())
			}
			f.assertNoSecret(testPassword)
		})
	}
}

// TestRunErrors: failures of the operation itself (wrong password, no such
// snapshot) are one error annotation and a non-zero exit, secrets scrubbed.
func TestRunErrors(t *testing.T) {
	workspace(t)
	base := repoInputs(t, nil)
	f := newFakeEnv(t).inputs(base).inputs(map[string]string{"paths": "data"})
	f.mustRun("save", false)
	wrong := "not-the-password-" + testPassword[:6]
	cases := []struct {
		name   string
		inputs map[string]string
		code   int
		want   string
	}{
		{"wrong password", map[string]string{"command": "snapshots", "password": wrong}, cli.ExitPassword, "wrong password"},
		{"no such snapshot", map[string]string{"command": "restore", "snapshot": "ffffffff", "target": t.TempDir()}, cli.ExitNoSnapshot, "snapshot not found"},
		{"no repository", map[string]string{"command": "snapshots", "repository": filepath.Join(t.TempDir(), "none")}, cli.ExitNoRepository, "no savepoint repository"},
		{"missing path", map[string]string{"paths": "does-not-exist", "init": "false"}, cli.ExitError, "does-not-exist"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newFakeEnv(t).inputs(base).inputs(c.inputs)
			if code := g.run(false); code != c.code {
				t.Fatalf("exit %d, want %d\n%s", code, c.code, g.log.String())
			}
			errs := g.errors()
			if len(errs) != 1 || !strings.Contains(errs[0], c.want) {
				t.Errorf("want one error annotation with %q, got %q\n%s", c.want, errs, g.log.String())
			}
			secret := c.inputs["password"]
			if secret == "" {
				secret = testPassword
			}
			g.assertNoSecret(secret)
		})
	}
}

// TestCommandsOfThisBuild: every command the action accepts exists in the
// savepoint CLI it runs.
func TestCommandsOfThisBuild(t *testing.T) {
	app := cli.NewApp("test", cli.Env{})
	for _, cmd := range commandNames {
		if app.Command(cmd) == nil {
			t.Errorf("the action accepts command %q, which the CLI lacks", cmd)
		}
	}
}

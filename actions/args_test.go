package main

import (
	"slices"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/cli"
)

func parse(t *testing.T, inputs map[string]string) *config {
	t.Helper()
	env := map[string]string{}
	for k, v := range inputs {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	c, err := parseConfig(inputReader{getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGlobalArgsSecretsInEnv(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"GITHUB_ACTOR": "octocat"}[k] }
	c := parse(t, map[string]string{"command": "snapshots", "repository": "oci://ghcr.io/octo/cache", "password": "pw-secret", "token": "tok-secret",
		"s3_access_key_id": "AKIDSECRET", "s3_secret_access_key": "s3-secret"})
	inv := globalArgs(c, getenv)
	joined := strings.Join(inv.args, " ")
	for _, s := range []string{"pw-secret", "tok-secret", "AKIDSECRET", "s3-secret"} {
		if strings.Contains(joined, s) {
			t.Errorf("secret %q on the command line: %s", s, joined)
		}
	}
	if inv.env["SAVEPOINT_PASSWORD"] != "pw-secret" || inv.env["AWS_ACCESS_KEY_ID"] != "AKIDSECRET" || inv.env["AWS_SECRET_ACCESS_KEY"] != "s3-secret" {
		t.Errorf("env %v", inv.env)
	}
	if !strings.Contains(joined, "--registry-password-env "+registryPasswordEnv) || !strings.Contains(joined, "--registry-user octocat") ||
		inv.env[registryPasswordEnv] != "tok-secret" {
		t.Errorf("registry login not passed: %s, env %v", joined, inv.env)
	}
	if inv := globalArgs(c, getenv); inv.env["GITHUB_TOKEN"] != "" {
		t.Errorf("GITHUB_TOKEN set for snapshots")
	}
	c.command = "checkpoint"
	if inv := globalArgs(c, getenv); inv.env["GITHUB_TOKEN"] != "tok-secret" {
		t.Errorf("GITHUB_TOKEN not set for a checkpoint (images on ghcr.io)")
	}
	// The token is not handed to non-OCI repositories.
	c.repository = "s3://bucket/prefix"
	if inv := globalArgs(c, getenv); inv.env[registryPasswordEnv] != "" || slices.Contains(inv.args, "--registry-password-env") {
		t.Errorf("token passed for an s3 repository: %v %v", inv.args, inv.env)
	}
}

func TestGlobalArgsS3(t *testing.T) {
	c := parse(t, map[string]string{"command": "snapshots", "repository": "s3://b/p", "s3_endpoint": "127.0.0.1:9000", "s3_region": "eu-west-1",
		"s3_path_style": "true", "s3_insecure": "false", "connections": "8"})
	// Flags, only for settings that are set.
	inv := globalArgs(c, func(string) string { return "" })
	want := []string{"--repo", "s3://b/p", "--json", "--connections", "8", "--s3-endpoint", "127.0.0.1:9000", "--s3-region", "eu-west-1", "--s3-path-style"}
	if !slices.Equal(inv.args, want) {
		t.Errorf("args %q, want %q", inv.args, want)
	}
}

// TestCommandArgs: each command's inputs map to the flags of its CLI
// command; the real CLI must accept every argument list.
func TestCommandArgs(t *testing.T) {
	cases := []struct {
		inputs map[string]string
		want   string
	}{
		{map[string]string{"paths": "a, -b", "name": "n", "tags": "x\ny", "exclude": "*.log"},
			"save --name n --tag x --tag y --exclude *.log -- a -b"},
		{map[string]string{"command": "checkpoint", "name": "production", "paths": "cfg", "commands": "db=pg_dump -t a,b app",
			"restore_commands": "db=psql app", "images": "api=r/api:prod, web=r/web:prod", "pin": "true"},
			"checkpoint --name production --command db=pg_dump -t a,b app --restore-command db=psql app --image api=r/api:prod --image web=r/web:prod --pin -- cfg"},
		{map[string]string{"command": "restore", "name": "deps"}, "restore --target . -- deps:latest"},
		{map[string]string{"command": "restore", "snapshot": "abcd1234", "target": "out"}, "restore --target out -- abcd1234"},
		{map[string]string{"command": "rollback", "name": "production", "before_commit": "f00d", "dry_run": "true"},
			"rollback --name production --before-commit f00d --dry-run"},
		{map[string]string{"command": "rollback", "snapshot": "abcd", "target": "/srv"}, "rollback --to abcd --target /srv"},
		{map[string]string{"command": "snapshots", "name": "n", "tags": "a"}, "snapshots --name n --tag a"},
		{map[string]string{"command": "forget", "name": "n", "keep_last": "3", "keep_daily": "7", "keep_within": "14d", "keep_tags": "release,pinned", "dry_run": "yes"},
			"forget --name n --keep-last 3 --keep-daily 7 --keep-within 14d --keep-tag release --keep-tag pinned --dry-run"},
		{map[string]string{"command": "forget", "keep_hourly": "1", "keep_weekly": "2", "keep_monthly": "3", "keep_yearly": "4"},
			"forget --keep-hourly 1 --keep-weekly 2 --keep-monthly 3 --keep-yearly 4"},
		{map[string]string{"command": "prune", "grace": "1h", "max_unused": "5%"}, "prune --grace 1h --max-unused 5%"},
		{map[string]string{"command": "verify", "read_data_subset": "10%"}, "verify --read-data-subset 10%"},
	}
	app := cli.NewApp("test", cli.Env{})
	for _, tc := range cases {
		tc.inputs["repository"] = "/r"
		args := commandArgs(parse(t, tc.inputs))
		if got := strings.Join(args, " "); got != tc.want {
			t.Errorf("inputs %v:\n got %s\nwant %s", tc.inputs, got, tc.want)
		}
		cmd := app.Command(args[0])
		if cmd == nil {
			t.Fatalf("the CLI has no command %q", args[0])
		}
		for _, a := range args[1:] {
			if a == "--" {
				break
			}
			if name, ok := strings.CutPrefix(a, "--"); ok && !slices.ContainsFunc(cmd.Flags, func(f ucli.Flag) bool { return slices.Contains(f.Names(), name) }) {
				t.Errorf("%s: the CLI's %s command has no flag --%s", tc.want, args[0], name)
			}
		}
	}
}

func TestLineWriter(t *testing.T) {
	var got []string
	w := &lineWriter{line: func(s string) { got = append(got, s) }}
	for _, chunk := range []string{"sav", "ing 10%\r\nsaving", " 50%\n\nwarning: x\nsavepoint: fail"} {
		if n, err := w.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	w.flush()
	want := []string{"saving 10%", "saving 50%", "", "warning: x", "savepoint: fail"}
	if !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
}

func TestRollbackSummary(t *testing.T) {
	out := `{"plan":{"snapshot":"996c6aa04752292e","name":"production","provenance":{"commit":"0123456789abcdef","pipeline_url":"https://github.com/o/r/actions/runs/1"},
	  "steps":[{"description":"restore files data into ."},{"description":"pipe db (12 bytes) into: psql | x"}]},
	  "report":{"ok":false,"steps":[{"description":"restore files data into .","status":"done"},{"description":"pipe db (12 bytes) into: psql | x","status":"failed","error":"exit status 3"}],
	  "notes":["images left alone"]}}`
	r, ok := parseRollback([]byte(out))
	if !ok {
		t.Fatal("not parsed")
	}
	s := rollbackSummary(r)
	for _, want := range []string{"rollback to `996c6aa0` (production): FAILED", "commit `01234567` by [this run](https://github.com/o/r/actions/runs/1)",
		"| restore files data into . | done |", `| pipe db (12 bytes) into: psql \| x | failed: exit status 3 |`, "> images left alone"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	r.Report = nil
	if s := rollbackSummary(r); !strings.Contains(s, "dry run") || !strings.Contains(s, "| restore files data into . | planned |") {
		t.Errorf("dry-run summary:\n%s", s)
	}
	if _, ok := parseRollback([]byte(`{"forgotten":[]}`)); ok {
		t.Errorf("other JSON parsed as a rollback")
	}
}

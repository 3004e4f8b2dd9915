package main

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/rollback"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/verify"
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

// parseCLI parses what the action would run for c (global flags, then
// the command's arguments) with the real CLI.
func parseCLI(t *testing.T, c *config, getenv func(string) string) *cli.Parsed {
	t.Helper()
	args := append(globalArgs(c, getenv).args, commandArgs(c)...)
	p, err := cli.Parse(args)
	if err != nil {
		t.Fatalf("the CLI refuses %q: %v", args, err)
	}
	return p
}

// TestGlobalArgsServer: the server token travels in SAVEPOINT_TOKEN, never
// on the command line; the CA file is a flag.
func TestGlobalArgsServer(t *testing.T) {
	c := parse(t, map[string]string{"command": "snapshots", "repository": "https://backup.example.com/app",
		"server_token": "spt_abc_tok-secret", "server_ca_file": "ca.pem"})
	inv := globalArgs(c, func(string) string { return "" })
	if strings.Contains(strings.Join(inv.args, " "), "tok-secret") || inv.env["SAVEPOINT_TOKEN"] != "spt_abc_tok-secret" {
		t.Errorf("args %q, env %v", inv.args, inv.env)
	}
	if g := parseCLI(t, c, func(string) string { return "" }).Globals; g.Server.CAFile != "ca.pem" || g.Server.TokenFile != "" {
		t.Errorf("server globals %+v", g.Server)
	}
	if !slices.Contains(c.secrets(), "spt_abc_tok-secret") {
		t.Errorf("the server token is not among the secrets to mask")
	}
}

func TestGlobalArgsS3(t *testing.T) {
	c := parse(t, map[string]string{"command": "snapshots", "repository": "s3://b/p", "s3_endpoint": "127.0.0.1:9000", "s3_region": "eu-west-1",
		"s3_path_style": "true", "s3_insecure": "false", "connections": "8"})
	g := parseCLI(t, c, func(string) string { return "" }).Globals
	if g.Repo != "s3://b/p" || !g.JSON || g.Connections != 8 ||
		!reflect.DeepEqual(g.S3, location.S3Options{Endpoint: "127.0.0.1:9000", Region: "eu-west-1", PathStyle: true}) {
		t.Errorf("globals %+v", g)
	}
	oci := parse(t, map[string]string{"command": "snapshots", "repository": "oci://ghcr.io/o/r", "token": "tok"})
	g = parseCLI(t, oci, func(k string) string { return map[string]string{"GITHUB_ACTOR": "octocat"}[k] }).Globals
	if g.OCI != (location.OCIOptions{Username: "octocat", PasswordEnv: registryPasswordEnv}) || g.Connections != 4 {
		t.Errorf("oci globals %+v", g)
	}
}

// TestCommandArgs: each command's inputs map to the options of its CLI
// command, as the real CLI parses the argument list.
func TestCommandArgs(t *testing.T) {
	noCapture := cli.CaptureOptions{Restores: map[string]string{}}
	cases := []struct {
		inputs map[string]string
		want   any
	}{
		{map[string]string{"paths": "a, -b", "name": "n", "tags": "x\ny", "exclude": "*.log"},
			cli.SaveOptions{Paths: []string{"a", "-b"}, Name: "n", Tags: []string{"x", "y"}, Excludes: []string{"*.log"}, Capture: noCapture}},
		{map[string]string{"command": "checkpoint", "name": "production", "paths": "cfg", "commands": "db=pg_dump -t a,b app",
			"restore_commands": "db=psql app", "images": "api=r/api:prod, web=r/web:prod", "pin": "true"},
			cli.SaveOptions{Paths: []string{"cfg"}, Name: "production", Checkpoint: true, Capture: cli.CaptureOptions{
				Commands: []capture.Spec{{Name: "db", Value: "pg_dump -t a,b app"}}, Restores: map[string]string{"db": "psql app"},
				Images: []capture.Spec{{Name: "api", Value: "r/api:prod"}, {Name: "web", Value: "r/web:prod"}}, Pin: true}}},
		{map[string]string{"command": "restore", "name": "deps"}, cli.RestoreOptions{Snapshot: "deps:latest", Target: "."}},
		{map[string]string{"command": "restore", "snapshot": "abcd1234", "target": "out"}, cli.RestoreOptions{Snapshot: "abcd1234", Target: "out"}},
		{map[string]string{"command": "rollback", "name": "production", "before_commit": "f00d", "dry_run": "true"},
			cli.RollbackOptions{Select: rollback.Selector{Name: "production", BeforeCommit: "f00d"}, DryRun: true,
				Plan: rollback.PlanOptions{Target: ".", RestoreCommands: map[string]string{}}}},
		{map[string]string{"command": "rollback", "snapshot": "abcd", "target": "/srv"},
			cli.RollbackOptions{Select: rollback.Selector{To: "abcd"}, Plan: rollback.PlanOptions{Target: "/srv", RestoreCommands: map[string]string{}}}},
		{map[string]string{"command": "restore", "same_owner": "true", "keep_special_bits": "true", "sparse": "false"},
			cli.RestoreOptions{Snapshot: "latest", Target: ".", SameOwner: true, KeepSpecialBits: true, Sparse: restore.SparseNever}},
		{map[string]string{"command": "restore", "sparse": "true"}, cli.RestoreOptions{Snapshot: "latest", Target: ".", Sparse: restore.SparseAlways}},
		{map[string]string{"command": "rollback", "name": "production", "same_owner": "yes", "keep_special_bits": "true"},
			cli.RollbackOptions{Select: rollback.Selector{Name: "production"}, SameOwner: true, KeepSpecialBits: true,
				Plan: rollback.PlanOptions{Target: ".", RestoreCommands: map[string]string{}}}},
		{map[string]string{"command": "snapshots", "name": "n", "tags": "a"},
			cli.SnapshotsOptions{Filter: snapshot.Filter{Name: "n", Tags: []string{"a"}}}},
		{map[string]string{"command": "forget", "name": "n", "keep_last": "3", "keep_daily": "7", "keep_within": "14d", "keep_tags": "release,pinned", "dry_run": "yes"},
			cli.ForgetOptions{Name: "n", DryRun: true, Policy: retention.Policy{Last: 3, Daily: 7, Within: 14 * 24 * time.Hour, Tags: []string{"release", "pinned"}}}},
		{map[string]string{"command": "forget", "keep_hourly": "1", "keep_weekly": "2", "keep_monthly": "3", "keep_yearly": "4"},
			cli.ForgetOptions{Policy: retention.Policy{Hourly: 1, Weekly: 2, Monthly: 3, Yearly: 4}}},
		{map[string]string{"command": "prune", "grace": "1h", "max_unused": "5%"},
			cli.PruneOptions{Options: prune.Options{Grace: time.Hour, MaxUnused: new(0.05)}}},
		{map[string]string{"command": "verify", "read_data_subset": "10%"}, cli.VerifyOptions{Options: verify.Options{ReadDataSubset: 0.1}}},
	}
	for _, tc := range cases {
		tc.inputs["repository"] = "/r"
		c := parse(t, tc.inputs)
		p := parseCLI(t, c, func(string) string { return "" })
		if p.Command != c.command {
			t.Errorf("inputs %v: the CLI runs %s", tc.inputs, p.Command)
		}
		if so, ok := p.Options.(cli.SaveOptions); ok {
			so.Provenance = nil // the test's own CI environment
			p.Options = so
		}
		if !reflect.DeepEqual(p.Options, tc.want) {
			t.Errorf("inputs %v:\n got %+v\nwant %+v", tc.inputs, p.Options, tc.want)
		}
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

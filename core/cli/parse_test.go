package cli

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
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
	if p := mustParse(t, "migrate", "--dry-run", "--json"); p.Options.(MigrateOptions) != (MigrateOptions{DryRun: true}) || !p.Globals.JSON {
		t.Errorf("migrate: %+v", p)
	}
	if _, err := Parse([]string{"migrate", "now"}); ExitCode(err) != ExitUsage {
		t.Errorf("migrate with an argument: %v", err)
	}
}

// TestParseServer: serve and the token subcommands bind like any command;
// a subcommand's --repo (the token's repository) leaves the global one
// alone, and the server's global flags reach Globals.
func TestParseServer(t *testing.T) {
	p := mustParse(t, "--repo", "https://backup.example/app", "token", "create", "--repo", "app", "--role", "append",
		"--storage", "/srv", "--expires", "90d", "--json")
	want := TokenCreateOptions{Storage: "/srv", Repo: "app", Role: tokens.RoleAppend, Expires: 90 * 24 * time.Hour}
	if p.Command != "token create" || p.Options.(TokenCreateOptions) != want || p.Globals.Repo != "https://backup.example/app" || !p.Globals.JSON {
		t.Errorf("token create: %+v", p)
	}
	p = mustParse(t, "token", "revoke", "tok1", "--storage", "/srv")
	if p.Command != "token revoke" || p.Options.(TokenRevokeOptions) != (TokenRevokeOptions{Storage: "/srv", ID: "tok1"}) {
		t.Errorf("token revoke: %+v", p)
	}
	if p := mustParse(t, "token", "list", "--storage", "/srv"); p.Options.(TokenListOptions).Storage != "/srv" {
		t.Errorf("token list: %+v", p)
	}
	if _, err := Parse([]string{"token", "list"}); ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "token list: give --storage") {
		t.Errorf("token list without --storage: %v", err)
	}
	if _, err := Parse([]string{"token", "create", "--storage", "/srv", "--repo", "app", "--role", "owner"}); ExitCode(err) != ExitUsage {
		t.Errorf("token create --role owner: %v", err)
	}
	p = mustParse(t, "serve", "--storage", "s3://bucket/p", "--token-cache", "0s", "--token-file", "/t", "--server-ca-file", "/ca.pem")
	o := p.Options.(ServeOptions)
	if p.Command != "serve" || o.Storage != "s3://bucket/p" || o.TokenCacheTTL != 0 || o.MaxRequestSize != 256<<20 ||
		p.Globals.Server != (location.ServerOptions{TokenFile: "/t", CAFile: "/ca.pem"}) {
		t.Errorf("serve: %+v", p)
	}
	if o.EarlyHints != time.Second {
		t.Errorf("serve: early hints every %v, want 1s by default", o.EarlyHints)
	}
	if o := mustParse(t, "serve", "--storage", "/srv", "--early-hints", "0").Options.(ServeOptions); o.EarlyHints != 0 {
		t.Errorf("serve --early-hints 0: %v", o.EarlyHints)
	}
	if _, err := Parse([]string{"serve", "--storage", "/srv", "--early-hints", "often"}); ExitCode(err) != ExitUsage {
		t.Errorf("serve --early-hints often: %v", err)
	}
	if p := mustParse(t, "snapshots", "--token-file", "/t"); p.Globals.Server.TokenFile != "/t" {
		t.Errorf("snapshots --token-file: %+v", p.Globals)
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

// TestParseRemote: a job's spec comes out of `remote` flags and
// arguments; mistakes are usage errors before any request.
func TestParseRemote(t *testing.T) {
	o := mustParse(t, "remote", "jobs", "start", "save", "/srv/www", "--name", "www", "--command", "db=pg_dump app", "--wait").Options.(RemoteJobStartOptions)
	if !o.Wait || o.Spec.Kind != "save" || !slices.Equal(o.Spec.Paths, []string{"/srv/www"}) || o.Spec.Name != "www" ||
		len(o.Spec.Commands) != 1 || o.Spec.Commands[0].Command != "pg_dump app" {
		t.Errorf("remote jobs start save: %+v", o)
	}
	a := mustParse(t, "remote", "schedules", "add", "--cron", "0 3 * * *", "prune", "--keep-daily", "14", "--max-unused", "5%").Options.(RemoteScheduleAddOptions)
	if a.Cron != "0 3 * * *" || a.Spec.Kind != "prune" || a.Spec.Keep == nil || a.Spec.Keep.Daily != 14 || *a.Spec.MaxUnused != 0.05 {
		t.Errorf("remote schedules add: %+v", a)
	}
	y := mustParse(t, "remote", "schedules", "add", "--cron", "@daily", "sync", "--from-repo", "https://near.example.com:8417/app",
		"--from-token-file", "/etc/savepoint/near.token", "--from-password-file", "/etc/savepoint/near-app.password",
		"--name", "deploy", "--last", "3", "--keep-daily", "30").Options.(RemoteScheduleAddOptions)
	if y.Spec.Kind != "sync" || y.Spec.From.Repo != "https://near.example.com:8417/app" || y.Spec.From.TokenFile != "/etc/savepoint/near.token" ||
		y.Spec.From.PasswordFile != "/etc/savepoint/near-app.password" || y.Spec.Latest != 3 || y.Spec.Name != "deploy" || y.Spec.Keep.Daily != 30 {
		t.Errorf("remote schedules add sync: %+v", y)
	}
	for _, args := range [][]string{
		{"remote", "jobs", "start"},
		{"remote", "jobs", "start", "backup"},
		{"remote", "jobs", "start", "save", "relative"},
		{"remote", "jobs", "start", "forget"},
		{"remote", "jobs", "start", "restore", "latest"},
		{"remote", "jobs", "status"},
		{"remote", "schedules", "add", "verify"},
		{"remote", "jobs", "start", "sync", "--from-repo", "https://near.example.com/app", "--last", "1"},
		{"remote", "jobs", "start", "sync", "--from-repo", "https://near.example.com/app", "--from-token-file", "near.token",
			"--from-password-file", "/p", "--all"},
	} {
		if _, err := Parse(args); ExitCode(err) != ExitUsage {
			t.Errorf("%s: %v, want a usage error", strings.Join(args, " "), err)
		}
	}
}

// TestParsePercentFlags: --read-data-subset and --max-unused read the same
// way for verify, prune and a server's jobs: "5%" and "5" are 0.05; a
// subset must be above 0, --max-unused may be 0; neither goes above 100.
func TestParsePercentFlags(t *testing.T) {
	v := mustParse(t, "verify", "--read-data-subset", "5%").Options.(VerifyOptions)
	r := mustParse(t, "remote", "jobs", "start", "verify", "--read-data-subset", "5").Options.(RemoteJobStartOptions)
	if v.ReadDataSubset != 0.05 || r.Spec.ReadDataSubset != 0.05 {
		t.Errorf("read-data-subset: verify %v, remote %v", v.ReadDataSubset, r.Spec.ReadDataSubset)
	}
	if p := mustParse(t, "remote", "jobs", "start", "prune", "--max-unused", "0").Options.(RemoteJobStartOptions); p.Spec.MaxUnused == nil || *p.Spec.MaxUnused != 0 {
		t.Errorf("remote prune --max-unused 0: %v", p.Spec.MaxUnused)
	}
	if p := mustParse(t, "remote", "jobs", "start", "prune").Options.(RemoteJobStartOptions); p.Spec.MaxUnused != nil {
		t.Errorf("remote prune without --max-unused: %v, want nil (the server's default)", *p.Spec.MaxUnused)
	}
	for _, args := range [][]string{
		{"verify", "--read-data-subset", "0%"},
		{"verify", "--read-data-subset", "101"},
		{"verify", "--read-data-subset", "half"},
		{"prune", "--max-unused", "-1%"},
		{"prune", "--max-unused", "100.5"},
		{"prune", "--max-unused", ""},
		{"remote", "jobs", "start", "verify", "--read-data-subset", "0"},
		{"remote", "jobs", "start", "prune", "--max-unused", "200%"},
	} {
		_, err := Parse(args)
		if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), args[len(args)-2]) {
			t.Errorf("%s: %v, want a usage error naming %s", strings.Join(args, " "), err, args[len(args)-2])
		}
	}
}

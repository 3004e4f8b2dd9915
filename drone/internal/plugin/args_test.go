package plugin

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	corecapture "github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/chunker"
	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/core/location"
	coreprune "github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repository"
	corerestore "github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/rollback"
	coreverify "github.com/savepoint-ci/savepoint/core/verify"
)

// TestArgs parses the command line of every command with the real CLI,
// global flags included, with settings encoded the way Woodpecker does
// (snake_case keys) and the way Drone does (hyphens kept, lists
// comma-joined, maps as JSON).
func TestArgs(t *testing.T) {
	noCapture := cli.CaptureOptions{Restores: map[string]string{}}
	keep := map[string]string{}
	cases := []struct {
		name    string
		env     map[string]string
		globals func(g *cli.Globals) // sets what differs from --repo /r --json
		want    any
	}{
		{"save woodpecker", map[string]string{"PLUGIN_PATHS": "node_modules,.cache/go-build", "PLUGIN_NAME": "deps", "PLUGIN_TAGS": "ci,main", "PLUGIN_EXCLUDE": "*.tmp", "PLUGIN_NO_PARENT": "true"},
			nil, cli.SaveOptions{Paths: []string{"node_modules", ".cache/go-build"}, Name: "deps", Tags: []string{"ci", "main"}, Excludes: []string{"*.tmp"}, NoParent: true, Capture: noCapture}},
		{"save drone hyphens", map[string]string{"PLUGIN_PATHS": `["a,b", "c"]`, "PLUGIN_NO-PARENT": "true", "PLUGIN_CONNECTIONS": "8", "PLUGIN_QUIET": "true"},
			func(g *cli.Globals) { g.Connections, g.Quiet = 8, true },
			cli.SaveOptions{Paths: []string{"a,b", "c"}, NoParent: true, Capture: noCapture}},
		{"s3 settings", map[string]string{"PLUGIN_COMMAND": "verify", "PLUGIN_S3_ENDPOINT": "127.0.0.1:9000", "PLUGIN_S3-REGION": "eu-1", "PLUGIN_S3_PATH_STYLE": "true", "PLUGIN_S3_INSECURE": "true", "PLUGIN_S3_ACCESS_KEY": "AKIAEXAMPLE", "PLUGIN_S3_SECRET_KEY": "shh-secret"},
			func(g *cli.Globals) {
				g.S3 = location.S3Options{Endpoint: "127.0.0.1:9000", Region: "eu-1", PathStyle: true, Insecure: true}
			}, cli.VerifyOptions{}},
		{"oci settings", map[string]string{"PLUGIN_COMMAND": "verify", "PLUGIN_REGISTRY_USERNAME": "ci", "PLUGIN_REGISTRY-PASSWORD": "glpat-secret-token", "PLUGIN_REGISTRY_INSECURE": "true"},
			func(g *cli.Globals) {
				g.OCI = location.OCIOptions{Username: "ci", PasswordEnv: "SAVEPOINT_PLUGIN_REGISTRY_PASSWORD", Insecure: true}
			}, cli.VerifyOptions{}},
		{"checkpoint drone promote", map[string]string{"DRONE_BUILD_EVENT": "promote", "DRONE_DEPLOY_TO": "production", "PLUGIN_PATHS": "uploads",
			"PLUGIN_COMMANDS": `{"db":"pg_dump -t a,b app"}`, "PLUGIN_RESTORE-COMMANDS": `{"db":"psql -v ON_ERROR_STOP=1 app"}`, "PLUGIN_IMAGES": "api=reg.example/app:prod,web=reg.example/web:prod", "PLUGIN_PIN": "true"},
			nil, cli.SaveOptions{Paths: []string{"uploads"}, Name: "production", Checkpoint: true, Capture: cli.CaptureOptions{
				Commands: []corecapture.Spec{{Name: "db", Value: "pg_dump -t a,b app"}}, Restores: map[string]string{"db": "psql -v ON_ERROR_STOP=1 app"},
				Images: []corecapture.Spec{{Name: "api", Value: "reg.example/app:prod"}, {Name: "web", Value: "reg.example/web:prod"}}, Pin: true}}},
		{"rollback drone event", map[string]string{"DRONE_BUILD_EVENT": "rollback", "DRONE_DEPLOY_TO": "production"},
			nil, cli.RollbackOptions{Select: rollback.Selector{Name: "production"}, Plan: rollback.PlanOptions{Target: ".", RestoreCommands: keep}}},
		{"rollback woodpecker task", map[string]string{"CI_PIPELINE_EVENT": "deployment", "CI_PIPELINE_DEPLOY_TARGET": "staging", "CI_PIPELINE_DEPLOY_TASK": "rollback",
			"PLUGIN_BEFORE_COMMIT": "abc123", "PLUGIN_DRY_RUN": "true", "PLUGIN_TARGET": "/srv"},
			nil, cli.RollbackOptions{Select: rollback.Selector{Name: "staging", BeforeCommit: "abc123"}, DryRun: true, Plan: rollback.PlanOptions{Target: "/srv", RestoreCommands: keep}}},
		{"rollback to", map[string]string{"PLUGIN_COMMAND": "rollback", "PLUGIN_NAME": "db", "PLUGIN_TO": "1a2b3c4d"},
			nil, cli.RollbackOptions{Select: rollback.Selector{Name: "db", To: "1a2b3c4d"}, Plan: rollback.PlanOptions{Target: ".", RestoreCommands: keep}}},
		{"rollback options", map[string]string{"PLUGIN_COMMAND": "rollback", "PLUGIN_NAME": "db", "PLUGIN_NO_FILES": "true", "PLUGIN_NO-IMAGES": "true", "PLUGIN_NO_COMMANDS": "false",
			"PLUGIN_RESTORE_COMMANDS": "db=psql app", "PLUGIN_IMAGE_USERNAME": "ci", "PLUGIN_IMAGE_PASSWORD": "registry-token-123", "PLUGIN_IMAGE_INSECURE": "true"},
			nil, cli.RollbackOptions{Select: rollback.Selector{Name: "db"},
				Plan:  rollback.PlanOptions{Target: ".", RestoreCommands: map[string]string{"db": "psql app"}, NoFiles: true, NoImages: true},
				Image: cli.ImageOptions{Insecure: true, User: "ci", PasswordEnv: "SAVEPOINT_PLUGIN_IMAGE_PASSWORD"}}},
		{"save with sources", map[string]string{"PLUGIN_COMMANDS": "db=pg_dump app", "PLUGIN_IMAGES": "api=r/a:1", "PLUGIN_PIN": "true"},
			nil, cli.SaveOptions{Paths: []string{}, Capture: cli.CaptureOptions{Commands: []corecapture.Spec{{Name: "db", Value: "pg_dump app"}}, Restores: keep,
				Images: []corecapture.Spec{{Name: "api", Value: "r/a:1"}}, Pin: true}}},
		{"restore default", map[string]string{"PLUGIN_COMMAND": "restore"},
			nil, cli.RestoreOptions{Snapshot: "latest", Target: "."}},
		{"restore by name", map[string]string{"PLUGIN_COMMAND": "restore", "PLUGIN_NAME": "deps", "PLUGIN_TARGET": "out", "PLUGIN_INCLUDE": "node_modules/**", "PLUGIN_ALLOW-OUTSIDE-LINKS": "true"},
			nil, cli.RestoreOptions{Snapshot: "deps:latest", Target: "out", Includes: []string{"node_modules/**"}, AllowOutsideLinks: true}},
		{"restore owners sparse", map[string]string{"PLUGIN_COMMAND": "restore", "PLUGIN_SAME_OWNER": "true", "PLUGIN_KEEP-SPECIAL-BITS": "true", "PLUGIN_SPARSE": "false"},
			nil, cli.RestoreOptions{Snapshot: "latest", Target: ".", SameOwner: true, KeepSpecialBits: true, Sparse: corerestore.SparseNever}},
		{"restore sparse", map[string]string{"PLUGIN_COMMAND": "restore", "PLUGIN_SPARSE": "true"},
			nil, cli.RestoreOptions{Snapshot: "latest", Target: ".", Sparse: corerestore.SparseAlways}},
		{"restore sparse auto", map[string]string{"PLUGIN_COMMAND": "restore", "PLUGIN_SPARSE": "auto"},
			nil, cli.RestoreOptions{Snapshot: "latest", Target: "."}},
		{"rollback owners", map[string]string{"PLUGIN_COMMAND": "rollback", "PLUGIN_NAME": "db", "PLUGIN_SAME_OWNER": "true", "PLUGIN_KEEP_SPECIAL_BITS": "true"},
			nil, cli.RollbackOptions{Select: rollback.Selector{Name: "db"}, SameOwner: true, KeepSpecialBits: true, Plan: rollback.PlanOptions{Target: ".", RestoreCommands: keep}}},
		{"server settings", map[string]string{"PLUGIN_COMMAND": "verify", "PLUGIN_SERVER_TOKEN": "spt_id_server-secret", "PLUGIN_SERVER-CA-FILE": "/ca.pem"},
			func(g *cli.Globals) { g.Server = location.ServerOptions{CAFile: "/ca.pem"} }, cli.VerifyOptions{}},
		{"restore snapshot", map[string]string{"PLUGIN_COMMAND": "restore", "PLUGIN_NAME": "deps", "PLUGIN_SNAPSHOT": "ce2d98de"},
			nil, cli.RestoreOptions{Snapshot: "ce2d98de", Target: "."}},
		{"forget", map[string]string{"PLUGIN_COMMAND": "forget", "PLUGIN_KEEP_LAST": "3", "PLUGIN_KEEP-DAILY": "7", "PLUGIN_KEEP_HOURLY": "24", "PLUGIN_KEEP_WEEKLY": "4",
			"PLUGIN_KEEP_MONTHLY": "12", "PLUGIN_KEEP_YEARLY": "2", "PLUGIN_KEEP_WITHIN": "720h", "PLUGIN_KEEP_TAG": "release,pinned", "PLUGIN_DRY_RUN": "true",
			"PLUGIN_NAME": "deps", "PLUGIN_KEEP_WITHIN_TTL": "168h", "PLUGIN_MAX_SIZE": "10G", "PLUGIN_GROUP_BY": "branch"},
			nil, cli.ForgetOptions{Name: "deps", DryRun: true, Policy: retention.Policy{Last: 3, Hourly: 24, Daily: 7, Weekly: 4, Monthly: 12, Yearly: 2,
				Within: 720 * time.Hour, Tags: []string{"release", "pinned"}, WithinTTL: 168 * time.Hour, MaxSize: 10 << 30, GroupBy: []string{"branch"}}}},
		{"prune", map[string]string{"PLUGIN_COMMAND": "prune", "PLUGIN_GRACE": "1h", "PLUGIN_MAX_UNUSED": "10%", "PLUGIN_DRY-RUN": "true", "PLUGIN_BREAK_LEASE": "true"},
			nil, cli.PruneOptions{Options: coreprune.Options{Grace: time.Hour, MaxUnused: new(0.1), DryRun: true, BreakLease: true}}},
		{"verify", map[string]string{"PLUGIN_COMMAND": "verify", "PLUGIN_READ_DATA_SUBSET": "5%"},
			nil, cli.VerifyOptions{Options: coreverify.Options{ReadDataSubset: 0.05}}},
		{"init", map[string]string{"PLUGIN_COMMAND": "init", "PLUGIN_PASSWORD_FILE": "/run/pw"},
			func(g *cli.Globals) { g.PasswordFile = "/run/pw" },
			cli.InitOptions{Chunker: chunker.Default, PackSize: repository.DefaultPackSize}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.env["PLUGIN_REPOSITORY"] = "/r"
			cfg := load(t, c.env)
			p := parseArgs(t, cfg.Args())
			want := cli.Globals{Version: "parse", Repo: "/r", JSON: true, Connections: 4}
			if c.globals != nil {
				c.globals(&want)
			}
			p.Globals.Env = cli.Env{}
			if p.Command != cfg.Command || !reflect.DeepEqual(p.Globals, want) {
				t.Errorf("command %s, globals\n got %+v\nwant %+v", p.Command, p.Globals, want)
			}
			if so, ok := p.Options.(cli.SaveOptions); ok {
				so.Provenance = nil // the test's own CI environment
				p.Options = so
			}
			if !reflect.DeepEqual(p.Options, c.want) {
				t.Errorf("options\n got %+v\nwant %+v", p.Options, c.want)
			}
			for _, s := range cfg.Secrets() {
				if slices.ContainsFunc(cfg.Args(), func(a string) bool { return strings.Contains(a, s) }) {
					t.Errorf("a secret is in the arguments: %q", cfg.Args())
				}
			}
		})
	}
}

// parseArgs parses args with the real CLI.
func parseArgs(t *testing.T, args []string) *cli.Parsed {
	t.Helper()
	p, err := cli.Parse(args)
	if err != nil {
		t.Fatalf("the CLI refuses %q: %v", args, err)
	}
	return p
}

func TestArgsValueLooksLikeFlag(t *testing.T) {
	cfg := load(t, map[string]string{"PLUGIN_REPOSITORY": "/r", "PLUGIN_PATHS": "--weird", "PLUGIN_EXCLUDE": "-x"})
	o := parseArgs(t, cfg.Args()).Options.(cli.SaveOptions)
	if !slices.Equal(o.Paths, []string{"--weird"}) || !slices.Equal(o.Excludes, []string{"-x"}) {
		t.Errorf("paths %q, excludes %q", o.Paths, o.Excludes)
	}
}

func TestInitArgs(t *testing.T) {
	cfg := load(t, map[string]string{"PLUGIN_REPOSITORY": "s3://b/p", "PLUGIN_S3_ENDPOINT": "h:1", "PLUGIN_PATHS": "a", "PLUGIN_INIT": "true", "PLUGIN_NAME": "x"})
	p := parseArgs(t, cfg.InitArgs())
	if !cfg.Init || p.Command != "init" || p.Globals.Repo != "s3://b/p" || p.Globals.S3.Endpoint != "h:1" {
		t.Errorf("init %v, parsed %+v", cfg.Init, p)
	}
}

func TestEnvOverlay(t *testing.T) {
	cfg := load(t, map[string]string{"PLUGIN_REPOSITORY": "/r", "PLUGIN_PATHS": "a", "PLUGIN_PASSWORD": "pw-from-secret",
		"PLUGIN_S3_ACCESS_KEY": "AKIAEXAMPLE", "PLUGIN_S3_SECRET_KEY": "shh-secret", "PLUGIN_REGISTRY_PASSWORD": "reg-token",
		"PLUGIN_IMAGE_PASSWORD": "img-token", "PLUGIN_COMMAND": "checkpoint", "PLUGIN_SERVER_TOKEN": "spt_id_srv-token"})
	base := map[string]string{"SAVEPOINT_PASSWORD": "old", "AWS_SESSION_TOKEN": "tok", "HOME": "/h"}
	get := cfg.Env(func(k string) string { return base[k] })
	for k, want := range map[string]string{"SAVEPOINT_PASSWORD": "pw-from-secret", "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "shh-secret", "AWS_SESSION_TOKEN": "", "HOME": "/h",
		"SAVEPOINT_PLUGIN_REGISTRY_PASSWORD": "reg-token", "SAVEPOINT_PLUGIN_IMAGE_PASSWORD": "img-token", "SAVEPOINT_TOKEN": "spt_id_srv-token"} {
		if got := get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if got := cfg.Secrets(); !reflect.DeepEqual(got, []string{"pw-from-secret", "AKIAEXAMPLE", "shh-secret", "spt_id_srv-token", "reg-token", "img-token"}) {
		t.Errorf("Secrets = %q", got)
	}
}

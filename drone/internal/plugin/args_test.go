package plugin

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestArgs checks the command line for every command, with settings encoded
// the way Woodpecker does (snake_case keys) and the way Drone does (hyphens
// kept, lists comma-joined, maps as JSON).
func TestArgs(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"save woodpecker", map[string]string{"PLUGIN_PATHS": "node_modules,.cache/go-build", "PLUGIN_NAME": "deps", "PLUGIN_TAGS": "ci,main", "PLUGIN_EXCLUDE": "*.tmp", "PLUGIN_NO_PARENT": "true"},
			"--repo=/r --json save --name=deps --tag=ci --tag=main --exclude=*.tmp --no-parent -- node_modules .cache/go-build"},
		{"save drone hyphens", map[string]string{"PLUGIN_PATHS": `["a,b", "c"]`, "PLUGIN_NO-PARENT": "true", "PLUGIN_CONNECTIONS": "8", "PLUGIN_QUIET": "true"},
			"--repo=/r --connections=8 --quiet --json save --no-parent -- a,b c"},
		{"s3 settings", map[string]string{"PLUGIN_COMMAND": "verify", "PLUGIN_S3_ENDPOINT": "127.0.0.1:9000", "PLUGIN_S3-REGION": "eu-1", "PLUGIN_S3_PATH_STYLE": "true", "PLUGIN_S3_INSECURE": "true", "PLUGIN_S3_ACCESS_KEY": "AKIAEXAMPLE", "PLUGIN_S3_SECRET_KEY": "shh-secret"},
			"--repo=/r --s3-endpoint=127.0.0.1:9000 --s3-region=eu-1 --s3-path-style --s3-insecure --json verify"},
		{"oci settings", map[string]string{"PLUGIN_COMMAND": "verify", "PLUGIN_REGISTRY_USERNAME": "ci", "PLUGIN_REGISTRY-PASSWORD": "glpat-secret-token", "PLUGIN_REGISTRY_INSECURE": "true"},
			"--repo=/r --registry-user=ci --registry-password-env=SAVEPOINT_PLUGIN_REGISTRY_PASSWORD --insecure-registry --json verify"},
		{"checkpoint drone promote", map[string]string{"DRONE_BUILD_EVENT": "promote", "DRONE_DEPLOY_TO": "production", "PLUGIN_PATHS": "uploads",
			"PLUGIN_COMMANDS": `{"db":"pg_dump -t a,b app"}`, "PLUGIN_RESTORE-COMMANDS": `{"db":"psql -v ON_ERROR_STOP=1 app"}`, "PLUGIN_IMAGES": "api=reg.example/app:prod,web=reg.example/web:prod", "PLUGIN_PIN": "true"},
			"--repo=/r --json checkpoint --name=production --command=db=pg_dump -t a,b app --restore-command=db=psql -v ON_ERROR_STOP=1 app --image=api=reg.example/app:prod --image=web=reg.example/web:prod --pin -- uploads"},
		{"rollback drone event", map[string]string{"DRONE_BUILD_EVENT": "rollback", "DRONE_DEPLOY_TO": "production"},
			"--repo=/r --json rollback --name=production"},
		{"rollback woodpecker task", map[string]string{"CI_PIPELINE_EVENT": "deployment", "CI_PIPELINE_DEPLOY_TARGET": "staging", "CI_PIPELINE_DEPLOY_TASK": "rollback",
			"PLUGIN_BEFORE_COMMIT": "abc123", "PLUGIN_DRY_RUN": "true", "PLUGIN_TARGET": "/srv"},
			"--repo=/r --json rollback --name=staging --target=/srv --before-commit=abc123 --dry-run"},
		{"rollback to", map[string]string{"PLUGIN_COMMAND": "rollback", "PLUGIN_NAME": "db", "PLUGIN_TO": "1a2b3c4d"},
			"--repo=/r --json rollback --name=db --to=1a2b3c4d"},
		{"rollback options", map[string]string{"PLUGIN_COMMAND": "rollback", "PLUGIN_NAME": "db", "PLUGIN_NO_FILES": "true", "PLUGIN_NO-IMAGES": "true", "PLUGIN_NO_COMMANDS": "false",
			"PLUGIN_RESTORE_COMMANDS": "db=psql app", "PLUGIN_IMAGE_USERNAME": "ci", "PLUGIN_IMAGE_PASSWORD": "registry-token-123", "PLUGIN_IMAGE_INSECURE": "true"},
			"--repo=/r --json rollback --name=db --restore-command=db=psql app --image-insecure --image-user=ci --image-password-env=SAVEPOINT_PLUGIN_IMAGE_PASSWORD --no-files --no-images"},
		{"save with sources", map[string]string{"PLUGIN_COMMANDS": "db=pg_dump app", "PLUGIN_IMAGES": "api=r/a:1", "PLUGIN_PIN": "true"},
			"--repo=/r --json save --command=db=pg_dump app --image=api=r/a:1 --pin --"},
		{"restore default", map[string]string{"PLUGIN_COMMAND": "restore"},
			"--repo=/r --json restore --target=. -- latest"},
		{"restore by name", map[string]string{"PLUGIN_COMMAND": "restore", "PLUGIN_NAME": "deps", "PLUGIN_TARGET": "out", "PLUGIN_INCLUDE": "node_modules/**", "PLUGIN_ALLOW-OUTSIDE-LINKS": "true"},
			"--repo=/r --json restore --target=out --include=node_modules/** --allow-outside-links -- deps:latest"},
		{"restore snapshot", map[string]string{"PLUGIN_COMMAND": "restore", "PLUGIN_NAME": "deps", "PLUGIN_SNAPSHOT": "ce2d98de"},
			"--repo=/r --json restore --target=. -- ce2d98de"},
		{"forget", map[string]string{"PLUGIN_COMMAND": "forget", "PLUGIN_KEEP_LAST": "3", "PLUGIN_KEEP-DAILY": "7", "PLUGIN_KEEP_HOURLY": "24", "PLUGIN_KEEP_WEEKLY": "4",
			"PLUGIN_KEEP_MONTHLY": "12", "PLUGIN_KEEP_YEARLY": "2", "PLUGIN_KEEP_WITHIN": "720h", "PLUGIN_KEEP_TAG": "release,pinned", "PLUGIN_DRY_RUN": "true",
			"PLUGIN_NAME": "deps", "PLUGIN_KEEP_WITHIN_TTL": "168h", "PLUGIN_MAX_SIZE": "10G", "PLUGIN_GROUP_BY": "branch"},
			"--repo=/r --json forget --name=deps --dry-run --keep-last=3 --keep-hourly=24 --keep-daily=7 --keep-weekly=4 --keep-monthly=12 --keep-yearly=2 --keep-within=720h --keep-tag=release --keep-tag=pinned --keep-within-ttl=168h --max-size=10G --group-by=branch"},
		{"prune", map[string]string{"PLUGIN_COMMAND": "prune", "PLUGIN_GRACE": "1h", "PLUGIN_MAX_UNUSED": "10%", "PLUGIN_DRY-RUN": "true", "PLUGIN_BREAK_LEASE": "true"},
			"--repo=/r --json prune --dry-run --grace=1h --max-unused=10% --break-lease"},
		{"verify", map[string]string{"PLUGIN_COMMAND": "verify", "PLUGIN_READ_DATA_SUBSET": "5%"},
			"--repo=/r --json verify --read-data-subset=5%"},
		{"init", map[string]string{"PLUGIN_COMMAND": "init", "PLUGIN_PASSWORD_FILE": "/run/pw"},
			"--repo=/r --password-file=/run/pw --json init"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.env["PLUGIN_REPOSITORY"] = "/r"
			cfg := load(t, c.env)
			if got := strings.Join(cfg.Args(), " "); got != c.want {
				t.Errorf("args\n got %s\nwant %s", got, c.want)
			}
			for _, s := range cfg.Secrets() {
				if slices.ContainsFunc(cfg.Args(), func(a string) bool { return strings.Contains(a, s) }) {
					t.Errorf("a secret is in the arguments: %q", cfg.Args())
				}
			}
		})
	}
}

func TestArgsValueLooksLikeFlag(t *testing.T) {
	cfg := load(t, map[string]string{"PLUGIN_REPOSITORY": "/r", "PLUGIN_PATHS": "--weird", "PLUGIN_EXCLUDE": "-x"})
	want := []string{"--repo=/r", "--json", "save", "--exclude=-x", "--", "--weird"}
	if got := cfg.Args(); !reflect.DeepEqual(got, want) {
		t.Errorf("args = %q, want %q", got, want)
	}
}

func TestInitArgs(t *testing.T) {
	cfg := load(t, map[string]string{"PLUGIN_REPOSITORY": "s3://b/p", "PLUGIN_S3_ENDPOINT": "h:1", "PLUGIN_PATHS": "a", "PLUGIN_INIT": "true", "PLUGIN_NAME": "x"})
	want := []string{"--repo=s3://b/p", "--s3-endpoint=h:1", "--json", "init"}
	if !cfg.Init || !reflect.DeepEqual(cfg.InitArgs(), want) {
		t.Errorf("init %v, args %q; want %q", cfg.Init, cfg.InitArgs(), want)
	}
}

func TestEnvOverlay(t *testing.T) {
	cfg := load(t, map[string]string{"PLUGIN_REPOSITORY": "/r", "PLUGIN_PATHS": "a", "PLUGIN_PASSWORD": "pw-from-secret",
		"PLUGIN_S3_ACCESS_KEY": "AKIAEXAMPLE", "PLUGIN_S3_SECRET_KEY": "shh-secret", "PLUGIN_REGISTRY_PASSWORD": "reg-token",
		"PLUGIN_IMAGE_PASSWORD": "img-token", "PLUGIN_COMMAND": "checkpoint"})
	base := map[string]string{"SAVEPOINT_PASSWORD": "old", "AWS_SESSION_TOKEN": "tok", "HOME": "/h"}
	get := cfg.Env(func(k string) string { return base[k] })
	for k, want := range map[string]string{"SAVEPOINT_PASSWORD": "pw-from-secret", "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "shh-secret", "AWS_SESSION_TOKEN": "", "HOME": "/h",
		"SAVEPOINT_PLUGIN_REGISTRY_PASSWORD": "reg-token", "SAVEPOINT_PLUGIN_IMAGE_PASSWORD": "img-token"} {
		if got := get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if got := cfg.Secrets(); !reflect.DeepEqual(got, []string{"pw-from-secret", "AKIAEXAMPLE", "shh-secret", "reg-token", "img-token"}) {
		t.Errorf("Secrets = %q", got)
	}
}

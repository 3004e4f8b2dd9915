package plugin

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/drone/internal/settings"
)

func load(t *testing.T, m map[string]string) *Config {
	t.Helper()
	cfg, err := Load(settings.MapEnv(m))
	if err != nil {
		t.Fatalf("Load(%v): %v", m, err)
	}
	return cfg
}

func TestMetadataPrefersWoodpecker(t *testing.T) {
	m := ReadMetadata(func(k string) string {
		return map[string]string{
			"CI": "woodpecker", "CI_COMMIT_SHA": "wp", "DRONE_COMMIT_SHA": "dr", "DRONE_REPO": "o/r",
			"CI_PIPELINE_EVENT": "deployment", "CI_PIPELINE_DEPLOY_TARGET": "production", "CI_PIPELINE_DEPLOY_TASK": "rollback",
			"DRONE_BUILD_EVENT": "push", "CI_WORKSPACE": "/woodpecker/src",
		}[k]
	})
	want := Metadata{Platform: "woodpecker", Event: "deployment", DeployTarget: "production", DeployTask: "rollback",
		Repo: "o/r", Commit: "wp", Workspace: "/woodpecker/src"}
	if m != want {
		t.Errorf("ReadMetadata = %+v\nwant %+v", m, want)
	}
}

func TestDefaultCommandByEvent(t *testing.T) {
	cases := []struct {
		env     map[string]string
		command string
		name    string
	}{
		{map[string]string{"DRONE_BUILD_EVENT": "push"}, "save", ""},
		{map[string]string{"DRONE_BUILD_EVENT": "promote", "DRONE_DEPLOY_TO": "production"}, "checkpoint", "production"},
		{map[string]string{"DRONE_BUILD_EVENT": "rollback", "DRONE_DEPLOY_TO": "production"}, "rollback", "production"},
		{map[string]string{"CI_PIPELINE_EVENT": "deployment", "CI_PIPELINE_DEPLOY_TARGET": "staging", "CI_PIPELINE_DEPLOY_TASK": "deploy"}, "checkpoint", "staging"},
		{map[string]string{"CI_PIPELINE_EVENT": "deployment", "CI_PIPELINE_DEPLOY_TARGET": "staging", "CI_PIPELINE_DEPLOY_TASK": "rollback"}, "rollback", "staging"},
		{map[string]string{"CI_PIPELINE_EVENT": "deployment", "CI_PIPELINE_DEPLOY_TARGET": "staging"}, "checkpoint", "staging"},
		// An explicit name or command wins.
		{map[string]string{"DRONE_BUILD_EVENT": "rollback", "DRONE_DEPLOY_TO": "production", "PLUGIN_NAME": "db"}, "rollback", "db"},
		{map[string]string{"DRONE_BUILD_EVENT": "rollback", "DRONE_DEPLOY_TO": "production", "PLUGIN_COMMAND": "restore"}, "restore", ""},
	}
	for _, c := range cases {
		c.env["PLUGIN_REPOSITORY"] = "/r"
		c.env["PLUGIN_PATHS"] = "data"
		cfg := load(t, c.env)
		if cfg.Command != c.command || cfg.Name() != c.name {
			t.Errorf("%v: command %q name %q; want %q %q", c.env, cfg.Command, cfg.Name(), c.command, c.name)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PLUGIN_PATHS": "a"}, "setting repository is required"},
		{map[string]string{"PLUGIN_REPOSITORY": "/r"}, "setting paths is required for save"},
		{map[string]string{"PLUGIN_REPOSITORY": "/r", "PLUGIN_COMMAND": "backup"}, `unknown command "backup"`},
		{map[string]string{"PLUGIN_REPOSITORY": "/r", "PLUGIN_COMMAND": "checkpoint", "PLUGIN_PIN": "sometimes"}, "setting pin"},
		{map[string]string{"PLUGIN_REPOSITORY": "/r", "PLUGIN_COMMAND": "forget", "PLUGIN_KEEP_LAST": "three"}, "setting keep_last"},
		{map[string]string{"PLUGIN_REPOSITORY": "/r", "PLUGIN_COMMAND": "checkpoint", "PLUGIN_COMMANDS": "pg_dump app"}, "setting commands"},
		{map[string]string{"PLUGIN_REPOSITORY": "/r", "PLUGIN_COMMAND": "verify", "PLUGIN_S3_ACCESS_KEY": "AKIA"}, "s3_access_key and s3_secret_key go together"},
		{map[string]string{"PLUGIN_REPOSITORY": "/r", "PLUGIN_COMMAND": "restore", "PLUGIN_SPARSE": "holes"}, `setting sparse: "holes" is not auto, true or false`},
	}
	for _, c := range cases {
		_, err := Load(settings.MapEnv(c.env))
		var ue UsageError
		if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%v) error = %v; want a UsageError with %q", c.env, err, c.want)
		}
	}
	// SAVEPOINT_REPOSITORY in the environment stands in for the setting.
	load(t, map[string]string{"SAVEPOINT_REPOSITORY": "/r", "PLUGIN_COMMAND": "verify"})
}

func TestLoadWarnings(t *testing.T) {
	cfg := load(t, map[string]string{"PLUGIN_REPOSITORY": "/r", "PLUGIN_COMMAND": "restore", "PLUGIN_PATHS": "a", "PLUGIN_KEEP-LAST": "3", "PLUGIN_COLOUR": "x"})
	want := []string{"setting keep_last is not used by restore", "setting paths is not used by restore", "unknown setting colour (ignored)"}
	if !reflect.DeepEqual(cfg.Warnings, want) {
		t.Errorf("warnings = %q\nwant %q", cfg.Warnings, want)
	}
}

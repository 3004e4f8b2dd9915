package provenance

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// secrets are variables every platform sets that must never be recorded.
var secrets = map[string]string{
	"GITHUB_TOKEN": "ghs_SECRET1", "CI_JOB_TOKEN": "SECRET2", "CI_REGISTRY_PASSWORD": "SECRET3",
	"CI_REPOSITORY_URL": "https://gitlab-ci-token:SECRET4@gitlab.example/g/p.git", "DRONE_NETRC_PASSWORD": "SECRET5",
	"CI_NETRC_PASSWORD": "SECRET6", "SAVEPOINT_PASSWORD": "SECRET7", "AWS_SECRET_ACCESS_KEY": "SECRET8",
}

func with(m map[string]string) func(string) string {
	all := map[string]string{}
	for k, v := range secrets {
		all[k] = v
	}
	for k, v := range m {
		all[k] = v
	}
	return env(all)
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"github push", map[string]string{
			"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_SHA": "abc123", "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main",
			"GITHUB_REF_TYPE": "branch", "GITHUB_REPOSITORY": "acme/app", "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "2",
			"GITHUB_SERVER_URL": "https://github.com", "GITHUB_WORKFLOW": "deploy", "GITHUB_JOB": "checkpoint",
			"GITHUB_ACTOR": "alice", "GITHUB_EVENT_NAME": "push", "SAVEPOINT_ENVIRONMENT": "production",
		}, map[string]string{
			"platform": "github", "commit": "abc123", "ref": "refs/heads/main", "branch": "main", "repository": "acme/app",
			"pipeline": "42", "attempt": "2", "pipeline_url": "https://github.com/acme/app/actions/runs/42", "workflow": "deploy",
			"job": "checkpoint", "actor": "alice", "event": "push", "environment": "production",
		}},
		{"github tag", map[string]string{
			"GITHUB_ACTIONS": "true", "GITHUB_SHA": "def", "GITHUB_REF": "refs/tags/v1", "GITHUB_REF_NAME": "v1", "GITHUB_REF_TYPE": "tag",
		}, map[string]string{"platform": "github", "commit": "def", "ref": "refs/tags/v1", "tag": "v1"}},
		{"gitlab", map[string]string{
			"GITLAB_CI": "true", "CI": "true", "CI_COMMIT_SHA": "c0ffee", "CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main",
			"CI_PROJECT_PATH": "group/app", "CI_PIPELINE_ID": "7", "CI_PIPELINE_URL": "https://gitlab.example/group/app/-/pipelines/7",
			"CI_JOB_NAME": "checkpoint", "CI_JOB_URL": "https://gitlab.example/group/app/-/jobs/9", "GITLAB_USER_LOGIN": "bob",
			"CI_ENVIRONMENT_NAME": "production", "CI_PIPELINE_SOURCE": "push",
		}, map[string]string{
			"platform": "gitlab", "commit": "c0ffee", "branch": "main", "ref": "main", "repository": "group/app", "pipeline": "7",
			"pipeline_url": "https://gitlab.example/group/app/-/pipelines/7", "job": "checkpoint",
			"job_url": "https://gitlab.example/group/app/-/jobs/9", "actor": "bob", "environment": "production", "event": "push",
		}},
		{"woodpecker", map[string]string{
			"CI": "woodpecker", "CI_COMMIT_SHA": "w1", "CI_COMMIT_BRANCH": "main", "CI_REPO": "acme/app", "CI_PIPELINE_NUMBER": "5",
			"CI_PIPELINE_URL": "https://ci.example/repos/1/pipeline/5", "CI_STEP_NAME": "checkpoint", "CI_COMMIT_AUTHOR": "carol",
			"CI_PIPELINE_DEPLOY_TARGET": "production", "CI_PIPELINE_EVENT": "deployment", "CI_PIPELINE_DEPLOY_TASK": "migrate",
		}, map[string]string{
			"platform": "woodpecker", "commit": "w1", "branch": "main", "repository": "acme/app", "pipeline": "5",
			"pipeline_url": "https://ci.example/repos/1/pipeline/5", "job": "checkpoint", "actor": "carol",
			"environment": "production", "event": "deployment", "deploy_task": "migrate",
		}},
		{"drone", map[string]string{
			"DRONE": "true", "CI": "true", "DRONE_COMMIT_SHA": "d1", "DRONE_BRANCH": "main", "DRONE_COMMIT_REF": "refs/heads/main",
			"DRONE_REPO": "acme/app", "DRONE_BUILD_NUMBER": "12", "DRONE_BUILD_LINK": "https://drone.example/acme/app/12",
			"DRONE_STEP_NAME": "checkpoint", "DRONE_COMMIT_AUTHOR": "dave", "DRONE_DEPLOY_TO": "production", "DRONE_BUILD_EVENT": "promote",
		}, map[string]string{
			"platform": "drone", "commit": "d1", "branch": "main", "ref": "refs/heads/main", "repository": "acme/app", "pipeline": "12",
			"pipeline_url": "https://drone.example/acme/app/12", "job": "checkpoint", "actor": "dave", "environment": "production",
			"event": "promote",
		}},
		{"generic", map[string]string{"CI": "true", "GIT_COMMIT": "g1", "GIT_BRANCH": "main", "BUILD_URL": "https://ci.example/job/1"},
			map[string]string{"platform": "ci", "commit": "g1", "branch": "main", "pipeline_url": "https://ci.example/job/1"}},
		{"outside CI", map[string]string{}, nil},
		{"override only", map[string]string{"SAVEPOINT_ENVIRONMENT": "staging", "SAVEPOINT_COMMIT": "x1"},
			map[string]string{"environment": "staging", "commit": "x1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Detect(with(c.env))
			if len(got) != len(c.want) {
				t.Errorf("got %d keys %v, want %d %v", len(got), got, len(c.want), c.want)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			for k, v := range got {
				for _, s := range secrets {
					if strings.Contains(v, s) || strings.Contains(v, "SECRET") {
						t.Errorf("%s = %q leaks a secret", k, v)
					}
				}
			}
		})
	}
}

func TestKeysStable(t *testing.T) {
	want := "platform commit branch tag ref repository workflow pipeline attempt pipeline_url job job_url actor environment event deploy_task"
	if got := strings.Join(Keys, " "); got != want {
		t.Fatalf("provenance keys changed: %s (update docs/rollback.md and this test together)", got)
	}
}

func TestCleanDropsURLCredentials(t *testing.T) {
	got := Detect(env(map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_URL": "https://user:SECRET@gitlab.example/p/-/pipelines/1"}))
	if strings.Contains(got["pipeline_url"], "SECRET") || got["pipeline_url"] != "https://gitlab.example/p/-/pipelines/1" {
		t.Fatalf("pipeline_url = %q", got["pipeline_url"])
	}
	long := strings.Repeat("x", 2000)
	got = Detect(env(map[string]string{"CI": "true", "JOB_NAME": long + "\nsecond line"}))
	if len(got["job"]) != maxValue {
		t.Fatalf("job length %d", len(got["job"]))
	}
}

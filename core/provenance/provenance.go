// Package provenance records where a snapshot came from: the CI platform,
// commit, branch, pipeline, job, actor and deploy environment. Values are
// read from an allowlist of well-known variables per platform (see
// docs/rollback.md for the table); nothing else of the environment is ever
// read, so tokens and passwords cannot end up in a snapshot.
package provenance

import (
	"net/url"
	"strings"
)

// Keys recorded in Snapshot.Provenance. They are stable: filters
// (savepoint snapshots --commit/--branch/--env) and rollback --before-commit
// rely on them.
const (
	Platform    = "platform"     // github, gitlab, woodpecker, drone, ci (generic)
	Commit      = "commit"       // full commit SHA
	Branch      = "branch"       // branch name (source branch of a pull/merge request)
	Tag         = "tag"          // git tag, when the pipeline runs for one
	Ref         = "ref"          // full ref or ref name as the platform gives it
	Repository  = "repository"   // owner/name or group/project
	Workflow    = "workflow"     // GitHub workflow name
	Pipeline    = "pipeline"     // run / pipeline / build id or number
	Attempt     = "attempt"      // run attempt (GitHub)
	PipelineURL = "pipeline_url" // link to the run
	Job         = "job"          // job or step name
	JobURL      = "job_url"      // link to the job (GitLab)
	Actor       = "actor"        // user who triggered the run
	Environment = "environment"  // deploy environment / target
	Event       = "event"        // push, pull_request, merge_request_event, promote, deployment...
	DeployTask  = "deploy_task"  // Woodpecker deploy task
)

// Keys lists every key Detect may record, in display order.
var Keys = []string{Platform, Commit, Branch, Tag, Ref, Repository, Workflow, Pipeline, Attempt,
	PipelineURL, Job, JobURL, Actor, Environment, Event, DeployTask}

// Overrides are variables that set a key on any platform (they win over
// what the platform says): SAVEPOINT_ENVIRONMENT, for instance, names the
// environment on GitHub Actions, which does not expose it to steps.
var Overrides = map[string]string{
	Commit:      "SAVEPOINT_COMMIT",
	Branch:      "SAVEPOINT_BRANCH",
	Environment: "SAVEPOINT_ENVIRONMENT",
}

// maxValue bounds each recorded value.
const maxValue = 512

// Detect returns the provenance of the current run, read through getenv.
// It returns nil outside CI when no override is set.
func Detect(getenv func(string) string) map[string]string {
	p := map[string]string{}
	set := func(key string, vars ...string) {
		if p[key] != "" {
			return
		}
		for _, v := range vars {
			if s := clean(getenv(v)); s != "" {
				p[key] = s
				return
			}
		}
	}
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		github(getenv, p, set)
	case getenv("GITLAB_CI") == "true":
		gitlab(p, set)
	case getenv("CI") == "woodpecker" || getenv("WOODPECKER") != "" && getenv("WOODPECKER") != "false":
		woodpecker(p, set)
	case getenv("DRONE") == "true":
		drone(p, set)
	case getenv("CI") != "" && getenv("CI") != "false" && getenv("CI") != "0":
		generic(p, set)
	}
	for key, v := range Overrides {
		if s := clean(getenv(v)); s != "" {
			p[key] = s
		}
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

type setter func(key string, vars ...string)

func github(getenv func(string) string, p map[string]string, set setter) {
	p[Platform] = "github"
	set(Commit, "GITHUB_SHA")
	set(Ref, "GITHUB_REF")
	if getenv("GITHUB_REF_TYPE") == "tag" {
		set(Tag, "GITHUB_REF_NAME")
	} else {
		set(Branch, "GITHUB_HEAD_REF", "GITHUB_REF_NAME")
	}
	set(Repository, "GITHUB_REPOSITORY")
	set(Workflow, "GITHUB_WORKFLOW")
	set(Pipeline, "GITHUB_RUN_ID")
	set(Attempt, "GITHUB_RUN_ATTEMPT")
	set(Job, "GITHUB_JOB")
	set(Actor, "GITHUB_ACTOR")
	set(Event, "GITHUB_EVENT_NAME")
	server, repo, run := clean(getenv("GITHUB_SERVER_URL")), p[Repository], p[Pipeline]
	if server != "" && repo != "" && run != "" {
		p[PipelineURL] = strings.TrimRight(server, "/") + "/" + repo + "/actions/runs/" + run
	}
}

func gitlab(p map[string]string, set setter) {
	p[Platform] = "gitlab"
	set(Commit, "CI_COMMIT_SHA")
	set(Branch, "CI_COMMIT_BRANCH", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
	set(Tag, "CI_COMMIT_TAG")
	set(Ref, "CI_COMMIT_REF_NAME")
	set(Repository, "CI_PROJECT_PATH")
	set(Pipeline, "CI_PIPELINE_ID")
	set(PipelineURL, "CI_PIPELINE_URL")
	set(Job, "CI_JOB_NAME")
	set(JobURL, "CI_JOB_URL")
	set(Actor, "GITLAB_USER_LOGIN")
	set(Environment, "CI_ENVIRONMENT_NAME")
	set(Event, "CI_PIPELINE_SOURCE")
}

func woodpecker(p map[string]string, set setter) {
	p[Platform] = "woodpecker"
	set(Commit, "CI_COMMIT_SHA")
	set(Branch, "CI_COMMIT_BRANCH", "CI_COMMIT_SOURCE_BRANCH")
	set(Tag, "CI_COMMIT_TAG")
	set(Ref, "CI_COMMIT_REF")
	set(Repository, "CI_REPO")
	set(Pipeline, "CI_PIPELINE_NUMBER")
	set(PipelineURL, "CI_PIPELINE_URL")
	set(Job, "CI_STEP_NAME", "CI_WORKFLOW_NAME")
	set(Actor, "CI_COMMIT_AUTHOR")
	set(Environment, "CI_PIPELINE_DEPLOY_TARGET")
	set(Event, "CI_PIPELINE_EVENT")
	set(DeployTask, "CI_PIPELINE_DEPLOY_TASK")
}

func drone(p map[string]string, set setter) {
	p[Platform] = "drone"
	set(Commit, "DRONE_COMMIT_SHA", "DRONE_COMMIT")
	set(Branch, "DRONE_SOURCE_BRANCH", "DRONE_BRANCH", "DRONE_COMMIT_BRANCH")
	set(Tag, "DRONE_TAG")
	set(Ref, "DRONE_COMMIT_REF")
	set(Repository, "DRONE_REPO")
	set(Pipeline, "DRONE_BUILD_NUMBER")
	set(PipelineURL, "DRONE_BUILD_LINK")
	set(Job, "DRONE_STEP_NAME", "DRONE_STAGE_NAME")
	set(Actor, "DRONE_COMMIT_AUTHOR")
	set(Environment, "DRONE_DEPLOY_TO")
	set(Event, "DRONE_BUILD_EVENT")
}

// generic covers other CI systems (Jenkins, Buildkite, CircleCI...) through
// the few variables they commonly share.
func generic(p map[string]string, set setter) {
	p[Platform] = "ci"
	set(Commit, "GIT_COMMIT", "BUILDKITE_COMMIT", "CIRCLE_SHA1", "CI_COMMIT_SHA")
	set(Branch, "GIT_BRANCH", "BUILDKITE_BRANCH", "CIRCLE_BRANCH", "CI_COMMIT_BRANCH")
	set(Repository, "BUILDKITE_REPO", "CIRCLE_PROJECT_REPONAME")
	set(Pipeline, "BUILD_NUMBER", "BUILDKITE_BUILD_NUMBER", "CIRCLE_BUILD_NUM")
	set(PipelineURL, "BUILD_URL", "BUILDKITE_BUILD_URL", "CIRCLE_BUILD_URL")
	set(Job, "JOB_NAME", "BUILDKITE_LABEL", "CIRCLE_JOB")
}

// clean trims a value, drops credentials embedded in URLs and bounds its
// length.
func clean(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "://") && strings.Contains(s, "@") {
		if u, err := url.Parse(s); err == nil && u.User != nil {
			u.User = nil
			s = u.String()
		}
	}
	if strings.ContainsAny(s, "\n\r") {
		s = strings.Fields(s)[0]
	}
	if len(s) > maxValue {
		s = s[:maxValue]
	}
	return s
}

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
		fromTable(p, set, "gitlab", func(r platformRow) string { return r.gitlab })
	case getenv("CI") == "woodpecker" || getenv("WOODPECKER") != "" && getenv("WOODPECKER") != "false":
		fromTable(p, set, "woodpecker", func(r platformRow) string { return r.woodpecker })
	case getenv("DRONE") == "true":
		fromTable(p, set, "drone", func(r platformRow) string { return r.drone })
	case getenv("CI") != "" && getenv("CI") != "false" && getenv("CI") != "0":
		fromTable(p, set, "ci", func(r platformRow) string { return r.generic })
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

// platformVars names, for each key, the variables that hold it on GitLab,
// Woodpecker and Drone, and on other CI systems (Jenkins, Buildkite,
// CircleCI...) through the few variables they commonly share ("generic").
// Where several are named (space-separated) the first one set wins; an
// empty column: the platform does not give that key.
var platformVars = []platformRow{
	{Commit, "CI_COMMIT_SHA", "CI_COMMIT_SHA", "DRONE_COMMIT_SHA DRONE_COMMIT", "GIT_COMMIT BUILDKITE_COMMIT CIRCLE_SHA1 CI_COMMIT_SHA"},
	{Branch, "CI_COMMIT_BRANCH CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_BRANCH CI_COMMIT_SOURCE_BRANCH",
		"DRONE_SOURCE_BRANCH DRONE_BRANCH DRONE_COMMIT_BRANCH", "GIT_BRANCH BUILDKITE_BRANCH CIRCLE_BRANCH CI_COMMIT_BRANCH"},
	{Tag, "CI_COMMIT_TAG", "CI_COMMIT_TAG", "DRONE_TAG", ""},
	{Ref, "CI_COMMIT_REF_NAME", "CI_COMMIT_REF", "DRONE_COMMIT_REF", ""},
	{Repository, "CI_PROJECT_PATH", "CI_REPO", "DRONE_REPO", "BUILDKITE_REPO CIRCLE_PROJECT_REPONAME"},
	{Pipeline, "CI_PIPELINE_ID", "CI_PIPELINE_NUMBER", "DRONE_BUILD_NUMBER", "BUILD_NUMBER BUILDKITE_BUILD_NUMBER CIRCLE_BUILD_NUM"},
	{PipelineURL, "CI_PIPELINE_URL", "CI_PIPELINE_URL", "DRONE_BUILD_LINK", "BUILD_URL BUILDKITE_BUILD_URL CIRCLE_BUILD_URL"},
	{Job, "CI_JOB_NAME", "CI_STEP_NAME CI_WORKFLOW_NAME", "DRONE_STEP_NAME DRONE_STAGE_NAME", "JOB_NAME BUILDKITE_LABEL CIRCLE_JOB"},
	{JobURL, "CI_JOB_URL", "", "", ""},
	{Actor, "GITLAB_USER_LOGIN", "CI_COMMIT_AUTHOR", "DRONE_COMMIT_AUTHOR", ""},
	{Environment, "CI_ENVIRONMENT_NAME", "CI_PIPELINE_DEPLOY_TARGET", "DRONE_DEPLOY_TO", ""},
	{Event, "CI_PIPELINE_SOURCE", "CI_PIPELINE_EVENT", "DRONE_BUILD_EVENT", ""},
	{DeployTask, "", "CI_PIPELINE_DEPLOY_TASK", "", ""},
}

type platformRow struct{ key, gitlab, woodpecker, drone, generic string }

// fromTable records platform name and, for each key, the first variable
// set among those column names in platformVars.
func fromTable(p map[string]string, set setter, name string, column func(platformRow) string) {
	p[Platform] = name
	for _, v := range platformVars {
		if vars := strings.Fields(column(v)); len(vars) > 0 {
			set(v.key, vars...)
		}
	}
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

package plugin

// Metadata is what the runner tells a step about its pipeline. Woodpecker's
// CI_* variables are read first, then Drone's DRONE_* ones.
type Metadata struct {
	Platform     string `json:"platform,omitempty"` // woodpecker, drone or ""
	Event        string `json:"event,omitempty"`
	DeployTarget string `json:"deploy_target,omitempty"`
	DeployTask   string `json:"deploy_task,omitempty"`
	Repo         string `json:"repo,omitempty"`
	Commit       string `json:"commit,omitempty"`
	Branch       string `json:"branch,omitempty"`
	Build        string `json:"build,omitempty"`
	Workspace    string `json:"workspace,omitempty"`
}

// ReadMetadata reads the pipeline metadata from getenv.
func ReadMetadata(getenv func(string) string) Metadata {
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := getenv(k); v != "" {
				return v
			}
		}
		return ""
	}
	m := Metadata{
		Event:        first("CI_PIPELINE_EVENT", "DRONE_BUILD_EVENT"),
		DeployTarget: first("CI_PIPELINE_DEPLOY_TARGET", "DRONE_DEPLOY_TO"),
		DeployTask:   first("CI_PIPELINE_DEPLOY_TASK"),
		Repo:         first("CI_REPO", "DRONE_REPO"),
		Commit:       first("CI_COMMIT_SHA", "DRONE_COMMIT_SHA", "DRONE_COMMIT"),
		Branch:       first("CI_COMMIT_BRANCH", "DRONE_COMMIT_BRANCH", "DRONE_BRANCH"),
		Build:        first("CI_PIPELINE_NUMBER", "DRONE_BUILD_NUMBER"),
		Workspace:    first("CI_WORKSPACE", "DRONE_WORKSPACE"),
	}
	switch {
	case getenv("CI") == "woodpecker" || getenv("CI_PIPELINE_EVENT") != "":
		m.Platform = "woodpecker"
	case getenv("DRONE") == "true" || getenv("DRONE_BUILD_EVENT") != "":
		m.Platform = "drone"
	}
	return m
}

// IsRollback reports a rollback: Drone's `rollback` event, or Woodpecker's
// `deployment` event with the task `rollback`.
func (m Metadata) IsRollback() bool {
	return m.Event == "rollback" || (m.Event == "deployment" && m.DeployTask == "rollback")
}

// IsDeploy reports a deploy that is not a rollback: Drone's `promote`
// event, or Woodpecker's `deployment` event with any other task.
func (m Metadata) IsDeploy() bool {
	return (m.Event == "promote" || m.Event == "deployment") && !m.IsRollback()
}

// DefaultCommand is the command when the step sets none.
func (m Metadata) DefaultCommand() string {
	switch {
	case m.IsRollback():
		return "rollback"
	case m.IsDeploy():
		return "checkpoint"
	}
	return "save"
}

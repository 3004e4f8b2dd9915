package main

// provenanceVars are the GitHub variables that say where a snapshot came
// from, in the order the summary shows them. Only these are read: never
// the whole environment.
var provenanceVars = []struct{ key, env string }{
	{"commit", "GITHUB_SHA"},
	{"ref", "GITHUB_REF_NAME"},
	{"repository", "GITHUB_REPOSITORY"},
	{"workflow", "GITHUB_WORKFLOW"},
	{"job", "GITHUB_JOB"},
	{"run_id", "GITHUB_RUN_ID"},
	{"run_attempt", "GITHUB_RUN_ATTEMPT"},
	{"actor", "GITHUB_ACTOR"},
	{"event", "GITHUB_EVENT_NAME"},
}

// provenance reads the run's provenance from GITHUB_* variables. The CLI
// records provenance in the snapshot itself from the same variables (the
// entrypoint passes its environment through); this copy feeds the summary.
func provenance(getenv func(string) string) map[string]string {
	p := map[string]string{}
	for _, v := range provenanceVars {
		if s := getenv(v.env); s != "" {
			p[v.key] = s
		}
	}
	if server, repo, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID"); server != "" && repo != "" && id != "" {
		p["run_url"] = server + "/" + repo + "/actions/runs/" + id
	}
	return p
}

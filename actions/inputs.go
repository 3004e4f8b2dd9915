package main

import (
	"fmt"
	"slices"
	"strings"
)

// inputs lists every input of action.yml, in its order: the single list
// the entrypoint reads (a test checks it against action.yml in both
// directions).
var inputs = strings.Fields(`
	command repository password token server_token server_ca_file init
	paths exclude name tags snapshot target same_owner keep_special_bits sparse
	commands restore_commands images pin before_commit dry_run
	keep_last keep_hourly keep_daily keep_weekly keep_monthly keep_yearly keep_within keep_tags
	grace max_unused read_data_subset on_failure save_on
	s3_endpoint s3_region s3_access_key_id s3_secret_access_key s3_path_style s3_insecure
	connections job_status`)

// secretInputs are masked with ::add-mask:: before anything is logged.
var secretInputs = []string{"password", "token", "server_token", "s3_access_key_id", "s3_secret_access_key"}

// inputReader reads inputs from the environment the runner gives a docker
// action: INPUT_<NAME> upper-cased with spaces turned to '_' and hyphens
// kept. Inputs are declared in snake_case, but a caller may spell an input
// with hyphens (a hand-written env, an older workflow), so both the
// INPUT_CACHE_KEY and INPUT_CACHE-KEY forms are accepted; the snake_case
// form wins when both are set.
type inputReader struct {
	getenv func(string) string
}

func (r inputReader) get(name string) string {
	if !declared(name) {
		// A programming error, caught by the tests: every input read must be
		// declared in the table (and so in action.yml).
		panic(fmt.Sprintf("input %q is not declared", name))
	}
	up := strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
	if v := strings.TrimSpace(r.getenv("INPUT_" + up)); v != "" {
		return v
	}
	return strings.TrimSpace(r.getenv("INPUT_" + strings.ReplaceAll(up, "_", "-")))
}

// list reads a newline- or comma-separated input; blank items and lines
// starting with '#' are dropped.
func (r inputReader) list(name string) []string {
	return splitList(r.get(name), true)
}

// lines reads a newline-separated input (items may contain commas, such as
// shell commands).
func (r inputReader) lines(name string) []string {
	return splitList(r.get(name), false)
}

// bool reads a true/false input; empty is def.
func (r inputReader) bool(name string, def bool) (bool, error) {
	switch strings.ToLower(r.get(name)) {
	case "":
		return def, nil
	case "true", "yes", "1", "on":
		return true, nil
	case "false", "no", "0", "off":
		return false, nil
	}
	return false, fmt.Errorf("input %s: %q is not true or false", name, r.get(name))
}

func declared(name string) bool {
	return slices.Contains(inputs, name)
}

func splitList(s string, commas bool) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		items := []string{line}
		if commas {
			items = strings.Split(line, ",")
		}
		for _, it := range items {
			it = strings.TrimSpace(it)
			if it != "" && !strings.HasPrefix(it, "#") {
				out = append(out, it)
			}
		}
	}
	return out
}

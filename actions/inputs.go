package main

import (
	"fmt"
	"strings"
)

// input is one input of action.yml. The table below is the single list the
// entrypoint reads; a test checks it against action.yml in both directions.
type input struct {
	name   string
	secret bool // masked with ::add-mask:: before anything is logged
}

// inputs lists every input the entrypoint reads, in action.yml's order.
var inputs = []input{
	{name: "command"},
	{name: "repository"},
	{name: "password", secret: true},
	{name: "token", secret: true},
	{name: "server_token", secret: true},
	{name: "server_ca_file"},
	{name: "init"},
	{name: "paths"},
	{name: "exclude"},
	{name: "name"},
	{name: "tags"},
	{name: "snapshot"},
	{name: "target"},
	{name: "same_owner"},
	{name: "keep_special_bits"},
	{name: "sparse"},
	{name: "commands"},
	{name: "restore_commands"},
	{name: "images"},
	{name: "pin"},
	{name: "before_commit"},
	{name: "dry_run"},
	{name: "keep_last"},
	{name: "keep_hourly"},
	{name: "keep_daily"},
	{name: "keep_weekly"},
	{name: "keep_monthly"},
	{name: "keep_yearly"},
	{name: "keep_within"},
	{name: "keep_tags"},
	{name: "grace"},
	{name: "max_unused"},
	{name: "read_data_subset"},
	{name: "on_failure"},
	{name: "save_on"},
	{name: "s3_endpoint"},
	{name: "s3_region"},
	{name: "s3_access_key_id", secret: true},
	{name: "s3_secret_access_key", secret: true},
	{name: "s3_path_style"},
	{name: "s3_insecure"},
	{name: "connections"},
	{name: "job_status"},
}

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
	for _, in := range inputs {
		if in.name == name {
			return true
		}
	}
	return false
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

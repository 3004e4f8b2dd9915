package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// commands the action runs; each maps to the savepoint command of that name.
var commandNames = []string{"save", "restore", "checkpoint", "rollback", "snapshots", "forget", "prune", "verify"}

// keepRule maps a keep_* input to its forget flag.
type keepRule struct{ input, flag string }

var keepRules = []keepRule{
	{"keep_last", "--keep-last"}, {"keep_hourly", "--keep-hourly"}, {"keep_daily", "--keep-daily"},
	{"keep_weekly", "--keep-weekly"}, {"keep_monthly", "--keep-monthly"}, {"keep_yearly", "--keep-yearly"},
	{"keep_within", "--keep-within"},
}

// config is the validated set of inputs.
type config struct {
	command    string
	repository string
	password   string
	token      string
	init       bool

	serverToken  string // SAVEPOINT_TOKEN for https://HOST/NAME repositories
	serverCAFile string

	paths    []string
	exclude  []string
	name     string
	tags     []string
	snapshot string
	target   string

	sameOwner       bool
	keepSpecialBits bool
	sparse          string // "auto", "true" or "false"

	commands        []string // name=command
	restoreCommands []string // name=command
	images          []string // name=ref
	pin             bool
	beforeCommit    string
	dryRun          bool

	keep     []string // flag, value pairs
	keepTags []string

	grace          string
	maxUnused      string
	readDataSubset string

	onFailure string // "" or "rollback"
	saveOn    string // "now" or "post"

	s3 s3Config

	connections string
	jobStatus   string
}

type s3Config struct {
	endpoint, region, accessKeyID, secretAccessKey string
	pathStyle, insecure                            bool
}

// inputError is a missing, malformed or contradictory input: reported as
// one error annotation, exit 2.
type inputError struct{ msg string }

func (e inputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) error { return inputError{fmt.Sprintf(format, args...)} }

// parseConfig reads and validates every input.
func parseConfig(in inputReader) (*config, error) {
	c := &config{
		command:         strings.ToLower(in.get("command")),
		repository:      in.get("repository"),
		password:        in.get("password"),
		token:           in.get("token"),
		serverToken:     in.get("server_token"),
		serverCAFile:    in.get("server_ca_file"),
		sparse:          strings.ToLower(in.get("sparse")),
		paths:           in.list("paths"),
		exclude:         in.list("exclude"),
		name:            in.get("name"),
		tags:            in.list("tags"),
		snapshot:        in.get("snapshot"),
		target:          in.get("target"),
		commands:        in.lines("commands"),
		restoreCommands: in.lines("restore_commands"),
		images:          in.list("images"),
		beforeCommit:    in.get("before_commit"),
		keepTags:        in.list("keep_tags"),
		grace:           in.get("grace"),
		maxUnused:       in.get("max_unused"),
		readDataSubset:  in.get("read_data_subset"),
		onFailure:       strings.ToLower(in.get("on_failure")),
		saveOn:          strings.ToLower(in.get("save_on")),
		connections:     in.get("connections"),
		jobStatus:       strings.ToLower(in.get("job_status")),
		s3: s3Config{
			endpoint: in.get("s3_endpoint"), region: in.get("s3_region"),
			accessKeyID: in.get("s3_access_key_id"), secretAccessKey: in.get("s3_secret_access_key"),
		},
	}
	var boolErr error
	pick := func(v bool, err error) bool {
		if err != nil && boolErr == nil {
			boolErr = inputError{err.Error()}
		}
		return v
	}
	c.init = pick(in.bool("init", true))
	c.pin = pick(in.bool("pin", false))
	c.dryRun = pick(in.bool("dry_run", false))
	c.sameOwner = pick(in.bool("same_owner", false))
	c.keepSpecialBits = pick(in.bool("keep_special_bits", false))
	c.s3.pathStyle = pick(in.bool("s3_path_style", false))
	c.s3.insecure = pick(in.bool("s3_insecure", false))
	if boolErr != nil {
		return nil, boolErr
	}
	for _, k := range keepRules {
		if v := in.get(k.input); v != "" {
			c.keep = append(c.keep, k.flag, v)
		}
	}
	if c.command == "" {
		c.command = "save"
	}
	if c.saveOn == "" {
		c.saveOn = "now"
	}
	if c.sparse == "" {
		c.sparse = "auto"
	}
	if c.onFailure == "none" {
		c.onFailure = ""
	}
	return c, c.validate()
}

func (c *config) validate() error {
	if !slices.Contains(commandNames, c.command) {
		return inputErrorf("input command: %q is not one of %s", c.command, strings.Join(commandNames, ", "))
	}
	if c.repository == "" {
		return inputErrorf("input repository is required: a path, s3://bucket/prefix or oci://registry/repository")
	}
	if c.connections != "" {
		if n, err := strconv.Atoi(c.connections); err != nil || n < 1 {
			return inputErrorf("input connections: %q is not a positive number", c.connections)
		}
	}
	only := func(input string, set bool, cmds ...string) error {
		if set && !slices.Contains(cmds, c.command) {
			return inputErrorf("input %s applies to command %s, not %s", input, strings.Join(cmds, " or "), c.command)
		}
		return nil
	}
	checks := []error{
		only("commands", len(c.commands) > 0, "checkpoint"),
		only("restore_commands", len(c.restoreCommands) > 0, "checkpoint"),
		only("images", len(c.images) > 0, "checkpoint"),
		only("pin", c.pin, "checkpoint"),
		only("paths", len(c.paths) > 0, "save", "checkpoint"),
		only("exclude", len(c.exclude) > 0, "save", "checkpoint"),
		only("target", c.target != "", "restore", "rollback", "save"),
		only("snapshot", c.snapshot != "", "restore", "rollback"),
		only("before_commit", c.beforeCommit != "", "rollback"),
		only("dry_run", c.dryRun, "rollback", "forget", "prune"),
		only("keep_* inputs", len(c.keep) > 0 || len(c.keepTags) > 0, "forget"),
		only("grace", c.grace != "", "prune"),
		only("max_unused", c.maxUnused != "", "prune"),
		only("read_data_subset", c.readDataSubset != "", "verify"),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	if err := c.validateRestoreInputs(); err != nil {
		return err
	}
	switch c.command {
	case "save":
		if len(c.paths) == 0 {
			return inputErrorf("command save needs input paths (a newline or comma separated list)")
		}
	case "checkpoint":
		if len(c.paths) == 0 && len(c.commands) == 0 && len(c.images) == 0 {
			return inputErrorf("command checkpoint needs at least one of paths, commands or images")
		}
		for _, kv := range append(append(slices.Clone(c.commands), c.restoreCommands...), c.images...) {
			if name, val, ok := strings.Cut(kv, "="); !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(val) == "" {
				return inputErrorf("commands, restore_commands and images take NAME=VALUE lines; got %q", kv)
			}
		}
	case "rollback":
		if c.snapshot != "" && c.beforeCommit != "" {
			return inputErrorf("inputs snapshot and before_commit contradict each other: give one")
		}
	case "forget":
		if len(c.keep) == 0 && len(c.keepTags) == 0 {
			return inputErrorf("command forget needs at least one keep rule (keep_last, keep_daily, keep_within, keep_tags, ...)")
		}
	}
	if c.target != "" && c.command == "save" && c.saveOn != "post" {
		return inputErrorf("input target applies to command save only with save_on: post (where to restore the previous snapshot)")
	}
	switch c.onFailure {
	case "":
	case "rollback":
		if c.command != "save" && c.command != "checkpoint" {
			return inputErrorf("on_failure: rollback needs command checkpoint or save (a snapshot to roll back to), not %s", c.command)
		}
	default:
		return inputErrorf("input on_failure: %q is not none or rollback", c.onFailure)
	}
	switch c.saveOn {
	case "now":
	case "post":
		if c.command != "save" {
			return inputErrorf("save_on: post applies to command save, not %s", c.command)
		}
		if c.name == "" {
			return inputErrorf("save_on: post needs input name (the key under which the snapshot is restored and saved)")
		}
		if c.onFailure == "rollback" {
			return inputErrorf("save_on: post and on_failure: rollback contradict each other: nothing is saved before the job runs")
		}
	default:
		return inputErrorf("input save_on: %q is not now or post", c.saveOn)
	}
	return nil
}

// validateRestoreInputs checks the inputs of the restore that restore,
// rollback, the post step's rollback (on_failure: rollback) and save_on:
// post's first restore run.
func (c *config) validateRestoreInputs() error {
	restores := c.command == "restore" || c.command == "rollback" || c.onFailure == "rollback"
	for _, in := range []struct {
		name string
		set  bool
	}{{"same_owner", c.sameOwner}, {"keep_special_bits", c.keepSpecialBits}} {
		if in.set && !restores {
			return inputErrorf("input %s applies to command restore or rollback (or on_failure: rollback), not %s", in.name, c.command)
		}
	}
	switch c.sparse {
	case "auto", "true", "false":
	default:
		return inputErrorf("input sparse: %q is not auto, true or false", c.sparse)
	}
	if c.sparse != "auto" && c.command != "restore" && c.saveOn != "post" {
		return inputErrorf("input sparse applies to command restore (or save with save_on: post), not %s", c.command)
	}
	return nil
}

// secrets returns the values to mask.
func (c *config) secrets() []string {
	return nonEmpty(c.password, c.token, c.serverToken, c.s3.accessKeyID, c.s3.secretAccessKey)
}

func nonEmpty(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

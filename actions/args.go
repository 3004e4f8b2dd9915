package main

import (
	"io"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/core/location"
)

// registryPasswordEnv is the variable through which the token reaches the
// OCI backend (--registry-password-env): secrets never go on a command line.
const registryPasswordEnv = "SAVEPOINT_ACTION_REGISTRY_PASSWORD"

// cliInfo tells which commands and flags this build's CLI has, so inputs
// whose flags arrive with other parts of savepoint are passed only when
// the CLI can take them (and refused with one clear line when it cannot).
type cliInfo struct{ app *ucli.App }

func newCLIInfo(version string) cliInfo {
	env := cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	return cliInfo{cli.NewApp(version, env)}
}

func (i cliInfo) hasCommand(name string) bool { return i.app.Command(name) != nil }

// hasFlag reports whether command cmd ("" for the global flags) has flag.
func (i cliInfo) hasFlag(cmd, flag string) bool {
	flags := i.app.Flags
	if cmd != "" {
		c := i.app.Command(cmd)
		if c == nil {
			return false
		}
		flags = c.Flags
	}
	for _, f := range flags {
		if slices.Contains(f.Names(), flag) {
			return true
		}
	}
	return false
}

// invocation is one CLI run: its arguments and the environment entries it
// sees on top of the process environment (secrets travel here).
type invocation struct {
	args []string
	env  map[string]string
}

// globalArgs builds the flags every command takes: repository, JSON
// output, connections, S3 and registry settings; secrets go to env.
func globalArgs(c *config, info cliInfo, getenv func(string) string) invocation {
	inv := invocation{args: []string{"--repo", c.repository, "--json"}, env: map[string]string{}}
	if c.password != "" {
		inv.env["SAVEPOINT_PASSWORD"] = c.password
	}
	if c.connections != "" {
		inv.args = append(inv.args, "--connections", c.connections)
	}
	// S3: a flag when this build has it, else the variable the S3 backend
	// falls back to. Only settings that are set are passed.
	s3 := []struct{ flag, env, value string }{
		{"s3-endpoint", "SAVEPOINT_S3_ENDPOINT", c.s3.endpoint},
		{"s3-region", "SAVEPOINT_S3_REGION", c.s3.region},
		{"s3-path-style", "SAVEPOINT_S3_PATH_STYLE", boolString(c.s3.pathStyle)},
		{"s3-insecure", "SAVEPOINT_S3_INSECURE", boolString(c.s3.insecure)},
	}
	for _, s := range s3 {
		switch {
		case s.value == "":
		case info.hasFlag("", s.flag) && s.value == "true":
			inv.args = append(inv.args, "--"+s.flag)
		case info.hasFlag("", s.flag):
			inv.args = append(inv.args, "--"+s.flag, s.value)
		default:
			inv.env[s.env] = s.value
		}
	}
	if c.s3.accessKeyID != "" {
		inv.env["AWS_ACCESS_KEY_ID"] = c.s3.accessKeyID
	}
	if c.s3.secretAccessKey != "" {
		inv.env["AWS_SECRET_ACCESS_KEY"] = c.s3.secretAccessKey
	}
	// Images of a checkpoint or rollback on ghcr.io: the CLI's image client
	// logs in with GITHUB_TOKEN, which the runner does not pass into a
	// docker action's container.
	if (c.command == "checkpoint" || c.command == "rollback") && c.token != "" && getenv("GITHUB_TOKEN") == "" {
		inv.env["GITHUB_TOKEN"] = c.token
	}
	// OCI: the token is the registry password, the actor its user.
	// Without an actor the OCI backend still finds the token: it reads
	// INPUT_TOKEN for ghcr.io.
	actor := getenv("GITHUB_ACTOR")
	if location.Scheme(c.repository) == "oci" && c.token != "" && actor != "" &&
		info.hasFlag("", "registry-password-env") && info.hasFlag("", "registry-user") {
		inv.env[registryPasswordEnv] = c.token
		inv.args = append(inv.args, "--registry-user", actor, "--registry-password-env", registryPasswordEnv)
	}
	return inv
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return ""
}

// commandArgs builds the arguments of c.command, after the global flags.
func commandArgs(c *config, info cliInfo) []string {
	var a []string
	add := func(flag string, values ...string) {
		for _, v := range values {
			if v != "" {
				a = append(a, flag, v)
			}
		}
	}
	flag := func(flag string, on bool) {
		if on {
			a = append(a, flag)
		}
	}
	switch c.command {
	case "save", "checkpoint":
		a = append(a, c.command)
		add("--name", c.name)
		add("--tag", c.tags...)
		add("--exclude", c.exclude...)
		add("--command", c.commands...)
		add("--restore-command", c.restoreCommands...)
		add("--image", c.images...)
		flag("--pin", c.pin)
		if len(c.paths) > 0 {
			a = append(append(a, "--"), c.paths...)
		}
	case "restore":
		a = append(a, "restore", "--target", c.restoreTarget(), "--", c.snapshotRef())
	case "rollback":
		a = append(a, "rollback")
		add("--name", c.name)
		add("--to", c.snapshot)
		add("--before-commit", c.beforeCommit)
		add("--target", c.target)
		flag("--dry-run", c.dryRun)
	case "snapshots":
		a = append(a, "snapshots")
		add("--name", c.name)
		add("--tag", c.tags...)
	case "forget":
		a = append(a, "forget")
		if info.hasFlag("forget", "name") {
			add("--name", c.name)
		}
		a = append(a, c.keep...)
		add("--keep-tag", c.keepTags...)
		flag("--dry-run", c.dryRun)
	case "prune":
		a = append(a, "prune")
		add("--grace", c.grace)
		add("--max-unused", c.maxUnused)
		flag("--dry-run", c.dryRun)
	case "verify":
		a = append(a, "verify")
		add("--read-data-subset", c.readDataSubset)
	}
	return a
}

// snapshotRef is the snapshot restore reads: the input, else the newest
// with the name, else the newest.
func (c *config) snapshotRef() string {
	switch {
	case c.snapshot != "":
		return c.snapshot
	case c.name != "":
		return c.name + ":latest"
	}
	return "latest"
}

func (c *config) restoreTarget() string {
	if c.target != "" {
		return c.target
	}
	return "."
}

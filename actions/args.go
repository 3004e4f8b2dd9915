package main

import (
	"github.com/savepoint-ci/savepoint/core/location"
)

// registryPasswordEnv is the variable through which the token reaches the
// OCI backend (--registry-password-env): secrets never go on a command line.
const registryPasswordEnv = "SAVEPOINT_ACTION_REGISTRY_PASSWORD"

// invocation is one CLI run: its arguments and the environment entries it
// sees on top of the process environment (secrets travel here).
type invocation struct {
	args []string
	env  map[string]string
}

// globalArgs builds the flags every command takes: repository, JSON
// output, connections, S3 and registry settings; secrets go to env.
func globalArgs(c *config, getenv func(string) string) invocation {
	inv := invocation{args: []string{"--repo", c.repository, "--json"}, env: map[string]string{}}
	if c.password != "" {
		inv.env["SAVEPOINT_PASSWORD"] = c.password
	}
	// A server repository's token: in the environment, never in argv.
	if c.serverToken != "" {
		inv.env["SAVEPOINT_TOKEN"] = c.serverToken
	}
	if c.serverCAFile != "" {
		inv.args = append(inv.args, "--server-ca-file", c.serverCAFile)
	}
	if c.connections != "" {
		inv.args = append(inv.args, "--connections", c.connections)
	}
	// S3: only settings that are set are passed.
	for _, s := range []struct{ flag, value string }{
		{"--s3-endpoint", c.s3.endpoint},
		{"--s3-region", c.s3.region},
	} {
		if s.value != "" {
			inv.args = append(inv.args, s.flag, s.value)
		}
	}
	if c.s3.pathStyle {
		inv.args = append(inv.args, "--s3-path-style")
	}
	if c.s3.insecure {
		inv.args = append(inv.args, "--s3-insecure")
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
	if location.Scheme(c.repository) == "oci" && c.token != "" && actor != "" {
		inv.env[registryPasswordEnv] = c.token
		inv.args = append(inv.args, "--registry-user", actor, "--registry-password-env", registryPasswordEnv)
	}
	return inv
}

// commandArgs builds the arguments of c.command, after the global flags.
func commandArgs(c *config) []string {
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
		a = append(c.restoreArgs(), "--", c.snapshotRef())
	case "rollback":
		a = append(a, "rollback")
		add("--name", c.name)
		add("--to", c.snapshot)
		add("--before-commit", c.beforeCommit)
		add("--target", c.target)
		flag("--dry-run", c.dryRun)
		a = append(a, c.ownerFlags()...)
	case "snapshots":
		a = append(a, "snapshots")
		add("--name", c.name)
		add("--tag", c.tags...)
	case "forget":
		a = append(a, "forget")
		add("--name", c.name)
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

// restoreArgs are restore's command and flags, without the snapshot.
func (c *config) restoreArgs() []string {
	a := append([]string{"restore", "--target", c.restoreTarget()}, c.ownerFlags()...)
	switch c.sparse {
	case "true":
		a = append(a, "--sparse")
	case "false":
		a = append(a, "--no-sparse")
	}
	return a
}

// ownerFlags are the owner and special-bit flags restore and rollback share.
func (c *config) ownerFlags() []string {
	var a []string
	if c.sameOwner {
		a = append(a, "--same-owner")
	}
	if c.keepSpecialBits {
		a = append(a, "--keep-special-bits")
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

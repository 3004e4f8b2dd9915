package plugin

import (
	"strconv"

	"github.com/savepoint-ci/savepoint/drone/internal/settings"
)

// Args builds the savepoint command line for the step: global flags, --json,
// the command, its flags, then "--" and positional arguments. Values are
// passed as --flag=value so that a value starting with "-" stays a value.
// Credentials are not in it: see Env.
func (c *Config) Args() []string {
	var args []string
	for _, s := range Settings {
		if s.Commands == nil && s.Flag != "" {
			args = c.appendFlag(args, s)
		}
	}
	args = append(args, "--json", c.Command)
	for _, s := range Settings {
		if s.Commands == nil || !s.uses(c.Command) {
			continue
		}
		if s.Flag == "" || (s.Name == "name" && c.Command == "restore") {
			continue // restore takes NAME:latest as its snapshot argument
		}
		args = c.appendFlag(args, s)
	}
	switch c.Command {
	case "save", "checkpoint":
		args = append(args, "--")
		args = append(args, c.list("paths")...)
	case "restore":
		if c.str("target") == "" {
			args = append(args, "--target=.")
		}
		switch c.str("sparse") {
		case "true":
			args = append(args, "--sparse")
		case "false":
			args = append(args, "--no-sparse")
		}
		args = append(args, "--", c.Snapshot())
	}
	return args
}

// Snapshot is the snapshot restore restores: the snapshot setting, else
// NAME:latest, else latest.
func (c *Config) Snapshot() string {
	if s := c.str("snapshot"); s != "" {
		return s
	}
	if n := c.Name(); n != "" {
		return n + ":latest"
	}
	return "latest"
}

// InitArgs is the command line that creates the repository (init: true).
func (c *Config) InitArgs() []string {
	var args []string
	for _, s := range Settings {
		if s.Commands == nil && s.Flag != "" {
			args = c.appendFlag(args, s)
		}
	}
	return append(args, "--json", "init")
}

func (c *Config) appendFlag(args []string, s Setting) []string {
	v, ok := c.values[s.Name]
	if !ok {
		return args
	}
	if s.EnvVar != "" {
		// The value travels in the environment (see Env); the flag names it.
		return append(args, "--"+s.Flag+"="+s.EnvVar)
	}
	switch v := v.(type) {
	case bool:
		if v {
			args = append(args, "--"+s.Flag)
		}
	case string:
		if v != "" {
			args = append(args, "--"+s.Flag+"="+v)
		}
	case []string:
		for _, item := range v {
			args = append(args, "--"+s.Flag+"="+item)
		}
	case []settings.Pair:
		for _, p := range v {
			args = append(args, "--"+s.Flag+"="+p.String())
		}
	}
	return args
}

// Env is the CLI's environment: the process environment with the settings
// that travel as variables laid over it (SAVEPOINT_PASSWORD,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, the registry passwords).
// Credentials travel this way so that they are never in an argument list.
func (c *Config) Env(getenv func(string) string) func(string) string {
	over := map[string]string{}
	for _, s := range Settings {
		v, ok := c.values[s.Name]
		if s.EnvVar == "" || !ok {
			continue
		}
		switch v := v.(type) {
		case string:
			over[s.EnvVar] = v
		case bool:
			over[s.EnvVar] = strconv.FormatBool(v)
		}
	}
	if c.str("s3_access_key") != "" {
		over["AWS_SESSION_TOKEN"] = "" // a session token belongs to other keys
	}
	return func(k string) string {
		if v, ok := over[k]; ok {
			return v
		}
		return getenv(k)
	}
}

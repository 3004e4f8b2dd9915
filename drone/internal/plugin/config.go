package plugin

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/savepoint-ci/savepoint/drone/internal/settings"
)

// Config is a step's parsed settings and metadata.
type Config struct {
	Command string
	Meta    Metadata
	Init    bool

	values   map[string]any // setting name -> string, bool, []string or []settings.Pair
	Warnings []string
}

// UsageError is a mistake in the step's settings (exit 2).
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return UsageError{fmt.Sprintf(format, args...)} }

// Load parses the step's settings from env. getenv is the whole process
// environment (for metadata and SAVEPOINT_* fallbacks).
func Load(env settings.Env) (*Config, error) {
	cfg := &Config{Meta: ReadMetadata(env.Getenv), values: map[string]any{}}
	for _, s := range Settings {
		raw, ok := env.Lookup(s.Name)
		if !ok {
			continue
		}
		var v any
		var err error
		switch s.Kind {
		case Bool:
			v, err = settings.Bool(s.Name, raw)
		case List:
			v, err = settings.List(s.Name, raw)
		case Pairs:
			v, err = settings.Pairs(s.Name, raw)
		case Number:
			v = strings.TrimSpace(raw)
			if n, perr := strconv.Atoi(v.(string)); perr != nil || n < 0 {
				err = fmt.Errorf("setting %s: %q is not a whole number", s.Name, raw)
			}
		default:
			v = strings.TrimSpace(raw)
		}
		if err != nil {
			return nil, UsageError{err.Error()}
		}
		cfg.values[s.Name] = v
	}
	cfg.Command = cfg.str("command")
	if cfg.Command == "" {
		cfg.Command = cfg.Meta.DefaultCommand()
	}
	cfg.Command = strings.ToLower(cfg.Command)
	if !slices.Contains(Commands, cfg.Command) {
		return nil, usagef("setting command: unknown command %q (want one of %s)", cfg.Command, strings.Join(Commands, ", "))
	}
	cfg.Init = cfg.flag("init")

	if cfg.str("repository") == "" && env.Getenv("SAVEPOINT_REPOSITORY") == "" {
		return nil, usagef("setting repository is required (a path, s3://BUCKET/PREFIX or oci://REGISTRY/REPO)")
	}
	if (cfg.str("s3_access_key") == "") != (cfg.str("s3_secret_key") == "") {
		return nil, usagef("settings s3_access_key and s3_secret_key go together: set both or neither")
	}
	if cfg.str("name") == "" && (cfg.Command == "checkpoint" || cfg.Command == "rollback") && cfg.Meta.DeployTarget != "" {
		cfg.values["name"] = cfg.Meta.DeployTarget
	}
	switch sp := strings.ToLower(cfg.str("sparse")); sp {
	case "", "auto":
		delete(cfg.values, "sparse")
	default:
		b, err := settings.Bool("sparse", sp)
		if err != nil {
			return nil, usagef("setting sparse: %q is not auto, true or false", cfg.str("sparse"))
		}
		cfg.values["sparse"] = strconv.FormatBool(b)
	}
	if cfg.Command == "save" && len(cfg.list("paths")) == 0 && len(cfg.pairs("commands")) == 0 && len(cfg.pairs("images")) == 0 {
		return nil, usagef("setting paths is required for save (or commands, images)")
	}
	for name := range cfg.values {
		if s, _ := Lookup(name); !s.uses(cfg.Command) {
			cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("setting %s is not used by %s", name, cfg.Command))
		}
	}
	slices.Sort(cfg.Warnings)
	for _, u := range env.Unknown(func(n string) bool { _, ok := Lookup(n); return ok }) {
		cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("unknown setting %s (ignored)", u))
	}
	return cfg, nil
}

// Name is the snapshot name the step works on ("" for none).
func (c *Config) Name() string { return c.str("name") }

// Secrets are the values that must never be printed.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range Settings {
		if v := c.str(s.Name); s.Secret && v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (c *Config) str(name string) string {
	s, _ := c.values[name].(string)
	return s
}

func (c *Config) flag(name string) bool {
	b, _ := c.values[name].(bool)
	return b
}

func (c *Config) list(name string) []string {
	l, _ := c.values[name].([]string)
	return l
}

func (c *Config) pairs(name string) []settings.Pair {
	p, _ := c.values[name].([]settings.Pair)
	return p
}

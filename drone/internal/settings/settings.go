// Package settings reads the settings of a Drone or Woodpecker plugin step
// from its environment. Both runners pass each `settings:` key as
// PLUGIN_<KEY> upper-cased: Woodpecker turns '-' and '.' into '_', Drone keeps
// hyphens (`no-parent` -> PLUGIN_NO-PARENT). Lists of scalars arrive
// comma-joined, lists of objects and maps as JSON. This package accepts every
// one of those forms so that one binary serves both runners.
package settings

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Env looks up settings in an environment.
type Env struct {
	Getenv func(string) string
	// Environ lists the environment as KEY=value, for Unknown.
	Environ func() []string
}

// MapEnv is the environment that holds the variables of m, and no others:
// a step's environment as a test writes it.
func MapEnv(m map[string]string) Env {
	return Env{
		Getenv: func(k string) string { return m[k] },
		Environ: func() []string {
			var out []string
			for k, v := range m {
				out = append(out, k+"="+v)
			}
			return out
		},
	}
}

// Keys returns the environment variable names a setting may arrive under,
// most specific first: the snake_case form, then Drone's hyphen form.
func Keys(name string) []string {
	up := strings.ToUpper(name)
	keys := []string{"PLUGIN_" + up}
	if h := strings.ReplaceAll(up, "_", "-"); h != up {
		keys = append(keys, "PLUGIN_"+h)
	}
	return keys
}

// Lookup returns the value of setting name (snake_case) and whether it was
// given. A setting given but empty counts as not given: runners pass an
// empty string for a secret that does not exist.
func (e Env) Lookup(name string) (string, bool) {
	for _, k := range Keys(name) {
		if v := e.Getenv(k); v != "" {
			return v, true
		}
	}
	return "", false
}

// Unknown returns the settings present in the environment (as snake_case
// names) that are not in known, sorted.
func (e Env) Unknown(known func(name string) bool) []string {
	if e.Environ == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, kv := range e.Environ() {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "PLUGIN_") {
			continue
		}
		name := Normalize(strings.TrimPrefix(k, "PLUGIN_"))
		if name != "" && !known(name) {
			seen[name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Normalize turns a setting name as written or as encoded (no-parent,
// NO-PARENT, no.parent) into its snake_case form.
func Normalize(name string) string {
	return strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToLower(strings.TrimSpace(name)))
}

// Bool parses a boolean setting (true/false, yes/no, on/off, 1/0).
func Bool(name, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "on":
		return true, nil
	case "no", "off":
		return false, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return false, fmt.Errorf("setting %s: %q is not true or false", name, v)
	}
	return b, nil
}

// List parses a list setting: a JSON array of scalars, or items separated
// by newlines or commas. Empty items are dropped and items trimmed.
func List(name, v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if strings.HasPrefix(v, "[") {
		var raw []any
		if err := json.Unmarshal([]byte(v), &raw); err != nil {
			if !looksJSON(v) {
				return splitList(v), nil // a glob such as [._]*.tmp
			}
			return nil, fmt.Errorf("setting %s: not a valid JSON array", name)
		}
		out := make([]string, 0, len(raw))
		for _, x := range raw {
			s, err := scalar(name, x)
			if err != nil {
				return nil, err
			}
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	return splitList(v), nil
}

func splitList(v string) []string {
	var out []string
	for _, line := range strings.Split(v, "\n") {
		for _, item := range strings.Split(line, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// looksJSON tells a broken JSON array from a list whose first item starts
// with '[' (a glob character class).
func looksJSON(v string) bool {
	rest := strings.TrimSpace(v[1:])
	return rest == "" || strings.ContainsAny(rest[:1], `"{[]`) || strings.HasSuffix(v, "]")
}

// pairStart finds a comma that begins a new NAME=value item.
var pairStart = regexp.MustCompile(`,\s*[A-Za-z0-9_.-]+=`)

// Pairs parses a NAME=value setting (commands, images): a JSON object
// {"name": "value"}, a JSON array of "name=value" strings or of
// {"name": .., "value"|"command"|"ref": ..} objects, or name=value items
// separated by newlines or by commas that start a new name=value item (so a
// comma inside a command, as in `pg_dump -t a,b`, stays in the command).
// Order is kept; a JSON object is ordered by name.
func Pairs(name, v string) ([]Pair, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if strings.HasPrefix(v, "{") {
		var m map[string]any
		if err := json.Unmarshal([]byte(v), &m); err != nil {
			return nil, fmt.Errorf("setting %s: not a valid JSON object", name)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]Pair, 0, len(keys))
		for _, k := range keys {
			s, err := scalar(name, m[k])
			if err != nil {
				return nil, err
			}
			out = append(out, Pair{Name: k, Value: s})
		}
		return out, checkPairs(name, out)
	}
	var items []string
	if strings.HasPrefix(v, "[") {
		var raw []any
		if err := json.Unmarshal([]byte(v), &raw); err != nil {
			return nil, fmt.Errorf("setting %s: not a valid JSON array", name)
		}
		var out []Pair
		for _, x := range raw {
			if obj, ok := x.(map[string]any); ok {
				p, err := pairObject(name, obj)
				if err != nil {
					return nil, err
				}
				out = append(out, p)
				continue
			}
			s, err := scalar(name, x)
			if err != nil {
				return nil, err
			}
			items = append(items, s)
		}
		if out != nil {
			if items != nil {
				return nil, fmt.Errorf("setting %s: mixes objects and strings", name)
			}
			return out, checkPairs(name, out)
		}
	} else {
		for _, line := range strings.Split(v, "\n") {
			for len(line) > 0 {
				loc := pairStart.FindStringIndex(line)
				if loc == nil {
					items = append(items, line)
					break
				}
				items = append(items, line[:loc[0]])
				line = line[loc[0]+1:]
			}
		}
	}
	var out []Pair
	for _, it := range items {
		if it = strings.TrimSpace(it); it == "" {
			continue
		}
		k, val, ok := strings.Cut(it, "=")
		if !ok {
			return nil, fmt.Errorf("setting %s: %q is not NAME=value", name, firstWord(it))
		}
		out = append(out, Pair{Name: strings.TrimSpace(k), Value: strings.TrimSpace(val)})
	}
	return out, checkPairs(name, out)
}

// Pair is one NAME=value item.
type Pair struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func (p Pair) String() string { return p.Name + "=" + p.Value }

func pairObject(setting string, obj map[string]any) (Pair, error) {
	n, _ := obj["name"].(string)
	for _, k := range []string{"value", "command", "ref", "image"} {
		if x, ok := obj[k]; ok {
			s, err := scalar(setting, x)
			return Pair{Name: n, Value: s}, err
		}
	}
	return Pair{}, fmt.Errorf("setting %s: object without a value (want name and value)", setting)
}

func checkPairs(setting string, ps []Pair) error {
	for _, p := range ps {
		if p.Name == "" || p.Value == "" {
			return fmt.Errorf("setting %s: an item has an empty name or value", setting)
		}
	}
	return nil
}

func scalar(name string, x any) (string, error) {
	switch v := x.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("setting %s: want strings, got a nested %T", name, x)
}

// firstWord keeps error messages short and free of whatever follows (a
// command line may carry a credential).
func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

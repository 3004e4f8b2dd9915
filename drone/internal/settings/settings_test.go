package settings

import (
	"reflect"
	"strings"
	"testing"
)

func TestLookupForms(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
		ok   bool
	}{
		{map[string]string{"PLUGIN_NO_PARENT": "true"}, "true", true}, // Woodpecker, or Drone with no_parent
		{map[string]string{"PLUGIN_NO-PARENT": "true"}, "true", true}, // Drone with no-parent
		{map[string]string{"PLUGIN_NO_PARENT": "a", "PLUGIN_NO-PARENT": "b"}, "a", true},
		{map[string]string{"PLUGIN_NO_PARENT": ""}, "", false}, // a missing secret arrives empty
		{map[string]string{"NO_PARENT": "x"}, "", false},
	}
	for _, c := range cases {
		got, ok := MapEnv(c.env).Lookup("no_parent")
		if got != c.want || ok != c.ok {
			t.Errorf("Lookup(%v) = %q, %v; want %q, %v", c.env, got, ok, c.want, c.ok)
		}
	}
	if got := Keys("paths"); !reflect.DeepEqual(got, []string{"PLUGIN_PATHS"}) {
		t.Errorf("Keys(paths) = %v", got)
	}
}

func TestUnknown(t *testing.T) {
	e := MapEnv(map[string]string{"PLUGIN_PATHS": "a", "PLUGIN_KEEP-LAST": "3", "PLUGIN_TYPO": "x", "PLUGIN_OTHER.KEY": "y", "CI_REPO": "r"})
	known := func(n string) bool { return n == "paths" || n == "keep_last" }
	if got := e.Unknown(known); !reflect.DeepEqual(got, []string{"other_key", "typo"}) {
		t.Errorf("Unknown = %v", got)
	}
}

func TestList(t *testing.T) {
	cases := map[string][]string{
		"a,b , c":               {"a", "b", "c"},           // Drone/Woodpecker join lists of scalars with commas
		"a\nb\n\nc":             {"a", "b", "c"},           // a YAML block scalar
		`["a,b", "c", 3, true]`: {"a,b", "c", "3", "true"}, // a JSON array keeps commas inside items
		"":                      nil,
		" single ":              {"single"},
	}
	for in, want := range cases {
		got, err := List("paths", in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("List(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`["a"`, `[{"a":1}]`, `[["x"]]`, `[`} {
		if _, err := List("paths", bad); err == nil || !strings.Contains(err.Error(), "setting paths") {
			t.Errorf("List(%q) error = %v; want a setting paths error", bad, err)
		}
	}
}

func TestPairs(t *testing.T) {
	cases := map[string][]Pair{
		// Drone encodes a map as JSON.
		`{"web": "tar c /srv", "db": "pg_dump -t a,b app"}`: {{"db", "pg_dump -t a,b app"}, {"web", "tar c /srv"}},
		// A YAML list of strings arrives comma-joined: commas inside a command stay.
		"db=pg_dump -t a,b app,web=tar c /srv":     {{"db", "pg_dump -t a,b app"}, {"web", "tar c /srv"}},
		"db=pg_dump app\nweb=tar c /srv":           {{"db", "pg_dump app"}, {"web", "tar c /srv"}},
		`["db=pg_dump -t a,b app", "web=x=y"]`:     {{"db", "pg_dump -t a,b app"}, {"web", "x=y"}},
		`[{"name": "api", "ref": "reg/app:prod"}]`: {{"api", "reg/app:prod"}},
		"api=reg.example:5000/app:prod":            {{"api", "reg.example:5000/app:prod"}},
	}
	for in, want := range cases {
		got, err := Pairs("commands", in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Pairs(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"pg_dump app", `{"db": ""}`, `{"db": {"x": 1}}`, `[{"name": "a"}]`, `{`, "=x"} {
		if _, err := Pairs("commands", bad); err == nil || !strings.Contains(err.Error(), "setting commands") {
			t.Errorf("Pairs(%q) error = %v; want a setting commands error", bad, err)
		}
	}
}

func TestPairsErrorHidesCommand(t *testing.T) {
	_, err := Pairs("commands", "pg_dump --password hunter22")
	if err == nil || strings.Contains(err.Error(), "hunter22") {
		t.Errorf("error %v should name the item without the rest of the command", err)
	}
}

func TestBool(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "TRUE": true, "1": true, "yes": true, "on": true, "false": false, "0": false, "no": false, "off": false} {
		if got, err := Bool("pin", in); err != nil || got != want {
			t.Errorf("Bool(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := Bool("pin", "maybe"); err == nil || !strings.Contains(err.Error(), "setting pin") {
		t.Errorf("Bool(maybe) error = %v", err)
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"NO-PARENT": "no_parent", "no.parent": "no_parent", "Keep_Last": "keep_last"} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

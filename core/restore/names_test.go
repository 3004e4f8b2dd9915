package restore

import (
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/tree"
)

func TestWindowsNameProblem(t *testing.T) {
	for _, name := range []string{"a", "Makefile", "CONSOLE", "con1", "COM10", "LPT0x", "x.y.z", ".git", "naïve", "COMx", "auxiliary.txt", "a b", "~1"} {
		if why := windowsNameProblem(name); why != "" {
			t.Errorf("%q refused: %s", name, why)
		}
	}
	for name, want := range map[string]string{
		`a\b`:                    "separator",
		`..\..\x`:                "separator",
		"C:":                     "drive",
		"file:stream":            "drive",
		"a\x00b":                 "does not allow",
		"tab\there":              "does not allow",
		"what?":                  "does not allow",
		"a*":                     "does not allow",
		`"q"`:                    "does not allow",
		"a|b":                    "does not allow",
		"<x>":                    "does not allow",
		"dot.":                   "ends with",
		"space ":                 "ends with",
		"CON":                    "reserved",
		"con":                    "reserved",
		"Nul.txt":                "reserved",
		"aux.tar.gz":             "reserved",
		"PRN .log":               "reserved",
		"com1":                   "reserved",
		"LPT9.x":                 "reserved",
		"COM\u00b9":              "reserved",
		"conin$":                 "reserved",
		"CONOUT$.txt":            "reserved",
		"\xff\xfe":               "not UTF-8",
		strings.Repeat("é", 256): "longer than 255",
		strings.Repeat("😀", 128): "longer than 255", // 256 UTF-16 units
	} {
		if why := windowsNameProblem(name); !strings.Contains(why, want) {
			t.Errorf("%q: %q, want a reason with %q", name, why, want)
		}
	}
	if why := windowsNameProblem(strings.Repeat("é", 255)); why != "" {
		t.Errorf("255 units refused: %s", why)
	}
}

func TestWindowsEntryProblemCaseClash(t *testing.T) {
	seen := map[string]string{}
	for _, p := range []string{"src", "src/Makefile", "SRC2", "src/b"} {
		if why := windowsEntryProblem(seen, p, p[strings.LastIndexByte(p, '/')+1:]); why != "" {
			t.Fatalf("%s refused: %s", p, why)
		}
	}
	for p, other := range map[string]string{"SRC": "src", "src/makefile": "src/Makefile", "src/B": "src/b", "Src2": "SRC2", "src/\u212a": ""} {
		why := windowsEntryProblem(seen, p, p[strings.LastIndexByte(p, '/')+1:])
		if other == "" { // the Kelvin sign folds with k: no clash with what was seen
			if why != "" {
				t.Errorf("%s refused: %s", p, why)
			}
			continue
		}
		if !strings.Contains(why, "same name as "+other) {
			t.Errorf("%s: %q, want a clash with %s", p, why, other)
		}
	}
	if why := windowsEntryProblem(seen, "src/k", "k"); !strings.Contains(why, "same name as src/\u212a") {
		t.Errorf("k after the Kelvin sign: %q", why)
	}
	if why := windowsEntryProblem(seen, "src/nul", "nul"); !strings.Contains(why, "reserved") {
		t.Errorf("nul: %q", why)
	}
}

func TestWindowsLinkProblem(t *testing.T) {
	for _, dest := range []string{"a/b", "../x", "./y", "a//b/", ".."} {
		if why := windowsLinkProblem(dest); why != "" {
			t.Errorf("%q refused: %s", dest, why)
		}
	}
	for _, dest := range []string{`C:\Windows`, "C:/Windows", "c:foo", `\\server\share`, `..\..\x`, "a/NUL", "a/con.txt/b", "x:stream"} {
		if why := windowsLinkProblem(dest); why == "" {
			t.Errorf("%q accepted", dest)
		}
	}
}

func dirNode() *tree.Node                { return &tree.Node{Type: tree.Dir} }
func symlinkNode(dest string) *tree.Node { return &tree.Node{Type: tree.Symlink, Target: dest} }

// On Windows the link check lets ".." go up only from directories of the
// tree reached through no link: Windows may take ".." by name where a link
// led elsewhere, and a name may alias another (case, 8.3 short names).
func TestStrictLinkCheck(t *testing.T) {
	items := []item{
		{"d", dirNode()}, {"d/e", dirNode()}, {"d/e/f", dirNode()},
		{"deep", symlinkNode("d/e/f")}, // physically 3 deep, by name 1
		{"d/up", symlinkNode("..")},
	}
	for _, c := range []struct {
		rel, dest     string
		loose, strict bool // refused without and with strict
	}{
		{"x", "d/e/../e/f", false, false},
		{"d/e/x", "../../d", false, false},
		{"x", "deep/../../y", false, true},      // by name: out of the target
		{"x", "deep/sub", false, false},         // no ".." after the link
		{"x", "D/../..", true, true},            // out either way
		{"x", "VERYLO~1/../y", false, true},     // a name the tree does not hold
		{"d/x", "up/d", false, false},           // the link's own "..", from its directory
		{"d/x", "up/d/e/../e", false, true},     // ".." after a link of the same target (conservative)
		{"x", "d/up/d/..", false, true},         // ".." after a link
		{"d/e/x", "../../up/../d", false, true}, // up from "up", not a directory of the tree
	} {
		for _, strict := range []bool{false, true} {
			check := newLinkCheck(items, nil)
			check.strict = strict
			why, _ := check.refusal(c.rel, c.dest)
			want := c.loose
			if strict {
				want = c.strict
			}
			if (why != "") != want {
				t.Errorf("%s -> %s, strict %v: refused %v (%s), want %v", c.rel, c.dest, strict, why != "", why, want)
			}
		}
	}
}

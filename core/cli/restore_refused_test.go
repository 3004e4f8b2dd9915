package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// A restore that refuses entries exits 3 and lists each once, printable,
// in the text summary and in the JSON; special bits are dropped unless
// --keep-special-bits.
func TestRestoreRefusedEntries(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("setuid bits and owners are unix's")
	}
	r := newCLI(t)
	work := t.TempDir()
	testrepo.WriteFile(t, work, "src/tool", []byte("#!/bin/sh"))
	os.Chmod(filepath.Join(work, "src/tool"), 0o755|os.ModeSetuid)
	os.Symlink("/etc", filepath.Join(work, "src/evil"))
	os.Symlink("../../x", filepath.Join(work, "src/bad\x01link"))
	t.Chdir(work)
	r.ok("save", "src")

	target := filepath.Join(work, "out")
	code, out, errOut := r.run("restore", "latest", "--target", target)
	if code != ExitPartial {
		t.Fatalf("exit %d, want %d: %s", code, ExitPartial, errOut)
	}
	wantLines := []string{
		`    src/bad\x01link: symlink leads outside the target (-> ../../x); use --allow-outside-links to restore it`,
		`    src/evil: symlink leads outside the target (-> /etc); use --allow-outside-links to restore it`,
	}
	for _, l := range wantLines {
		if strings.Count(out, l+"\n") != 1 {
			t.Errorf("the summary does not list once %q:\n%s", l, out)
		}
	}
	if !strings.Contains(out, "  refused        2\n") || strings.ContainsRune(out, '\x01') {
		t.Errorf("summary:\n%q", out)
	}
	if errOut != "savepoint: 2 entries refused (listed above)\n" {
		t.Errorf("stderr %q", errOut)
	}
	if fi, _ := os.Stat(filepath.Join(target, "src/tool")); fi.Mode() != 0o755 {
		t.Errorf("tool restored as %v: the setuid bit must be dropped by default", fi.Mode())
	}

	code, out, errOut = r.run("--json", "restore", "latest", "--target", filepath.Join(work, "out2"), "--keep-special-bits", "--same-owner")
	var res struct {
		Result struct {
			Refused []string `json:"refused"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != ExitPartial {
		t.Fatalf("exit %d, %v in %q (%s)", code, err, out, errOut)
	}
	sort.Strings(res.Result.Refused)
	if len(res.Result.Refused) != 2 || "    "+res.Result.Refused[0] != wantLines[0] || "    "+res.Result.Refused[1] != wantLines[1] {
		t.Errorf("JSON refused %q", res.Result.Refused)
	}
	if !strings.HasPrefix(errOut, "savepoint: 2 entries refused: ") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "src/evil: ") {
		t.Errorf("stderr %q", errOut)
	}
	fi, _ := os.Stat(filepath.Join(work, "out2/src/tool"))
	if fi.Mode() != 0o755|os.ModeSetuid {
		t.Errorf("tool restored as %v with --keep-special-bits", fi.Mode())
	}
	if uid, ok := testrepo.Owner(fi); ok && uid != os.Getuid() {
		t.Errorf("owner %d", uid)
	}

	code, _, errOut = r.run("restore", "latest", "--target", filepath.Join(work, "out3"), "--allow-outside-links")
	if code != 0 {
		t.Fatalf("with --allow-outside-links: exit %d %s", code, errOut)
	}
}

// The restore example of docs/json.md has the fields restore prints.
func TestRestoreJSONDoc(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(doctest.Under(t, "docs/json.md", "restore", "json")[0]), &doc); err != nil {
		t.Fatalf("docs/json.md restore example: %v", err)
	}
	r := newCLI(t)
	work := t.TempDir()
	testrepo.WriteFile(t, work, "d/f", []byte("x"))
	os.Symlink("/etc", filepath.Join(work, "d/evil"))
	t.Chdir(work)
	r.ok("save", "d")
	_, out, _ := r.run("--json", "restore", "latest", "--target", filepath.Join(work, "out"))
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if k1, k2 := jsonKeys(doc), jsonKeys(got); k1 != k2 {
		t.Fatalf("docs/json.md shows %s, restore prints %s", k1, k2)
	}
	if k1, k2 := jsonKeys(doc["result"].(map[string]any)), jsonKeys(got["result"].(map[string]any)); k1 != k2 {
		t.Fatalf("docs/json.md shows result %s, restore prints %s", k1, k2)
	}
	if _, ok := doc["result"].(map[string]any)["refused"].([]any)[0].(string); !ok {
		t.Fatal("docs/json.md: refused entries are strings")
	}
}

func jsonKeys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// The summary shown in docs/cli.md's Restore safety section is what
// restore prints for that snapshot (but for the ID and the elided lines).
func TestRestoreSafetyDoc(t *testing.T) {
	example := strings.Split(strings.TrimSpace(doctest.Under(t, "docs/cli.md", "Restore safety", "")[0]), "\n")
	r := newCLI(t)
	work := t.TempDir()
	testrepo.WriteFile(t, work, "venv/pyvenv.cfg", []byte("home = /usr/bin"))
	os.MkdirAll(filepath.Join(work, "venv/bin"), 0o755)
	os.Symlink("/usr/bin/python3", filepath.Join(work, "venv/bin/python"))
	t.Chdir(work)
	r.ok("save", "venv")
	code, out, errOut := r.run("restore", "latest", "--target", "out")
	if code != ExitPartial {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := strings.Split(strings.TrimSpace(out+errOut), "\n")
	for _, line := range example {
		switch {
		case strings.HasPrefix(line, "restored snapshot "):
			if !strings.HasPrefix(got[0], "restored snapshot ") || !strings.HasSuffix(got[0], " into out") {
				t.Errorf("first line %q", got[0])
			}
		case strings.TrimSpace(line) == "...":
		case !hasLine(got, line):
			t.Errorf("docs/cli.md shows %q; restore printed:\n%s", line, strings.Join(got, "\n"))
		}
	}
}

func hasLine(lines []string, l string) bool {
	for _, x := range lines {
		if x == l {
			return true
		}
	}
	return false
}

// Rollback's files step restores as restore does: special bits dropped by
// default, kept with --keep-special-bits.
func TestRollbackSpecialBits(t *testing.T) {
	r := newCLI(t)
	work := t.TempDir()
	testrepo.WriteFile(t, work, "bin/tool", []byte("#!/bin/sh"))
	tool := filepath.Join(work, "bin/tool")
	os.Chmod(tool, 0o755|os.ModeSetgid)
	t.Chdir(work)
	r.ok("checkpoint", "--name", "production", "bin")
	for _, c := range []struct {
		args []string
		want os.FileMode
	}{
		{nil, 0o755},
		{[]string{"--keep-special-bits"}, 0o755 | os.ModeSetgid},
	} {
		os.Remove(tool)
		r.ok(append([]string{"rollback", "--name", "production"}, c.args...)...)
		fi, err := os.Stat(tool)
		if err != nil {
			t.Fatalf("rollback %v: %v", c.args, err)
		}
		if fi.Mode() != c.want {
			t.Errorf("rollback %v: tool is %v, want %v", c.args, fi.Mode(), c.want)
		}
	}
}

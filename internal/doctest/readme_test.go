package doctest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/internal/testkdf"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestReadmeCLIExample runs the README's "60 seconds with the CLI" block
// line by line through the real command line (in-process), in a directory
// with a node_modules tree. The restore runs as on a fresh runner, in an
// empty directory, and must bring back the very tree that was saved.
func TestReadmeCLIExample(t *testing.T) {
	testkdf.Cheap()
	blocks, err := Blocks("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var script string
	for _, b := range blocks {
		if strings.HasPrefix(b.Heading, "60 seconds with the CLI") && b.Lang == "sh" {
			script = b.Text
		}
	}
	if script == "" {
		t.Fatal("README has no sh block under '60 seconds with the CLI'")
	}
	work, fresh := t.TempDir(), t.TempDir()
	testrepo.WriteFile(t, work, "node_modules/left-pad/index.js", []byte("module.exports = s => s"))
	testrepo.WriteFile(t, work, "node_modules/left-pad/package.json", []byte(`{"name":"left-pad","version":"1.3.0"}`))
	testrepo.WriteFile(t, work, "node_modules/.bin/tool", testrepo.Random(70<<10))
	testrepo.WriteFile(t, work, "node_modules/big/dist/bundle.js", testrepo.Random(600<<10))
	t.Chdir(work)
	env := map[string]string{}
	ran := 0
	for _, line := range strings.Split(script, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0, f[0] == "go": // `go install` is how users get the binary; the test has it in-process
		case f[0] == "export":
			for _, kv := range f[1:] {
				k, v, _ := strings.Cut(kv, "=")
				if strings.HasPrefix(v, "/tmp/") {
					v = filepath.Join(work, filepath.Base(v))
				}
				env[k] = v
				t.Setenv(k, v) // urfave/cli reads SAVEPOINT_REPOSITORY from the process
			}
		case f[0] == "savepoint":
			if f[1] == "restore" {
				t.Chdir(fresh) // a fresh runner: nothing of the saved tree on disk
			}
			var out, errb bytes.Buffer
			code := cli.Run(t.Context(), "doc", f[1:], cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
				Getenv: func(k string) string { return env[k] }})
			if code != 0 {
				t.Fatalf("%s: exit %d: %s", line, code, errb.String())
			}
			ran++
		default:
			t.Fatalf("unexpected line in the README example: %q", line)
		}
	}
	if ran < 4 {
		t.Fatalf("only %d savepoint commands ran", ran)
	}
	if _, err := os.Stat(filepath.Join(fresh, "node_modules")); err != nil {
		t.Fatalf("the restore in the example did not bring node_modules back: %v", err)
	}
	if d := testrepo.Equal(t, filepath.Join(work, "node_modules"), filepath.Join(fresh, "node_modules")); d != "" {
		t.Fatalf("node_modules restored into a fresh directory differs from the saved one: %s", d)
	}
}

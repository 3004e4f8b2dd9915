package doctest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestReadmeCLIExample runs the README's "60 seconds with the CLI" block
// line by line through the real command line (in-process), in a directory
// with a node_modules tree.
func TestReadmeCLIExample(t *testing.T) {
	crypto.ScryptN = 1 << 10
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
	work := t.TempDir()
	testrepo.WriteFile(t, work, "node_modules/left-pad/index.js", []byte("module.exports = s => s"))
	old, _ := os.Getwd()
	os.Chdir(work)
	defer os.Chdir(old)
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
			var out, errb bytes.Buffer
			code := cli.Run(context.Background(), "doc", f[1:], cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
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
	if b, err := os.ReadFile(filepath.Join(work, "node_modules/left-pad/index.js")); err != nil || !strings.Contains(string(b), "module.exports") {
		t.Fatal("the restore in the example did not bring node_modules back")
	}
}

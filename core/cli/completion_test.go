package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testenv"
)

// script writes `savepoint completion SHELL` to a file and returns its path.
func script(t *testing.T, shell string) string {
	t.Helper()
	code, out, errOut := runArgs(t, "v1", "completion", shell)
	if code != 0 || out == "" {
		t.Fatalf("completion %s: exit %d: %s", shell, code, errOut)
	}
	p := filepath.Join(t.TempDir(), "savepoint."+shell)
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func shellOutput(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// TestCompletionBash completes real command lines with the bash script.
func TestCompletionBash(t *testing.T) {
	p := script(t, "bash")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "target-dir-file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	complete := func(line string) []string {
		words := strings.Fields(line)
		if strings.HasSuffix(line, " ") {
			words = append(words, "")
		}
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, "'"+w+"'")
		}
		cmd := "source " + p + "; cd " + dir + "; COMP_WORDS=(" + strings.Join(quoted, " ") + "); COMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "; _savepoint; printf '%s\\n' \"${COMPREPLY[@]}\""
		return strings.Fields(shellOutput(t, "bash", "-c", cmd))
	}
	for line, want := range map[string]string{
		"savepoint sa":                        "save",
		"savepoint vers":                      "version",
		"savepoint --repo /r restore --ta":    "--target",
		"savepoint -r /r prune --gr":          "--grace",
		"savepoint prune --s3-end":            "--s3-endpoint",
		"savepoint restore --target targ":     "target-dir-file",
		"savepoint --password-file targ":      "target-dir-file",
		"savepoint save --name x --exclude-f": "--exclude-file",
	} {
		got := complete(line)
		if len(got) != 1 || got[0] != want {
			t.Errorf("%q completes to %q, want %q", line, got, want)
		}
	}
	if got := complete("savepoint prune --clock"); len(got) != 0 {
		t.Errorf("a hidden flag was offered: %q", got)
	}
}

// TestCompletionZsh loads the zsh script into zsh's completion system.
func TestCompletionZsh(t *testing.T) {
	zsh := testenv.Require(t, "SAVEPOINT_TEST_ZSH")
	p := script(t, "zsh")
	shellOutput(t, zsh, "-n", p)
	out := shellOutput(t, zsh, "-f", "-c", "autoload -U compinit && compinit -u -D && source "+p+" && print -r -- $_comps[savepoint]")
	if strings.TrimSpace(out) != "_savepoint" {
		t.Fatalf("the zsh script did not register _savepoint: %q", out)
	}
}

// TestCompletionFish asks fish for completions through the fish script.
func TestCompletionFish(t *testing.T) {
	fish := testenv.Require(t, "SAVEPOINT_TEST_FISH")
	p := script(t, "fish")
	shellOutput(t, fish, "--no-execute", p)
	out := shellOutput(t, fish, "--no-config", "-c", "source "+p+"; complete -C 'savepoint '")
	for _, cmd := range []string{"save\t", "restore\t", "version\t", "completion\t"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("fish does not offer %q:\n%s", strings.TrimSpace(cmd), out)
		}
	}
	out = shellOutput(t, fish, "--no-config", "-c", "source "+p+"; complete -C 'savepoint prune --gr'")
	if !strings.HasPrefix(out, "--grace") {
		t.Errorf("fish completes 'savepoint prune --gr' to %q", out)
	}
}

func TestCompletionUnknownShell(t *testing.T) {
	if code, _, errOut := runArgs(t, "v1", "completion", "tcsh"); code != ExitUsage || !strings.Contains(errOut, "bash, zsh or fish") {
		t.Fatalf("completion tcsh: exit %d, %q", code, errOut)
	}
}

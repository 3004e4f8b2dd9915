package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
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
		got := strings.Fields(shellOutput(t, "bash", "-c", cmd))
		sort.Strings(got)
		return got
	}
	for line, want := range nestedCases {
		if got := strings.Join(complete(line), " "); got != want {
			t.Errorf("%q completes to %q, want %q", line, got, want)
		}
	}
	for line, want := range map[string]string{
		"savepoint restore --target targ":         "target-dir-file",
		"savepoint --password-file targ":          "target-dir-file",
		"savepoint remote jobs start save targ":   "target-dir-file",
		"savepoint token create --repo x --role ": "target-dir-file",
	} {
		if got := strings.Join(complete(line), " "); got != want {
			t.Errorf("%q completes to %q, want %q", line, got, want)
		}
	}
	if got := complete("savepoint prune --clock"); len(got) != 0 {
		t.Errorf("a hidden flag was offered: %q", got)
	}
}

// nestedCases are command lines and what every shell completes them to:
// commands, subcommands at each depth, their own flags after global flags
// and flag values, and not the flags or subcommands of another level.
var nestedCases = map[string]string{
	"savepoint sa":                                     "save",
	"savepoint vers":                                   "version",
	"savepoint --repo /r restore --ta":                 "--target",
	"savepoint -r /r prune --gr":                       "--grace",
	"savepoint prune --s3-end":                         "--s3-endpoint",
	"savepoint save --name x --exclude-f":              "--exclude-file",
	"savepoint se":                                     "serve",
	"savepoint serve --tls-c":                          "--tls-cert",
	"savepoint token ":                                 "create list revoke",
	"savepoint token cr":                               "create",
	"savepoint token create --ro":                      "--role",
	"savepoint --repo /r token revoke --exp":           "",
	"savepoint remote ":                                "jobs schedules",
	"savepoint remote jobs ":                           "cancel list start status",
	"savepoint remote jobs sta":                        "start status",
	"savepoint --repo https://h/n remote jobs can":     "cancel",
	"savepoint remote jobs start --keep-l":             "--keep-last",
	"savepoint remote jobs start --name x --wa":        "--wait",
	"savepoint remote jobs list --al":                  "--all",
	"savepoint remote jobs list --cr":                  "",
	"savepoint remote schedules ":                      "add list remove",
	"savepoint remote schedules add --cr":              "--cron",
	"savepoint remote schedules add --cron x --keep-d": "--keep-daily",
}

// TestCompletionFlagKinds: the scripts skip the word after any flag that
// takes a value, whatever the command; that is right only while no flag
// name takes a value in one command and none in another.
func TestCompletionFlagKinds(t *testing.T) {
	kind := map[string]bool{}
	for _, n := range completionTree(NewApp("v1", Env{})) {
		for _, f := range n.flags {
			for _, name := range f.names {
				if v, ok := kind[name]; ok && v != f.value {
					t.Errorf("%s takes a value in one command and none in another (%q)", name, n.name())
				}
				kind[name] = f.value
			}
		}
	}
}

// TestCompletionZsh loads the zsh script into zsh's completion system and
// completes real command lines in an interactive zsh (zpty), recording the
// matches its compadd calls add.
func TestCompletionZsh(t *testing.T) {
	zsh := testenv.Require(t, "SAVEPOINT_TEST_ZSH")
	p := script(t, "zsh")
	shellOutput(t, zsh, "-n", p)
	out := shellOutput(t, zsh, "-f", "-c", "autoload -U compinit && compinit -u -D && source "+p+" && print -r -- $_comps[savepoint]")
	if strings.TrimSpace(out) != "_savepoint" {
		t.Fatalf("the zsh script did not register _savepoint: %q", out)
	}
	dir := t.TempDir()
	setup, drive := filepath.Join(dir, "setup.zsh"), filepath.Join(dir, "drive.zsh")
	if err := os.WriteFile(setup, []byte(fmt.Sprintf(zshSetup, p)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(drive, []byte(fmt.Sprintf(zshDrive, zsh, setup)), 0o644); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for line := range nestedCases {
		lines = append(lines, line)
	}
	out = shellOutput(t, zsh, append([]string{"-f", drive}, lines...)...)
	answers := strings.Split(out, "<LINE>")[1:]
	if len(answers) != len(lines) {
		t.Fatalf("zsh answered %d of %d lines:\n%s", len(answers), len(lines), out)
	}
	for i, line := range lines {
		var got []string
		for _, part := range strings.Split(answers[i], "<M>")[1:] {
			got = append(got, strings.TrimSpace(strings.SplitN(part, "\n", 2)[0]))
		}
		sort.Strings(got)
		if want := nestedCases[line]; strings.Join(got, " ") != want {
			t.Errorf("zsh completes %q to %q, want %q", line, got, want)
		}
	}
}

// zshSetup runs in the interactive zsh: no prompt, the completion system
// and the script (%s), compadd wrapped to print each match it adds after
// <M>, and TAB bound to completion followed by <END> and a cleared line.
const zshSetup = `PS1= PROMPT= RPROMPT=
autoload -U compinit && compinit -u -D
source %s
compadd() {
  setopt localoptions extendedglob
  if [[ ${(j: :)@} == *-[[:alpha:]]#[OAD]\ * ]]; then
    builtin compadd "$@"
    return
  fi
  local -a got
  builtin compadd -O got "$@"
  (( $#got )) && print -rl -- "" "<M>"${^got}
  builtin compadd "$@"
}
complete-and-mark() { zle complete-word; print -r -- "<END>"; zle kill-whole-line }
zle -N complete-and-mark
bindkey '^I' complete-and-mark
`

// zshDrive types each of its arguments and a TAB into one interactive zsh
// (%s) that sourced the setup (%s), and prints <LINE> and what came back
// up to <END> for each.
const zshDrive = `zmodload zsh/zpty
zpty z %s -f -i
zpty -w z "source %s"
for line in "$@"; do
  zpty -w -n z "$line"$'\t'
  zpty -r z out '*<END>*'
  print -r -- "<LINE>"
  print -r -- $out
done
zpty -d z
`

// TestCompletionFish asks fish for completions through the fish script.
func TestCompletionFish(t *testing.T) {
	fish := testenv.Require(t, "SAVEPOINT_TEST_FISH")
	p := script(t, "fish")
	shellOutput(t, fish, "--no-execute", p)
	out := shellOutput(t, fish, "--no-config", "-c", "source "+p+"; complete -C 'savepoint '")
	for _, cmd := range []string{"save\t", "restore\t", "serve\t", "token\t", "remote\t", "version\t", "completion\t"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("fish does not offer %q:\n%s", strings.TrimSpace(cmd), out)
		}
	}
	for line, want := range nestedCases {
		out := shellOutput(t, fish, "--no-config", "-c", "source "+p+"; complete -C '"+line+"'")
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if w, _, _ := strings.Cut(l, "\t"); w != "" {
				got = append(got, w)
			}
		}
		sort.Strings(got)
		if strings.Join(got, " ") != want {
			t.Errorf("fish completes %q to %q, want %q", line, got, want)
		}
	}
}

func TestCompletionUnknownShell(t *testing.T) {
	if code, _, errOut := runArgs(t, "v1", "completion", "tcsh"); code != ExitUsage || !strings.Contains(errOut, "bash, zsh or fish") {
		t.Fatalf("completion tcsh: exit %d, %q", code, errOut)
	}
}

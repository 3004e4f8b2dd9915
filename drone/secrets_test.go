package main

import (
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/mask"
)

// hardSecret holds quotes, a backslash, '%', a space, non-ASCII and HTML
// characters: each encoding (JSON, URL, base64) writes it differently.
const hardSecret = `p"a\ss 100%é<>?`

// TestHardSecretMasked: a password with awkward characters, printed by the
// CLI in every encoding (a command source's stderr) and recorded in the
// snapshot (its restore command, in the --json output), shows in none of
// the step's stdout, stderr or result.json.
func TestHardSecretMasked(t *testing.T) {
	ws := newWorkspace(t)
	var quoted []string
	for _, f := range mask.Forms(hardSecret) {
		quoted = append(quoted, "'"+f+"'")
	}
	env := map[string]string{"CI_WORKSPACE": ws, "PLUGIN_REPOSITORY": t.TempDir() + "/repo", "PLUGIN_PASSWORD": hardSecret,
		"PLUGIN_INIT": "true", "PLUGIN_COMMAND": "checkpoint", "PLUGIN_NAME": "production", "PLUGIN_PATHS": "src",
		"PLUGIN_COMMANDS":         "db=printf '%s\\n' " + strings.Join(quoted, " ") + " >&2; echo data",
		"PLUGIN_RESTORE_COMMANDS": "db=cat >/dev/null # " + hardSecret}
	r := step{dir: ws, env: env}.run(t).mustOK(t)
	r.noSecrets(t, mask.Forms(hardSecret)...)
	if n := strings.Count(r.stderr, mask.Replacement+"\n"); n < len(quoted) {
		t.Errorf("%d masked lines on stderr, want one per form printed:\n%s", n, r.stderr)
	}
	if !strings.Contains(r.resultRaw, `# `+mask.Replacement+`"`) {
		t.Errorf("the restore command is not in result.json, masked:\n%s", r.resultRaw)
	}
}

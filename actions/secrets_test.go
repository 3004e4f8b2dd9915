package main

import (
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/mask"
)

// hardSecret holds quotes, a backslash, '%', a space, non-ASCII and HTML
// characters: each encoding (JSON, URL, base64) writes it differently.
const hardSecret = `p"a\ss 100%é<>?`

// leakCommand is a command source that prints every form of secret on its
// standard error (which the CLI passes to the log) and names the secret in
// its own text (which the snapshot records and --json prints, escaped).
func leakCommand(secret string) string {
	var quoted []string
	for _, f := range mask.Forms(secret) {
		quoted = append(quoted, "'"+f+"'")
	}
	return "db=printf '%s\\n' " + strings.Join(quoted, " ") + " >&2; echo data"
}

// TestHardSecretMasked: a password with awkward characters, printed by the
// CLI in every encoding, shows in none of the log, the outputs, the step
// summary or the --json output the log and summary show, and each of its
// forms is registered with the runner's own masking.
func TestHardSecretMasked(t *testing.T) {
	workspace(t)
	repo := t.TempDir() + "/repo"
	f := newFakeEnv(t).inputs(map[string]string{"repository": repo, "password": hardSecret, "command": "checkpoint",
		"name": "production", "paths": "data", "commands": leakCommand(hardSecret), "restore_commands": "db=cat >/dev/null # " + hardSecret})
	f.mustRun("checkpoint", false)
	f.assertNoSecret(mask.Forms(hardSecret)...)
	n := 0
	for _, line := range strings.Split(f.log.String(), "\n") {
		if line == mask.Replacement {
			n++
		}
	}
	if n < len(mask.Forms(hardSecret)) {
		t.Errorf("%d masked lines in the log, want one per form printed:\n%s", n, f.log.String())
	}
	// A generic command: rollback --dry-run logs its JSON plan, which holds
	// the restore command (and so the secret, JSON-escaped).
	g := newFakeEnv(t).inputs(map[string]string{"repository": repo, "password": hardSecret, "command": "rollback",
		"name": "production", "dry_run": "true"})
	g.mustRun("rollback --dry-run", false)
	if !strings.Contains(g.log.String(), `"command": "cat \u003e/dev/null # `+mask.Replacement+`"`) {
		t.Fatalf("the plan is not in the log:\n%s", g.log.String())
	}
	g.assertNoSecret(mask.Forms(hardSecret)...)
}

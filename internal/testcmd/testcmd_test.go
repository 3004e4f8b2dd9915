package testcmd

import (
	"os/exec"
	"testing"
)

func TestRun(t *testing.T) {
	code, stdout, stderr := Run(t, exec.Command("sh", "-c", "echo out; echo err >&2; exit 3"))
	if code != 3 || stdout != "out\n" || stderr != "err\n" {
		t.Errorf("Run: exit %d, stdout %q, stderr %q; want 3, out, err", code, stdout, stderr)
	}
	if code, _, _ := Run(t, exec.Command("true")); code != 0 {
		t.Errorf("true: exit %d", code)
	}
}

//go:build !windows

package capture

import (
	"errors"
	"os/exec"
	"syscall"
	"time"
)

func isBrokenPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }

// killGroup makes cmd run in its own process group and, when its context
// is cancelled, kills the whole group: `sh -c 'pg_dump app | tee x'` leaves
// no orphan behind. WaitDelay bounds the wait for a grandchild that keeps
// the output pipes open.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 5 * time.Second
}

package capture

import (
	"errors"
	"os/exec"
	"syscall"
	"time"
)

// errNoData is ERROR_NO_DATA: the pipe is being closed.
const errNoData = syscall.Errno(232)

// isBrokenPipe: the reader of a pipe went away (Windows reports
// ERROR_BROKEN_PIPE or ERROR_NO_DATA where unix has EPIPE).
func isBrokenPipe(err error) bool {
	return errors.Is(err, syscall.ERROR_BROKEN_PIPE) || errors.Is(err, errNoData) || errors.Is(err, syscall.EPIPE)
}

// killGroup: Windows has no process groups to kill; when cmd's context is
// cancelled the command itself is killed (exec's default), and WaitDelay
// bounds the wait for a child it started that keeps the output pipes open.
func killGroup(cmd *exec.Cmd) {
	cmd.WaitDelay = 5 * time.Second
}

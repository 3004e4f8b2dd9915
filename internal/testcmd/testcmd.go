// Package testcmd runs commands for tests that check what a program exits
// with: an exit status is a result to look at, a command that could not
// run at all fails the test.
package testcmd

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// ExitCode returns the exit status of a command whose Run (or Wait)
// returned err: 0 for nil, the status of an *exec.ExitError. Any other
// error (the command did not start) fails the test.
func ExitCode(t testing.TB, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode()
	case err != nil:
		t.Fatalf("%v", err)
	}
	return 0
}

// Run runs cmd and returns its exit status (see ExitCode) and what it
// wrote to stdout and stderr; a command that does not start fails the
// test with its command line. Run sets cmd's Stdout and Stderr.
func Run(t testing.TB, cmd *exec.Cmd) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	return ExitCode(t, err), out.String(), errOut.String()
}

package plugin

import (
	"testing"

	"github.com/savepoint-ci/savepoint/core/cli"
)

// Every command the plugin accepts is a command of the CLI it runs.
func TestCommandsExistInCLI(t *testing.T) {
	app := cli.NewApp("test", cli.Env{})
	for _, c := range Commands {
		if app.Command(c) == nil {
			t.Errorf("the plugin accepts command %q, which the CLI lacks", c)
		}
	}
}

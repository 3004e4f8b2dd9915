package doctest

import "testing"

func TestIncludeName(t *testing.T) {
	for comp, want := range map[string]string{
		"$CI_SERVER_FQDN/savepoint-ci/components/save@1.0.0": "save",
		"gitlab.example.com/a/b/roll-back@~latest":           "roll-back",
		"save@1.0.0": "", "gitlab.example.com/a/save": "", "a/@1": "",
	} {
		if got := (Include{Component: comp}).Name(); got != want {
			t.Errorf("Name of %q = %q, want %q", comp, got, want)
		}
	}
}

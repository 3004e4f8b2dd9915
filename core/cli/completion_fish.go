package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// fishCompletion is a fish script. __savepoint_path walks the words typed
// so far as the bash script does and prints the command path (remote/jobs);
// each command's flags and subcommands are offered only at its path, the
// global flags everywhere. A command with subcommands completes no file
// names.
func fishCompletion(app *cli.App) string {
	tree := completionTree(app)
	var paths []string
	for _, n := range tree[1:] {
		paths = append(paths, fishQuote(strings.Join(n.path, "/")))
	}
	var b strings.Builder
	b.WriteString("# fish completion for savepoint (`savepoint completion fish`)\n")
	b.WriteString("function __savepoint_path\n    set -l words (commandline -opc)\n    set -e words[1]\n")
	b.WriteString("    set -l path\n    set -l skip 0\n    for w in $words\n")
	b.WriteString("        if test $skip = 1\n            set skip 0\n            continue\n        end\n")
	fmt.Fprintf(&b, "        switch $w\n            case %s\n                set skip 1\n", strings.Join(valueFlagNames(tree), " "))
	b.WriteString("            case '-*'\n            case '*'\n")
	fmt.Fprintf(&b, "                if contains -- (string join / $path $w) %s\n", strings.Join(paths, " "))
	b.WriteString("                    set path $path $w\n                end\n        end\n    end\n")
	b.WriteString("    string join / $path\nend\n\n")
	b.WriteString("function __savepoint_at\n    set -l p (__savepoint_path)\n    test \"$p\" = \"$argv[1]\"\nend\n\n")
	b.WriteString("complete -c savepoint -e\n")
	for _, f := range tree[0].flags {
		b.WriteString("complete -c savepoint" + fishFlag(f) + "\n")
	}
	for _, n := range tree {
		at := fmt.Sprintf(" -n '__savepoint_at %s'", fishQuote(strings.Join(n.path, "/")))
		if len(n.path) > 0 {
			for _, f := range n.flags {
				b.WriteString("complete -c savepoint" + at + fishFlag(f) + "\n")
			}
		}
		for _, s := range n.subs {
			fmt.Fprintf(&b, "complete -c savepoint%s -f -a %s -d %s\n", at, fishQuote(s.path[len(s.path)-1]), fishQuote(oneLineUsage(s.usage)))
		}
	}
	return b.String()
}

// fishFlag is the part of a complete line that describes f.
func fishFlag(f completionFlag) string {
	var s strings.Builder
	for _, l := range f.long {
		s.WriteString(" -l " + l)
	}
	for _, c := range f.short {
		s.WriteString(" -s " + c)
	}
	if f.value {
		s.WriteString(" -r")
	}
	if f.usage != "" {
		s.WriteString(" -d " + fishQuote(oneLineUsage(f.usage)))
	}
	return s.String()
}

// fishQuote single-quotes s for fish (” for the empty string).
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

// oneLineUsage is a usage text as a one-line description, without the
// backquotes that mark a flag's value name.
func oneLineUsage(s string) string {
	return strings.NewReplacer("`", "", "\n", " ").Replace(s)
}

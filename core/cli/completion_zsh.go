package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// zshSpecs are _arguments specs for flags: '(-n --name)'{-n,--name}'[usage]:value:_files'.
func zshSpecs(fs []completionFlag) []string {
	var out []string
	for _, f := range fs {
		usage := zshEscape(f.usage)
		suffix := ""
		if f.value {
			suffix = ":value:_files"
		}
		for _, n := range f.names {
			out = append(out, fmt.Sprintf("'%s[%s]%s'", n, usage, suffix))
		}
	}
	return out
}

// zshEscape makes s safe as a description inside a single-quoted
// _arguments spec or _describe entry: backslash before ':', '[' and ']'
// (which _arguments would read as separators), quotes closed and reopened.
func zshEscape(s string) string {
	return strings.NewReplacer("\\", "\\\\", ":", "\\:", "[", "\\[", "]", "\\]", "`", "", "\n", " ", "'", `'\''`).Replace(s)
}

// zshFunc names the function that completes below a command with
// subcommands: _savepoint, _savepoint_remote_jobs.
func zshFunc(n *completionNode) string {
	return strings.Join(append([]string{"_savepoint"}, n.path...), "_")
}

// zshCompletion works both from $fpath (file _savepoint) and when sourced.
// Every command with subcommands gets a function in git's style: the first
// word is one of its subcommands, the rest is handed to that subcommand's
// _arguments or function. $globals, set by _savepoint, is seen by all.
func zshCompletion(app *cli.App) string {
	tree := completionTree(app)
	var b strings.Builder
	b.WriteString("#compdef savepoint\n# zsh completion for savepoint (`savepoint completion zsh`)\n")
	for _, n := range tree {
		if len(n.subs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s() {\n  local curcontext=$curcontext state line\n  local -a commands\n", zshFunc(n))
		if len(n.path) == 0 {
			b.WriteString("  local -a globals\n  globals=(\n")
			for _, s := range zshSpecs(n.flags) {
				fmt.Fprintf(&b, "    %s\n", s)
			}
			b.WriteString("  )\n")
		}
		b.WriteString("  commands=(\n")
		for _, s := range n.subs {
			fmt.Fprintf(&b, "    '%s:%s'\n", s.path[len(s.path)-1], zshEscape(s.usage))
		}
		b.WriteString("  )\n")
		own := ""
		if len(n.path) > 0 {
			own = " " + strings.Join(zshSpecs(n.flags), " ")
		}
		fmt.Fprintf(&b, "  _arguments -C $globals%s '1:command:->command' '*::argument:->argument'\n", own)
		fmt.Fprintf(&b, "  case $state in\n    command) _describe -t commands '%s command' commands ;;\n", zshEscape(strings.Join(append([]string{"savepoint"}, n.path...), " ")))
		b.WriteString("    argument)\n      case $line[1] in\n")
		for _, s := range n.subs {
			name := s.path[len(s.path)-1]
			if len(s.subs) > 0 {
				fmt.Fprintf(&b, "        %s) %s ;;\n", name, zshFunc(s))
				continue
			}
			fmt.Fprintf(&b, "        %s) _arguments $globals %s '*:file:_files' ;;\n", name, strings.Join(zshSpecs(s.flags), " "))
		}
		b.WriteString("      esac ;;\n  esac\n}\n")
	}
	b.WriteString("\nif [ \"$funcstack[1]\" = _savepoint ]; then\n  _savepoint \"$@\"\nelse\n  compdef _savepoint savepoint\nfi\n")
	return b.String()
}

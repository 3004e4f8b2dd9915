package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// Shell completion scripts, generated from the app's commands and flags so
// they never drift from the CLI. Completion is static: commands, and each
// command's flags plus the global ones; values complete as file names.

// completionFlag is one visible flag as the scripts need it.
type completionFlag struct {
	names []string // "--name", "-n"
	value bool     // takes a value
	usage string
}

func visibleFlags(flags []cli.Flag) []completionFlag {
	var out []completionFlag
	for _, f := range flags {
		if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
			continue
		}
		cf := completionFlag{}
		for _, n := range f.Names() {
			if len(n) == 1 {
				cf.names = append(cf.names, "-"+n)
			} else {
				cf.names = append(cf.names, "--"+n)
			}
		}
		if d, ok := f.(cli.DocGenerationFlag); ok {
			cf.value, cf.usage = d.TakesValue(), d.GetUsage()
		}
		out = append(out, cf)
	}
	return out
}

func flagWords(fs []completionFlag) string {
	var w []string
	for _, f := range fs {
		w = append(w, f.names...)
	}
	return strings.Join(w, " ")
}

// valueFlags lists the flags that take a value, as a bash case pattern.
func valueFlags(fs []completionFlag) string {
	var w []string
	for _, f := range fs {
		if f.value {
			w = append(w, f.names...)
		}
	}
	sort.Strings(w)
	return strings.Join(w, "|")
}

// bashCompletion is a bash script defining _savepoint for `complete -F`.
func bashCompletion(app *cli.App) string {
	globals := visibleFlags(app.Flags)
	var b strings.Builder
	b.WriteString("# bash completion for savepoint (`savepoint completion bash`)\n")
	b.WriteString("_savepoint() {\n")
	b.WriteString("  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i\n")
	b.WriteString("  for ((i = 1; i < COMP_CWORD; i++)); do\n    case ${COMP_WORDS[i]} in\n")
	all := valueFlags(globals)
	for _, c := range app.VisibleCommands() {
		if v := valueFlags(visibleFlags(c.Flags)); v != "" {
			all += "|" + v
		}
	}
	fmt.Fprintf(&b, "      %s) ((i++)) ;;\n", dedupPattern(all))
	b.WriteString("      -*) ;;\n      *) cmd=${COMP_WORDS[i]}; break ;;\n    esac\n  done\n")
	fmt.Fprintf(&b, "  case $prev in\n    %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n  esac\n", dedupPattern(all))
	fmt.Fprintf(&b, "  local globals=%q words\n", flagWords(globals))
	b.WriteString("  case $cmd in\n")
	var names []string
	for _, c := range app.VisibleCommands() {
		names = append(names, c.Name)
		fmt.Fprintf(&b, "    %s) words=%q ;;\n", c.Name, flagWords(visibleFlags(c.Flags)))
	}
	fmt.Fprintf(&b, "    '') COMPREPLY=($(compgen -W %q -- \"$cur\")); [[ $cur == -* ]] && COMPREPLY=($(compgen -W \"$globals\" -- \"$cur\")); return ;;\n", strings.Join(names, " "))
	b.WriteString("  esac\n")
	b.WriteString("  if [[ $cur == -* ]]; then\n    COMPREPLY=($(compgen -W \"$words $globals\" -- \"$cur\"))\n")
	b.WriteString("  else\n    COMPREPLY=($(compgen -f -- \"$cur\"))\n  fi\n}\n")
	b.WriteString("complete -o filenames -F _savepoint savepoint\n")
	return b.String()
}

// dedupPattern removes repeated alternatives from a|b|a.
func dedupPattern(p string) string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.Split(p, "|") {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "|")
}

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

// zshCompletion works both from $fpath (file _savepoint) and when sourced.
func zshCompletion(app *cli.App) string {
	globals := zshSpecs(visibleFlags(app.Flags))
	var b strings.Builder
	b.WriteString("#compdef savepoint\n# zsh completion for savepoint (`savepoint completion zsh`)\n\n")
	b.WriteString("_savepoint() {\n  local curcontext=$curcontext state line\n  local -a commands globals\n  commands=(\n")
	for _, c := range app.VisibleCommands() {
		fmt.Fprintf(&b, "    '%s:%s'\n", c.Name, zshEscape(c.Usage))
	}
	b.WriteString("  )\n  globals=(\n")
	for _, s := range globals {
		fmt.Fprintf(&b, "    %s\n", s)
	}
	b.WriteString("  )\n")
	b.WriteString("  _arguments -C $globals '1:command:->command' '*::argument:->argument'\n")
	b.WriteString("  case $state in\n    command) _describe -t commands 'savepoint command' commands ;;\n")
	b.WriteString("    argument)\n      case $line[1] in\n")
	for _, c := range app.VisibleCommands() {
		fmt.Fprintf(&b, "        %s) _arguments $globals %s '*:file:_files' ;;\n", c.Name, strings.Join(zshSpecs(visibleFlags(c.Flags)), " "))
	}
	b.WriteString("      esac ;;\n  esac\n}\n\n")
	b.WriteString("if [ \"$funcstack[1]\" = _savepoint ]; then\n  _savepoint \"$@\"\nelse\n  compdef _savepoint savepoint\nfi\n")
	return b.String()
}

// fishCompletion is urfave/cli's fish script for the app.
func fishCompletion(app *cli.App) (string, error) {
	return app.ToFishCompletion()
}

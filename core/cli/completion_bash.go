package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// bashCompletion is a bash script defining _savepoint for `complete -F`.
// It walks the words typed so far: a word that names a subcommand of the
// path found so far extends it (savepoint remote jobs), the word after a
// flag that takes a value is skipped. Then a word starting with - completes
// as the path's flags and the global ones, another as the path's
// subcommands, or as a file name when it has none.
func bashCompletion(app *cli.App) string {
	tree := completionTree(app)
	values := strings.Join(valueFlagNames(tree), "|")
	var paths []string
	for _, n := range tree[1:] {
		paths = append(paths, n.name())
	}
	var b strings.Builder
	b.WriteString("# bash completion for savepoint (`savepoint completion bash`)\n")
	b.WriteString("_savepoint() {\n")
	b.WriteString("  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path= i w\n")
	fmt.Fprintf(&b, "  local paths='|%s|'\n", strings.Join(paths, "|"))
	b.WriteString("  for ((i = 1; i < COMP_CWORD; i++)); do\n    w=${COMP_WORDS[i]}\n    case $w in\n")
	fmt.Fprintf(&b, "      %s) ((i++)) ;;\n", values)
	b.WriteString("      -*) ;;\n")
	b.WriteString("      *) [[ $paths == *\"|${path:+$path }$w|\"* ]] && path=${path:+$path }$w ;;\n")
	b.WriteString("    esac\n  done\n")
	fmt.Fprintf(&b, "  case $prev in\n    %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n  esac\n", values)
	fmt.Fprintf(&b, "  local globals=%q words= subs=\n", flagWords(tree[0].flags))
	b.WriteString("  case $path in\n")
	fmt.Fprintf(&b, "    '') subs=%q ;;\n", subNames(tree[0])) // its flags are the globals
	for _, n := range tree[1:] {
		fmt.Fprintf(&b, "    '%s') words=%q subs=%q ;;\n", n.name(), flagWords(n.flags), subNames(n))
	}
	b.WriteString("  esac\n")
	b.WriteString("  if [[ $cur == -* ]]; then\n    COMPREPLY=($(compgen -W \"$words $globals\" -- \"$cur\"))\n")
	b.WriteString("  elif [[ -n $subs ]]; then\n    COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n")
	b.WriteString("  else\n    COMPREPLY=($(compgen -f -- \"$cur\"))\n  fi\n}\n")
	b.WriteString("complete -o filenames -F _savepoint savepoint\n")
	return b.String()
}

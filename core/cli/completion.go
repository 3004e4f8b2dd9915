package cli

import (
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// Shell completion scripts (completion_bash.go, completion_zsh.go,
// completion_fish.go), generated from the app's commands and flags so they
// never drift from the CLI. Completion is static: commands and their
// subcommands at any depth (token create, remote jobs start), each
// command's flags plus the global ones; values complete as file names.

// completionFlag is one visible flag as the scripts need it.
type completionFlag struct {
	names []string // "--name", "-n"
	long  []string // "name"
	short []string // "n"
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
				cf.names, cf.short = append(cf.names, "-"+n), append(cf.short, n)
			} else {
				cf.names, cf.long = append(cf.names, "--"+n), append(cf.long, n)
			}
		}
		if d, ok := f.(cli.DocGenerationFlag); ok {
			cf.value, cf.usage = d.TakesValue(), d.GetUsage()
		}
		out = append(out, cf)
	}
	return out
}

// completionNode is a command as the scripts see it: the words that lead to
// it (none for savepoint itself), its flags and its subcommands.
type completionNode struct {
	path  []string
	usage string
	flags []completionFlag // its own; the root's are the global flags
	subs  []*completionNode
}

func (n *completionNode) name() string { return strings.Join(n.path, " ") }

// completionTree is the app's visible commands, depth first, the root
// (savepoint itself, with the global flags) first.
func completionTree(app *cli.App) []*completionNode {
	root := &completionNode{usage: app.Usage, flags: visibleFlags(app.Flags)}
	out := []*completionNode{root}
	var add func(parent *completionNode, cmds []*cli.Command)
	add = func(parent *completionNode, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden {
				continue
			}
			n := &completionNode{path: append(append([]string(nil), parent.path...), c.Name), usage: c.Usage, flags: visibleFlags(c.Flags)}
			parent.subs = append(parent.subs, n)
			out = append(out, n)
			add(n, c.Subcommands)
		}
	}
	add(root, app.Commands)
	return out
}

// valueFlagNames lists, sorted and once each, the names of every flag of
// any command that takes a value: the scripts skip the word after one when
// they look for the command path.
func valueFlagNames(tree []*completionNode) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range tree {
		for _, f := range n.flags {
			if !f.value {
				continue
			}
			for _, name := range f.names {
				if !seen[name] {
					seen[name] = true
					out = append(out, name)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func flagWords(fs []completionFlag) string {
	var w []string
	for _, f := range fs {
		w = append(w, f.names...)
	}
	return strings.Join(w, " ")
}

func subNames(n *completionNode) string {
	var w []string
	for _, s := range n.subs {
		w = append(w, s.path[len(s.path)-1])
	}
	return strings.Join(w, " ")
}

package cli

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves a command's flags ahead of its positional arguments, so
// `savepoint restore latest --target DIR` works like
// `savepoint restore --target DIR latest` (urfave/cli v2 stops parsing flags
// at the first positional argument), and global flags given after the
// command (`savepoint init --repo R`) move before it. "--" ends flag processing.
func interspersed(app *cli.App, args []string) []string {
	// Skip global flags to find the command.
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "--" {
		if takesValue(app.Flags, args[i]) {
			i++
		}
		i++
	}
	if i >= len(args) {
		return args
	}
	cmd := app.Command(args[i])
	if cmd == nil {
		return args
	}
	// A command with subcommands (token create): the flags are the subcommand's.
	top := i
	for i+1 < len(args) && cmd.Command(args[i+1]) != nil {
		i++
		cmd = cmd.Command(args[i])
	}
	flags := append(append([]cli.Flag{}, cmd.Flags...), app.Flags...)
	var global, front, pos []string
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		if a == "--" {
			pos = append(pos, rest[j:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" && knownFlag(flags, a) {
			// Global flags given after the command go before it.
			dst := &front
			if !knownFlag(cmd.Flags, a) {
				dst = &global
			}
			*dst = append(*dst, a)
			if takesValue(flags, a) && j+1 < len(rest) {
				j++
				*dst = append(*dst, rest[j])
			}
			continue
		}
		pos = append(pos, a)
	}
	out := append([]string{}, args[:top]...)
	out = append(out, global...)
	out = append(out, args[top:i+1]...)
	out = append(out, front...)
	return append(out, pos...)
}

func flagName(arg string) (string, bool) {
	name := strings.TrimLeft(arg, "-")
	if k := strings.IndexByte(name, '='); k >= 0 {
		return name[:k], true
	}
	return name, false
}

func findFlag(flags []cli.Flag, arg string) cli.Flag {
	name, _ := flagName(arg)
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func knownFlag(flags []cli.Flag, arg string) bool { return findFlag(flags, arg) != nil }

// takesValue reports whether arg is a flag that consumes the next argument.
func takesValue(flags []cli.Flag, arg string) bool {
	if _, inline := flagName(arg); inline {
		return false
	}
	f := findFlag(flags, arg)
	if f == nil {
		return false
	}
	if _, ok := f.(*cli.BoolFlag); ok {
		return false
	}
	return true
}

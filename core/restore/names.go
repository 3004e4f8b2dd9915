package restore

import (
	"fmt"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// windowsNames: restore refuses the names Windows cannot hold or would
// confuse with another (names.go's rules), on Windows; tests turn it on
// elsewhere.
var windowsNames = runtime.GOOS == "windows"

// maxWindowsName is the longest name NTFS holds, in UTF-16 code units.
const maxWindowsName = 255

// windowsNameProblem says why name cannot be restored as one file name on
// Windows, or "": it holds a backslash, a drive or stream colon, a control
// character or another character Windows forbids, ends with the dot or
// space Windows drops, is a reserved device name (CON, PRN, AUX, NUL,
// COM1-9, LPT1-9, CONIN$, CONOUT$, with or without an extension), is not
// UTF-8 (two such names could become the same UTF-16 name) or is too long.
// What no system takes for a name ("", ".", "..", a slash) is not looked
// at again: an entry's name passed tree.Check, and a link target's
// components are split at "/" with those skipped. It is plain logic,
// tested on every system.
func windowsNameProblem(name string) string {
	if !utf8.ValidString(name) {
		return "name is not UTF-8, which Windows names must be"
	}
	for _, c := range name {
		switch {
		case c == '\\':
			return "name holds a path separator on Windows"
		case c == ':':
			return "name holds ':' (a drive or an alternate data stream on Windows)"
		case c < 0x20 || strings.ContainsRune(`<>"|?*`, c):
			return fmt.Sprintf("name holds %q, which Windows does not allow", c)
		}
	}
	if strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return "name ends with a dot or a space, which Windows drops"
	}
	if reservedOnWindows(name) {
		return "a reserved device name on Windows"
	}
	if len(utf16.Encode([]rune(name))) > maxWindowsName {
		return fmt.Sprintf("name longer than %d UTF-16 units, the most Windows holds", maxWindowsName)
	}
	return ""
}

// reservedOnWindows: name is a device name once its extension and the
// spaces before it are ignored ("nul.txt", "Com1 .log"): reserved on
// every Windows before 11, and still for some names on 11.
func reservedOnWindows(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) < 4 || base[:3] != "COM" && base[:3] != "LPT" {
		return false
	}
	switch base[3:] {
	case "1", "2", "3", "4", "5", "6", "7", "8", "9", "\u00b9", "\u00b2", "\u00b3":
		return true
	}
	return false
}

// windowsEntryProblem says why the entry at p (its last name is name)
// cannot be restored on Windows, or "": its name (windowsNameProblem), or
// its path names the same file as an entry seen before once case is
// ignored, as Windows file systems do ("Makefile" and "makefile"). seen
// maps the case-folded paths of the entries restored so far to their
// paths; p is added to it.
func windowsEntryProblem(seen map[string]string, p, name string) string {
	if why := windowsNameProblem(name); why != "" {
		return why
	}
	key := foldCase(p)
	if other, ok := seen[key]; ok {
		return fmt.Sprintf("same name as %s once case is ignored, as Windows does", other)
	}
	seen[key] = p
	return ""
}

// windowsLinkProblem says why a symbolic link's target cannot be checked
// on Windows, or "": a component Windows would read as a drive, a
// separator, a stream or a device, not as a name of the tree.
func windowsLinkProblem(dest string) string {
	for _, comp := range strings.Split(dest, "/") {
		switch comp {
		case "", ".", "..":
			continue
		}
		if why := windowsNameProblem(comp); why != "" {
			return "symlink target " + why
		}
	}
	return ""
}

// foldCase maps every rune of s to the smallest rune of its case-folding
// orbit (k, K and the Kelvin sign K all become K): two names equal after
// foldCase are the same name to a file system that ignores case. It folds
// at least as much as Windows' upcase table, so it never misses a clash.
func foldCase(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

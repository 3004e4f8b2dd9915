package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// flagText is a command-line flag in a text: "--name".
var flagText = regexp.MustCompile("(^|[\\s(`'\"])--[a-z][a-z0-9-]+")

// TestCoreNamesNoFlags: the core's texts (errors, answers, reasons) name
// no flag of the command line; the core returns sentinels and this
// package adds the flag to set (withHint, issue 22). Comments may name
// them.
func TestCoreNamesNoFlags(t *testing.T) {
	core := ".."
	err := filepath.WalkDir(core, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path == filepath.Join(core, "cli") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && flagText.MatchString(lit.Value) {
				t.Errorf("%s: %s names a flag", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

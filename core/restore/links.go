package restore

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/savepoint-ci/savepoint/core/tree"
)

// linkCheck decides whether a symbolic link stays beneath the target. It
// resolves the link's target the way the kernel will once the restore is
// done: component by component from the link's directory, following the
// tree's own links and any link already in the target (readlink), and
// "..": physically, from where the links led. A target that is absolute
// or rises above the target directory at any step leads outside.
type linkCheck struct {
	links map[string]string // the tree's links, by path
	dirs  map[string]bool   // the tree's directories: known not to be links
	// readlink looks a path up in the target (nil: the tree alone).
	readlink func(rel string) (string, bool, error)
	// strict (Windows) refuses targets holding a name Windows reads as a
	// drive, a stream or a device (windowsLinkProblem), and lets ".." go
	// up only from a directory of the tree, and not after a link of the
	// same target was followed: Windows takes ".." by name (a link's
	// target replaces the link's name in the path, which is then
	// cleaned), not from where the link led, and one name may stand for
	// another there (its case, an 8.3 short name) that the tree does not
	// show.
	strict bool
}

const (
	maxHops     = 40      // links followed in one resolution, as Linux's MAXSYMLINKS
	checkBudget = 1 << 20 // bytes of path looked up to check one link
)

var (
	errOutside  = errors.New("outside")
	errHops     = errors.New("hops")
	errTooLarge = errors.New("too large")
	errUpUnsure = errors.New("up unsure")
)

func newLinkCheck(items []item, readlink func(string) (string, bool, error)) *linkCheck {
	c := &linkCheck{links: map[string]string{}, dirs: map[string]bool{}, readlink: readlink, strict: windowsNames}
	for _, it := range items {
		switch it.node.Type {
		case tree.Symlink:
			c.links[it.rel] = it.node.Target
		case tree.Dir:
			c.dirs[it.rel] = true
		}
	}
	return c
}

// refusal returns why the link at rel pointing to dest must not be
// restored without Options.AllowOutsideLinks, or "" if it stays beneath;
// outside reports that AllowOutsideLinks would restore it.
func (c *linkCheck) refusal(rel, dest string) (why string, outside bool) {
	if c.strict {
		if why := windowsLinkProblem(dest); why != "" {
			return why + " (-> " + tree.Printable(dest) + ")", true
		}
	}
	res := resolution{c: c}
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		res.buf = append(res.buf, rel[:i]...)
	}
	err := res.walk(dest)
	shown := " (-> " + tree.Printable(dest) + ")"
	if res.via != "" {
		shown = " (-> " + tree.Printable(dest) + ", through link " + tree.PrintablePath(res.via) + ")"
	}
	switch {
	case err == nil:
		return "", false
	case errors.Is(err, errOutside):
		return "symlink leads outside the target" + shown, true
	case errors.Is(err, errHops):
		return fmt.Sprintf("symlink resolves through more than %d links%s", maxHops, shown), true
	case errors.Is(err, errTooLarge):
		return "symlink too deep to check" + shown, true
	case errors.Is(err, errUpUnsure):
		return "symlink goes up (..) through a link or a name that is not a directory of the tree, which Windows may resolve elsewhere" + shown, true
	default:
		return "symlink could not be checked" + shown + ": " + err.Error(), false
	}
}

// resolution is one link's walk: buf is the path reached so far, relative
// to the target ("" is the target itself).
type resolution struct {
	c    *linkCheck
	buf  []byte
	hops int
	work int
	via  string // the last link followed
}

func (s *resolution) walk(dest string) error {
	if strings.HasPrefix(dest, "/") {
		return errOutside
	}
	followed := false // a link of dest was followed: its ".." are unsure on Windows
	for dest != "" {
		var comp string
		comp, dest, _ = strings.Cut(dest, "/")
		switch comp {
		case "", ".":
			continue
		case "..":
			if len(s.buf) == 0 {
				return errOutside
			}
			if s.c.strict && (followed || !s.c.dirs[string(s.buf)]) {
				return errUpUnsure
			}
			s.buf = s.buf[:max(bytes.LastIndexByte(s.buf, '/'), 0)]
			continue
		}
		n := len(s.buf)
		if n > 0 {
			s.buf = append(s.buf, '/')
		}
		s.buf = append(s.buf, comp...)
		if s.work += len(s.buf); s.work > checkBudget {
			return errTooLarge
		}
		next, isLink, err := s.c.link(s.buf)
		if err != nil {
			return err
		}
		if isLink {
			if s.hops++; s.hops > maxHops {
				return errHops
			}
			s.via = string(s.buf)
			s.buf = s.buf[:n]
			followed = true
			if err := s.walk(next); err != nil {
				return err
			}
		}
	}
	return nil
}

// link reports whether p will be a symbolic link, and its target.
func (c *linkCheck) link(p []byte) (string, bool, error) {
	if dest, ok := c.links[string(p)]; ok {
		return dest, true, nil
	}
	if c.dirs[string(p)] || c.readlink == nil {
		return "", false, nil
	}
	return c.readlink(string(p))
}

// makeLinks creates the tree's links, last, so that nothing is ever
// written through one; each is checked first unless AllowOutsideLinks.
func (r *restorer) makeLinks(links, items []item) error {
	var check *linkCheck
	if !r.opts.AllowOutsideLinks && len(links) > 0 {
		check = newLinkCheck(items, r.t.readlink)
	}
	for _, it := range links {
		if check != nil {
			if why, outside := check.refusal(it.rel, it.node.Target); why != "" {
				r.record(Refusal{Path: tree.PrintablePath(it.rel), Reason: why, OutsideLink: outside})
				continue
			}
		}
		if err := r.makeLink(it); err != nil {
			return err
		}
	}
	return nil
}

// Command imagebuild assembles savepoint's container images without a
// Docker engine, the way ko does: it starts from an empty image, appends
// layers (CA certificates, optionally a static busybox, the static
// savepoint and savepoint-action binaries, or the Drone/Woodpecker plugin),
// sets the config (exec-form entrypoint, labels, env, root user) and writes
// an OCI image layout with multi-platform image indexes "minimal", "shell"
// (for platforms given a busybox) and "plugin" (when savepoint-plugin was
// built), the targets the Dockerfile builds. `make image` runs it.
//
//	imagebuild -out bin/image -version v1.0.0 \
//	  -platform linux/amd64=bin/linux-amd64 -platform linux/arm64=bin/linux-arm64 \
//	  -busybox linux/amd64=/bin/busybox
//
// The layout can be pushed with `crane push bin/image ghcr.io/...` or
// loaded with `skopeo copy oci:bin/image:minimal docker-daemon:...`.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "imagebuild: "+err.Error())
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("imagebuild", flag.ContinueOnError)
	var o options
	var platforms, busyboxes multiFlag
	fs.StringVar(&o.out, "out", "bin/image", "OCI layout `DIR` to write (replaced)")
	fs.StringVar(&o.version, "version", "dev", "version label")
	fs.StringVar(&o.revision, "revision", "", "source revision label (git commit)")
	fs.StringVar(&o.source, "source", "https://github.com/savepoint-ci/savepoint", "source repository label (links a ghcr.io package to its repository)")
	fs.StringVar(&o.caBundle, "ca", "/etc/ssl/certs/ca-certificates.crt", "CA certificate bundle to install")
	fs.Var(&platforms, "platform", "`OS/ARCH=DIR`: DIR holds savepoint and savepoint-action (and optionally savepoint-plugin) built for OS/ARCH (repeatable)")
	fs.Var(&busyboxes, "busybox", "`OS/ARCH=FILE`: a static busybox for OS/ARCH; platforms with one also get the shell image (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(platforms) == 0 {
		return fmt.Errorf("no -platform given")
	}
	o.created = time.Unix(0, 0).UTC()
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH=%q: not a number of seconds", s)
		}
		o.created = time.Unix(n, 0).UTC()
	}
	bb := map[string]string{}
	for _, b := range busyboxes {
		plat, file, ok := strings.Cut(b, "=")
		if !ok {
			return fmt.Errorf("-busybox %q: want OS/ARCH=FILE", b)
		}
		bb[plat] = file
	}
	for _, p := range platforms {
		plat, dir, ok := strings.Cut(p, "=")
		if !ok {
			return fmt.Errorf("-platform %q: want OS/ARCH=DIR", p)
		}
		pl, err := parsePlatform(plat)
		if err != nil {
			return err
		}
		o.platforms = append(o.platforms, platformFiles{platform: pl, binDir: dir, busybox: bb[plat]})
		delete(bb, plat)
	}
	for plat := range bb {
		return fmt.Errorf("-busybox for %s, which has no -platform", plat)
	}
	return build(o)
}

//go:build unix

// Command scale is the scale benchmark (make scale, docs/performance.md):
// it generates a tree of many small files and one large incompressible
// file (internal/benchdata, nothing checked in), saves and restores each
// with the savepoint binary into a local repository, compares what was
// restored with the generator, and prints each step's wall time, CPU time
// and peak RSS. It deletes everything it wrote when it ends.
//
//	go run ./bench/scale -files 1000000 -big 10GB -dir /var/tmp/scale
//
// It measures through getrusage and process groups: unix only.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/savepoint-ci/savepoint/internal/benchdata"
)

func main() {
	dir := flag.String("dir", filepath.Join(os.TempDir(), "savepoint-scale"), "working `DIR` (created, removed at the end)")
	files := flag.Int("files", 1_000_000, "small files to generate")
	bigArg := flag.String("big", "10GB", "size of the incompressible file (0: none)")
	bin := flag.String("bin", "bin/savepoint", "the savepoint binary to measure")
	flag.Parse()
	big, err := parseSize(*bigArg)
	if err == nil {
		err = run(*dir, *bin, *files, big)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

// step is one measured step.
type step struct {
	name      string
	wall, cpu time.Duration
	rssMiB    int64 // 0: not a savepoint process
}

type bench struct {
	dir, bin string
	steps    []step
}

func run(dir, bin string, files int, big int64) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%v (run make build first)", err)
	}
	// The small files take a 4 KiB block each, twice (source and restore);
	// the large file twice too (the repository and the restore: the source
	// is deleted before the restore, which is compared with the generator).
	need := int64(files)*2*4096 + big*2 + 2<<30
	if free, err := freeBytes(filepath.Dir(dir)); err != nil || free < need {
		return fmt.Errorf("%s has %d GiB free, the benchmark needs %d GiB (err: %v)", filepath.Dir(dir), free>>30, need>>30, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b := &bench{dir: dir, bin: bin}
	if err := b.savepoint("savepoint init", "init"); err != nil {
		return err
	}
	if files > 0 {
		if err := b.smallFiles(files); err != nil {
			return err
		}
	}
	if big > 0 {
		if err := b.bigFile(big); err != nil {
			return err
		}
	}
	b.report(files, big)
	return nil
}

func (b *bench) smallFiles(files int) error {
	tree := filepath.Join(b.dir, "tree")
	if err := b.timed(fmt.Sprintf("generate %d small files", files), func() error { return benchdata.SmallFiles(tree, files) }); err != nil {
		return err
	}
	if err := b.savepoint(fmt.Sprintf("save %d small files (cold)", files), "save", "--name", "small", "tree"); err != nil {
		return err
	}
	if err := b.savepoint("save them again (unchanged, new process)", "save", "--name", "small", "tree"); err != nil {
		return err
	}
	return b.restoreAndCompare(tree, "small", "restore the small files", func(target string) error {
		return compareSmall(filepath.Join(target, "tree"), files)
	})
}

func (b *bench) bigFile(size int64) error {
	src := filepath.Join(b.dir, "big")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	const seed = 10
	label := fmt.Sprintf("generate one %.1f GiB incompressible file", float64(size)/(1<<30))
	if err := b.timed(label, func() error { return benchdata.WriteRandomFile(filepath.Join(src, "data.bin"), seed, size) }); err != nil {
		return err
	}
	if err := b.savepoint("save the large file (cold)", "save", "--name", "big", "big"); err != nil {
		return err
	}
	return b.restoreAndCompare(src, "big", "restore the large file", func(target string) error {
		return benchdata.SameAsStream(filepath.Join(target, "big", "data.bin"), benchdata.RandomStream(seed, size))
	})
}

// restoreAndCompare deletes the saved tree src (the restore cannot read
// from it, and its blocks are free again), restores snapshot name:latest
// into a new directory (timed as label), compares that with the generator
// and deletes it.
func (b *bench) restoreAndCompare(src, name, label string, compare func(target string) error) error {
	if err := os.RemoveAll(src); err != nil {
		return err
	}
	target := filepath.Join(b.dir, "restored-"+name)
	if err := b.savepoint(label, "restore", name+":latest", "--target", target); err != nil {
		return err
	}
	if err := b.timed("compare with the generator", func() error { return compare(target) }); err != nil {
		return err
	}
	return os.RemoveAll(target)
}

// compareSmall checks that dir holds exactly files 0..n-1 of the small-files
// tree, byte for byte, and nothing else.
func compareSmall(dir string, n int) error {
	for i := 0; i < n; i++ {
		sub, name, want := benchdata.SmallFile(i)
		got, err := os.ReadFile(filepath.Join(dir, sub, name))
		if err != nil {
			return err
		}
		if string(got) != string(want) {
			return fmt.Errorf("%s/%s differs from the generated file", sub, name)
		}
	}
	count := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			count++
		}
		return err
	})
	if err == nil && count != n {
		err = fmt.Errorf("%d files restored, want %d", count, n)
	}
	return err
}

// savepoint runs the binary in the working directory against its
// repository and records the step.
func (b *bench) savepoint(label string, args ...string) error {
	cmd := exec.Command(b.bin, append([]string{"--quiet"}, args...)...)
	cmd.Dir = b.dir
	cmd.Env = append(os.Environ(), "SAVEPOINT_REPOSITORY="+filepath.Join(b.dir, "repo"), "SAVEPOINT_PASSWORD=scale-benchmark")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return fmt.Errorf("savepoint %v: %w", args, err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return errors.New("no resource usage for the child")
	}
	s := step{name: label, wall: wall, rssMiB: ru.Maxrss >> 10,
		cpu: time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))}
	b.add(s)
	return nil
}

// timed runs fn in this process and records the step (no RSS: the
// harness's own).
func (b *bench) timed(label string, fn func() error) error {
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	if err := fn(); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := syscall.TimevalToNsec(after.Utime) + syscall.TimevalToNsec(after.Stime) -
		syscall.TimevalToNsec(before.Utime) - syscall.TimevalToNsec(before.Stime)
	b.add(step{name: label, wall: time.Since(start), cpu: time.Duration(cpu)})
	return nil
}

func (b *bench) add(s step) {
	b.steps = append(b.steps, s)
	rss := "-"
	if s.rssMiB > 0 {
		rss = fmt.Sprintf("%d MiB", s.rssMiB)
	}
	fmt.Printf("%-55s wall %8.1f s  CPU %8.1f s  peak RSS %s\n", s.name, s.wall.Seconds(), s.cpu.Seconds(), rss)
}

// report prints the steps as the table docs/performance.md shows.
func (b *bench) report(files int, big int64) {
	fmt.Printf("\n%d small files, one file of %d bytes\n\n", files, big)
	fmt.Println("| step | wall s | CPU s | peak RSS MiB |")
	fmt.Println("|---|---|---|---|")
	for _, s := range b.steps {
		rss := ""
		if s.rssMiB > 0 {
			rss = fmt.Sprint(s.rssMiB)
		}
		fmt.Printf("| %s | %.1f | %.1f | %s |\n", s.name, s.wall.Seconds(), s.cpu.Seconds(), rss)
	}
}

func freeBytes(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// parseSize reads 10GiB, 500MiB, 1GB or a number of bytes.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	for _, u := range units {
		if len(s) > len(u.suffix) && s[len(s)-len(u.suffix):] == u.suffix {
			var n float64
			if _, err := fmt.Sscan(s[:len(s)-len(u.suffix)], &n); err != nil {
				return 0, fmt.Errorf("size %q: %v", s, err)
			}
			return int64(n * float64(u.mult)), nil
		}
	}
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		return 0, fmt.Errorf("size %q: give bytes or a unit (GiB, MiB, GB, MB)", s)
	}
	return n, nil
}

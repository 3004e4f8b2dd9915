package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// A dotenv file holds a command's results as KEY=value lines, the format CI
// systems read to pass values to later jobs (GitLab's artifacts:reports:dotenv,
// `set -a; . FILE` anywhere else). It holds IDs and statistics only, never a
// secret, one line per key, no quoting, at most dotenvMaxBytes in all and
// dotenvMaxKeys keys (GitLab's smallest plan passes 20 variables on).
const (
	dotenvMaxBytes = 5 << 10
	dotenvMaxKeys  = 20
)

// dotenvFlags are the result-file flags, global so that every command that
// produces a result (save, restore, and later checkpoint and rollback)
// honours them.
func dotenvFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "dotenv", EnvVars: []string{"SAVEPOINT_DOTENV"},
			Usage: "also write the result as KEY=value lines (SAVEPOINT_SNAPSHOT_ID, SAVEPOINT_BYTES_NEW...) to `FILE`"},
	}
}

// kv is an ordered list of dotenv entries.
type kv [][2]string

func (p *kv) add(k, v string)          { *p = append(*p, [2]string{k, v}) }
func (p *kv) addInt(k string, v int64) { p.add(k, strconv.FormatInt(v, 10)) }

// snapshotIdentityDotenv is what every dotenv about a snapshot starts with:
// its ID (long and short), name and time.
func snapshotIdentityDotenv(s *snapshot.Snapshot) kv {
	var e kv
	e.add("SAVEPOINT_SNAPSHOT_ID", s.ID.String())
	e.add("SAVEPOINT_SNAPSHOT_SHORT_ID", s.ID.Short())
	e.add("SAVEPOINT_SNAPSHOT_NAME", s.Name)
	e.add("SAVEPOINT_SNAPSHOT_TIME", s.Time.UTC().Format("2006-01-02T15:04:05Z"))
	return e
}

// snapshotDotenv is the dotenv form of a saved snapshot.
func snapshotDotenv(s *snapshot.Snapshot) kv {
	e := snapshotIdentityDotenv(s)
	if s.Parent != nil {
		e.add("SAVEPOINT_PARENT_ID", s.Parent.String())
	}
	e.add("SAVEPOINT_CHECKPOINT", strconv.FormatBool(s.Checkpoint))
	e.add("SAVEPOINT_PARTIAL", strconv.FormatBool(s.Partial))
	st := s.Stats
	e.addInt("SAVEPOINT_FILES", st.Files)
	e.addInt("SAVEPOINT_DIRS", st.Dirs)
	e.addInt("SAVEPOINT_FILES_UNCHANGED", st.FilesUnchanged)
	e.addInt("SAVEPOINT_BYTES_SCANNED", st.BytesScanned)
	e.addInt("SAVEPOINT_BYTES_READ", st.BytesRead)
	e.addInt("SAVEPOINT_BYTES_NEW", st.BytesNew)
	e.addInt("SAVEPOINT_BYTES_STORED", st.BytesStored)
	e.addInt("SAVEPOINT_ERRORS", st.Errors)
	e.add("SAVEPOINT_DEDUP_RATIO", strconv.FormatFloat(round2(st.DedupRatio()), 'f', 2, 64))
	e.add("SAVEPOINT_DURATION_SECONDS", strconv.FormatFloat(st.DurationSec, 'f', 2, 64))
	e.addInt("SAVEPOINT_REQUESTS", int64(st.Requests.Total()))
	return e
}

// snapshotRefDotenv names a snapshot that was put back (restore, rollback):
// its ID, name and where it came from.
func snapshotRefDotenv(s *snapshot.Snapshot) kv {
	e := snapshotIdentityDotenv(s)
	e.add("SAVEPOINT_CHECKPOINT", strconv.FormatBool(s.Checkpoint))
	e.add("SAVEPOINT_SNAPSHOT_COMMIT", s.Provenance["commit"])
	e.add("SAVEPOINT_SNAPSHOT_PIPELINE_URL", s.Provenance["pipeline_url"])
	return e
}

// restoreDotenv is the dotenv form of a restore.
func restoreDotenv(s *snapshot.Snapshot, target string, r restore.Result) kv {
	e := snapshotRefDotenv(s)
	e.add("SAVEPOINT_RESTORE_TARGET", target)
	e.addInt("SAVEPOINT_RESTORED_FILES", r.Files)
	e.addInt("SAVEPOINT_RESTORED_DIRS", r.Dirs)
	e.addInt("SAVEPOINT_RESTORED_SYMLINKS", r.Symlinks)
	e.addInt("SAVEPOINT_RESTORED_BYTES", r.Bytes)
	e.addInt("SAVEPOINT_REFUSED", int64(len(r.Refused)))
	e.add("SAVEPOINT_DURATION_SECONDS", strconv.FormatFloat(r.DurationSec, 'f', 2, 64))
	e.addInt("SAVEPOINT_REQUESTS", int64(r.Requests.Total()))
	return e
}

// encodeDotenv renders entries as KEY=value lines. Empty values are left
// out (some readers reject KEY=); line breaks and NULs in values become
// spaces so that one key is always one line.
func encodeDotenv(e kv) ([]byte, error) {
	var b strings.Builder
	n := 0
	for _, p := range e {
		v := strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == 0 {
				return ' '
			}
			return r
		}, p[1])
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		b.WriteString(p[0] + "=" + v + "\n")
		n++
	}
	if n > dotenvMaxKeys {
		return nil, fmt.Errorf("dotenv result has %d keys, more than %d", n, dotenvMaxKeys)
	}
	if b.Len() > dotenvMaxBytes {
		return nil, fmt.Errorf("dotenv result is %d bytes, more than %d", b.Len(), dotenvMaxBytes)
	}
	return []byte(b.String()), nil
}

// writeDotenv writes e to the --dotenv file, if one was asked for. The file
// is replaced atomically so a reader never sees half of it.
func writeDotenv(g *Globals, e kv) error {
	path := g.Dotenv
	if path == "" {
		return nil
	}
	data, err := encodeDotenv(e)
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("dotenv file: %v", unwrapPath(err))
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("dotenv file: %v", unwrapPath(err))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("dotenv file: %v", unwrapPath(err))
	}
	return nil
}

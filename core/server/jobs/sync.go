package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/forget"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
)

// SyncSource is where a sync job pulls from: a repository on another
// savepoint server, with a read token and the repository's password, both
// in files on this server's host. The API holds and shows the paths only;
// the files are read when the job runs, so neither secret is ever stored
// in a job's record, echoed or logged.
type SyncSource struct {
	Repo         string `json:"repo" doc:"The source repository, https://HOST[:PORT]/NAME on another savepoint server (http:// to a loopback host only)"`
	TokenFile    string `json:"token_file" doc:"Absolute path, on this server's host, of a file holding a read token of the source server (read when the job runs; never shown or logged)"`
	PasswordFile string `json:"password_file" doc:"Absolute path, on this server's host, of a file holding the source repository's password"`
	CAFile       string `json:"ca_file,omitempty" doc:"PEM file of CA certificates to trust for the source server"`
}

// SyncResult is what a sync job did.
type SyncResult struct {
	Source string `json:"source" doc:"The source repository's URL"`
	// Selected counts the source snapshots the job's selection named;
	// Copied those it copied, Present those the destination had already.
	Selected int      `json:"selected"`
	Copied   []string `json:"copied" doc:"IDs, in this repository, of the snapshots copied"`
	Present  int      `json:"present" doc:"Selected snapshots this repository holds already (skipped)"`
	Older    int      `json:"older,omitempty" doc:"With keep: selected snapshots older than this repository's newest of their name, not copied (retention here may have forgotten them)"`
	// Bytes is what the pull added to this repository: the stored size
	// of the blobs it lacked (savepoint_sync_bytes_total); BytesRead what
	// it fetched from the source's packs for them.
	Bytes     int64          `json:"bytes" doc:"Stored bytes of the blobs this repository lacked, written here"`
	Blobs     int64          `json:"blobs" doc:"Blobs written here"`
	BytesRead int64          `json:"bytes_read" doc:"Stored bytes fetched from the source's packs"`
	Forget    *forget.Result `json:"forget,omitempty" doc:"The retention applied after the pull (with keep)"`
}

// checkSync says what is wrong with a sync job's options.
func (s Spec) checkSync() error {
	f := s.From
	if f.Repo == "" || f.TokenFile == "" || f.PasswordFile == "" {
		return fmt.Errorf("give from.repo, from.token_file and from.password_file")
	}
	if _, _, err := remote.ParseURL(f.Repo); err != nil {
		return fmt.Errorf("from.repo: %v", err)
	}
	for _, p := range []string{f.TokenFile, f.PasswordFile, f.CAFile} {
		if p != "" && !filepath.IsAbs(p) {
			return fmt.Errorf("%q is not absolute (files are on the server host)", p)
		}
	}
	if (s.Latest > 0) == s.All {
		return fmt.Errorf("give latest K or all")
	}
	if s.DryRun {
		return fmt.Errorf("a sync has no dry run")
	}
	return nil
}

// readSecret reads a one-line secret file; its content never appears in
// an error.
func readSecret(path, what string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the %s file: %v: %w", what, err, storage.ErrInvalid)
	}
	v := strings.TrimRight(string(data), "\r\n")
	if strings.TrimSpace(v) == "" {
		return "", fmt.Errorf("the %s file %s is empty: %w", what, path, storage.ErrInvalid)
	}
	return v, nil
}

// openSource opens the source repository with its read token and
// password.
func openSource(ctx context.Context, f SyncSource) (*repository.Repository, error) {
	tok, err := readSecret(f.TokenFile, "source token")
	if err != nil {
		return nil, err
	}
	tok = strings.TrimSpace(tok)
	// Only a savepoint token goes to the source: a token file naming
	// some other file of this host sends nothing.
	if !tokens.Wellformed(tok) {
		return nil, fmt.Errorf("the source token file %s holds no savepoint token (spt_...): %w", f.TokenFile, storage.ErrInvalid)
	}
	pw, err := readSecret(f.PasswordFile, "source password")
	if err != nil {
		return nil, err
	}
	be, err := remote.New(remote.Options{URL: f.Repo, Token: tok, CAFile: f.CAFile})
	if err != nil {
		return nil, err
	}
	src, err := repository.Open(ctx, be, repository.OpenOptions{Password: pw})
	if err != nil {
		be.Close()
		if errors.Is(err, storage.ErrPermission) {
			return nil, fmt.Errorf("the source %s refused the token in %s: %w", f.Repo, f.TokenFile, err)
		}
		return nil, fmt.Errorf("opening the source %s: %w", f.Repo, err)
	}
	return src, nil
}

// selectSync picks the source snapshots a sync pulls: those of name (all
// names when empty), the newest latest of each name or all of them. With
// a retention policy, a snapshot older than dst's newest of its name is
// left out (counted in older): retention here may have forgotten it, and
// pulling it again would only have it forgotten again (Proxmox Backup
// Server's sync skips those too).
func selectSync(spec Spec, srcList, dstList []*snapshot.Snapshot) (pick []*snapshot.Snapshot, older int) {
	byName := map[string][]*snapshot.Snapshot{}
	for _, s := range snapshot.Select(srcList, snapshot.Filter{Name: spec.Name}) {
		byName[s.Name] = append(byName[s.Name], s)
	}
	newest := map[string]time.Time{}
	for _, s := range dstList {
		if s.Time.After(newest[s.Name]) {
			newest[s.Name] = s.Time
		}
	}
	for name, list := range byName {
		sort.SliceStable(list, func(i, j int) bool { return list[i].Time.Before(list[j].Time) })
		if !spec.All && len(list) > spec.Latest {
			list = list[len(list)-spec.Latest:]
		}
		for _, s := range list {
			if spec.Keep != nil && s.Time.Before(newest[name]) {
				older++
				continue
			}
			pick = append(pick, s)
		}
	}
	sort.SliceStable(pick, func(i, j int) bool { return pick[i].Time.Before(pick[j].Time) })
	return pick, older
}

// syncJob pulls the selected snapshots of the source into dst, then
// forgets by the job's retention policy.
func syncJob(ctx context.Context, dst *repository.Repository, spec Spec, rep *reporter, now func() time.Time) (*SyncResult, error) {
	res := &SyncResult{Source: spec.From.Repo, Copied: []string{}}
	src, err := openSource(ctx, spec.From)
	if err != nil {
		return res, err
	}
	defer src.Close()
	srcList, err := snapshot.List(ctx, src)
	if err != nil {
		return res, fmt.Errorf("listing the source's snapshots: %w", err)
	}
	dstList, err := snapshot.List(ctx, dst)
	if err != nil {
		return res, err
	}
	pick, older := selectSync(spec, srcList, dstList)
	res.Selected, res.Older = len(pick)+older, older
	rep.Logf("sync from %s: %d snapshot(s) selected of %d", spec.From.Repo, res.Selected, len(srcList))
	if err := copySnapshots(ctx, src, dst, pick, srcList, dstList, res, rep); err != nil {
		return res, err
	}
	rep.Logf("sync: %d snapshot(s) copied, %d present already, %d bytes in %d blob(s) moved", len(res.Copied), res.Present, res.Bytes, res.Blobs)
	if spec.Keep != nil {
		fr, err := forgetJob(ctx, dst, spec, rep, now)
		res.Forget = fr
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// SyncResultOf is the result of sync job j, whether j ran in this process
// (the value syncJob returned) or was read back from its record (decoded
// JSON); nil when it has none.
func SyncResultOf(j Job) *SyncResult {
	if j.Spec.Kind != KindSync || j.Result == nil {
		return nil
	}
	if r, ok := j.Result.(*SyncResult); ok {
		return r
	}
	data, err := json.Marshal(j.Result)
	if err != nil {
		return nil
	}
	var r SyncResult
	if json.Unmarshal(data, &r) != nil {
		return nil
	}
	return &r
}

// Selection says which snapshots a sync pulls, as a person reads it:
// "latest 3 of deploy", "all of each name".
func (s Spec) Selection() string {
	which := "all"
	if !s.All {
		which = fmt.Sprintf("latest %d", s.Latest)
	}
	if s.Name != "" {
		return which + " of " + s.Name
	}
	return which + " of each name"
}

package copytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/snapcopy"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/internal/testenv"
)

// copyCounted copies in-process between two sites whose backends count
// every request and byte, and returns the counts of both sides.
func (r *rig) copyCounted(src, dst site, o snapcopy.Options) (snapcopy.Stats, *counting, *counting) {
	r.t.Helper()
	cs, cd := &counting{Backend: r.backend(src)}, &counting{Backend: r.backend(dst)}
	rs, rd := r.open(src, cs), r.open(dst, cd)
	defer rs.Close()
	defer rd.Close()
	st, err := snapcopy.Run(ctx, rs, rd, o)
	if err != nil {
		r.t.Fatal(err)
	}
	return st, cs, cd
}

// TestCopyBetweenMinIORepositories: two MinIO-backed repositories with
// different passwords. The copy verifies and restores byte-identical; a
// second copy of an unchanged tree (a new snapshot of it) moves under 1%
// of the bytes of the first, requests and bytes counted at both storages.
func TestCopyBetweenMinIORepositories(t *testing.T) {
	r := newRig(t)
	s3url := r.withMinIO()
	a, b := site{s3url("a"), "password-a"}, site{s3url("b"), "password-b"}
	r.init(a)
	r.init(b)
	work := t.TempDir()
	src := dataset(t, work, 6)
	r.save(a, work, "app", "--tag", "ci", "--provenance", "commit=0123abcd")

	st, cs, cd := r.copyCounted(a, b, snapcopy.Options{Name: "app"})
	if st.Copied != 1 {
		t.Fatalf("first copy: %+v", st)
	}
	firstBytes, firstReqs, firstPut := cs.bytes()+cd.bytes(), cs.requests()+cd.requests(), cd.putBytes.Load()
	r.clean(b)
	r.restoresAs(b, "app:latest", src)

	r.save(a, work, "app") // unchanged: a new snapshot of the same tree
	st, cs, cd = r.copyCounted(a, b, snapcopy.Options{Name: "app"})
	if st.Copied != 1 || st.Skipped != 1 {
		t.Fatalf("second copy: %+v", st)
	}
	bytes, reqs := cs.bytes()+cd.bytes(), cs.requests()+cd.requests()
	t.Logf("first copy: %d requests, %d bytes (%d put to the destination); unchanged second copy: %d requests, %d bytes (%d put)",
		firstReqs, firstBytes, firstPut, reqs, bytes, cd.putBytes.Load())
	if bytes*100 >= firstBytes {
		t.Fatalf("the unchanged second copy moved %d bytes, the first %d: want under 1%%", bytes, firstBytes)
	}
	// Opening both (6), listing and reading the snapshots (5), the
	// destination's session marker and intents (3), its index (2), the
	// snapshot (1): no pack is read or written.
	if reqs > 20 {
		t.Fatalf("the unchanged second copy made %d requests (the first %d): want at most 20", reqs, firstReqs)
	}

	// Everything copied: a third run through the binary skips both.
	if st := r.copy(a, b, "--all"); st.Skipped != 2 || st.Copied != 0 {
		t.Fatalf("third copy: %+v", st)
	}
	var list []snapshot.Summary
	if err := json.Unmarshal([]byte(r.ok(b, "--json", "snapshots")), &list); err != nil {
		t.Fatal(err)
	}
	var orig []snapshot.Summary
	json.Unmarshal([]byte(r.ok(a, "--json", "snapshots")), &orig)
	if len(list) != 2 || list[0].Original != orig[0].ID || list[1].Original != orig[1].ID ||
		list[0].Provenance["commit"] != "0123abcd" || len(list[0].Tags) != 1 || !list[1].Time.Equal(orig[1].Time) {
		t.Fatalf("copies %+v of %+v", list, orig)
	}
	r.clean(b)
	r.restoresAs(b, list[1].ID, src)
}

// TestCopyLocalToOCIToS3: a checkpoint with a command source goes from a
// local repository to a registry and on to MinIO; each copy verifies, the
// last restores byte-identical with its command output, and the copy of
// the copy names the first snapshot as its original.
func TestCopyLocalToOCIToS3(t *testing.T) {
	r := newRig(t)
	s3url := r.withMinIO()
	registry := testenv.Require(t, "SAVEPOINT_TEST_REGISTRY")
	local := site{filepath.Join(t.TempDir(), "local"), "password-l"}
	oci := site{"oci://" + registry + "/copy/" + randomHex(), "password-o"}
	s3 := site{s3url("s3"), "password-s"}
	for _, s := range []site{local, oci, s3} {
		r.init(s)
	}
	work := t.TempDir()
	src := dataset(t, work, 2)
	cmd := r.command(local, nil, "checkpoint", "--name", "prod", "--command", "db=cat src/text/log.txt", "src")
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("checkpoint: %v: %s", err, out)
	}
	if st := r.copy(local, oci, "--all"); st.Copied != 1 {
		t.Fatalf("local to OCI: %+v", st)
	}
	r.clean(oci)
	if st := r.copy(oci, s3, "--name", "prod", "--last", "1"); st.Copied != 1 {
		t.Fatalf("OCI to S3: %+v", st)
	}
	r.clean(s3)
	r.restoresAs(s3, "prod:latest", src)
	dump := r.ok(s3, "dump", "prod:latest", "db")
	want, _ := os.ReadFile(filepath.Join(src, "text", "log.txt"))
	if dump != string(want) {
		t.Fatalf("the command source differs after two copies (%d bytes, want %d)", len(dump), len(want))
	}
	var first, last []snapshot.Summary
	json.Unmarshal([]byte(r.ok(local, "--json", "snapshots")), &first)
	json.Unmarshal([]byte(r.ok(s3, "--json", "snapshots")), &last)
	if len(last) != 1 || last[0].Original != first[0].ID || !last[0].Checkpoint || len(last[0].Sources) != 1 {
		t.Fatalf("copy of a copy %+v of %+v", last, first)
	}
	// The registry's copy, copied back into the local repository, is
	// recognised as the local snapshot itself.
	if st := r.copy(oci, local, "--all"); st.Skipped != 1 || st.Copied != 0 {
		t.Fatalf("copy back: %+v", st)
	}
}

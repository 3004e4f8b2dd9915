package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the command line with SAVEPOINT_PASSWORD set and returns the
// exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "SAVEPOINT_PASSWORD" {
			return "pw"
		}
		return ""
	}}
	code := Run(t.Context(), "test", args, env)
	return code, out.String(), errb.String()
}

func readDotenv(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > dotenvMaxBytes {
		t.Fatalf("dotenv is %d bytes", len(data))
	}
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" || v == "" {
			t.Fatalf("bad dotenv line %q", line)
		}
		if _, dup := m[k]; dup {
			t.Fatalf("duplicate key %s", k)
		}
		m[k] = v
	}
	return m
}

func TestDotenvSaveAndRestore(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	src := filepath.Join(dir, "src")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "a.txt"), []byte("hello"), 0o644)
	if code, _, e := runCLI(t, "-r", repo, "init"); code != 0 {
		t.Fatalf("init: %d %s", code, e)
	}
	env := filepath.Join(dir, "out", "save.env")
	code, _, e := runCLI(t, "-r", repo, "--dotenv", env, "save", "--name", "multi\nline",
		"--provenance", "commit=abc123", "--provenance", "ref=feature,x", "--provenance", "empty=", src)
	if code != 0 {
		t.Fatalf("save: %d %s", code, e)
	}
	m := readDotenv(t, env)
	id := m["SAVEPOINT_SNAPSHOT_ID"]
	if len(id) != 64 || m["SAVEPOINT_FILES"] != "1" || m["SAVEPOINT_BYTES_SCANNED"] != "5" || m["SAVEPOINT_SNAPSHOT_NAME"] != "multi line" {
		t.Fatalf("save dotenv: %v", m)
	}
	if m["SAVEPOINT_CHECKPOINT"] != "false" || m["SAVEPOINT_SNAPSHOT_SHORT_ID"] == "" || !strings.HasPrefix(id, m["SAVEPOINT_SNAPSHOT_SHORT_ID"]) {
		t.Fatalf("save dotenv: %v", m)
	}
	for k := range m {
		if strings.Contains(k, "PASSWORD") || strings.Contains(m[k], "pw") && k != "SAVEPOINT_SNAPSHOT_NAME" {
			t.Fatalf("dotenv leaks %s=%s", k, m[k])
		}
	}
	_, out, _ := runCLI(t, "-r", repo, "show", id[:12])
	if !strings.Contains(out, "commit         abc123") || !strings.Contains(out, "ref            feature,x") || strings.Contains(out, "empty") {
		t.Fatalf("provenance not recorded as given:\n%s", out)
	}

	renv := filepath.Join(dir, "restore.env")
	target := filepath.Join(dir, "target")
	if code, _, e := runCLI(t, "-r", repo, "restore", id, "--target", target, "--dotenv", renv); code != 0 {
		t.Fatalf("restore: %d %s", code, e)
	}
	r := readDotenv(t, renv)
	if r["SAVEPOINT_SNAPSHOT_ID"] != id || r["SAVEPOINT_RESTORED_FILES"] != "1" || r["SAVEPOINT_RESTORED_BYTES"] != "5" || r["SAVEPOINT_RESTORE_TARGET"] != target || r["SAVEPOINT_SNAPSHOT_COMMIT"] != "abc123" {
		t.Fatalf("restore dotenv: %v", r)
	}
}

func TestProvenanceFlagRefusesBadKeys(t *testing.T) {
	dir := t.TempDir()
	for _, bad := range []string{"nokey", "=v", "Upper=v", "sp ace=v"} {
		code, _, e := runCLI(t, "-r", dir, "save", "--provenance", bad, dir)
		if code != ExitUsage || strings.Count(e, "\n") != 1 || !strings.Contains(e, "--provenance") {
			t.Errorf("--provenance %q: exit %d, stderr %q", bad, code, e)
		}
	}
}

func TestEncodeDotenvLimits(t *testing.T) {
	var e kv
	for i := 0; i <= dotenvMaxKeys; i++ {
		e.add("K"+strings.Repeat("x", i), "v")
	}
	if _, err := encodeDotenv(e); err == nil {
		t.Fatal("more than the key limit accepted")
	}
	if _, err := encodeDotenv(kv{{"K", strings.Repeat("v", dotenvMaxBytes)}}); err == nil {
		t.Fatal("more than the size limit accepted")
	}
	got, err := encodeDotenv(kv{{"A", " a\r\nb "}, {"B", ""}, {"C", "c"}})
	if err != nil || string(got) != "A=a  b\nC=c\n" {
		t.Fatalf("encode: %q %v", got, err)
	}
}

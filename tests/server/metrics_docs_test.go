package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestMetricsDocsRules checks the alert rules of docs/server.md with
// promtool: they parse, and they fire (and only then) on made-up series:
// no save for a day, a prune that failed after its last success or never
// succeeded, no successful sync for 26 hours.
func TestMetricsDocsRules(t *testing.T) {
	promtool := testenv.Require(t, "SAVEPOINT_TEST_PROMTOOL")
	dir := t.TempDir()
	rules := docBlocks(t, "Alert rules", "yaml")[0]
	writeFile(t, filepath.Join(dir, "savepoint-alerts.yml"), []byte(rules))
	tool(t, dir, promtool, "check", "rules", "savepoint-alerts.yml")

	summary := map[string]string{}
	var doc struct {
		Groups []struct {
			Rules []struct {
				Alert       string
				Annotations map[string]string
			}
		}
	}
	if err := yaml.Unmarshal([]byte(rules), &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc.Groups[0].Rules {
		summary[r.Alert] = strings.ReplaceAll(r.Annotations["summary"], "{{ $labels.repository }}", "app")
	}
	// Minutes from 0: app saved at 0 and never again; fresh saves every
	// minute; app's prune succeeds at 10 and fails at 100; never-pruned's
	// only prune fails; far's last sync succeeded at 0.
	tests := fmt.Sprintf(`rule_files: [savepoint-alerts.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'savepoint_repository_last_save_timestamp_seconds{job="savepoint",instance="a:8417",repository="app"}'
        values: '0x1600'
      - series: 'savepoint_repository_last_save_timestamp_seconds{job="savepoint",instance="a:8417",repository="fresh"}'
        values: '0+60x1600'
      - series: 'savepoint_repository_last_prune_timestamp_seconds{job="savepoint",instance="a:8417",repository="app"}'
        values: '_x10 600x1590'
      - series: 'savepoint_repository_last_prune_failure_timestamp_seconds{job="savepoint",instance="a:8417",repository="app"}'
        values: '_x100 6000x1500'
      - series: 'savepoint_repository_last_prune_failure_timestamp_seconds{job="savepoint",instance="a:8417",repository="never-pruned"}'
        values: '60x1600'
      - series: 'savepoint_sync_last_success_timestamp_seconds{job="savepoint",instance="a:8417",repository="far",source="https://near.example.com:8417/app"}'
        values: '0x1700'
      - series: 'up{job="savepoint",instance="a:8417"}'
        values: '1x1600'
    alert_rule_test:
      - {eval_time: 23h, alertname: SavepointNoRecentSave, exp_alerts: []}
      - eval_time: 25h
        alertname: SavepointNoRecentSave
        exp_alerts:
          - exp_labels: {severity: warning, repository: app}
            exp_annotations: {summary: %q}
      - {eval_time: 50m, alertname: SavepointPruneFailing, exp_alerts: [{exp_labels: {severity: warning, job: savepoint, instance: "a:8417", repository: never-pruned}, exp_annotations: {summary: %q}}]}
      - eval_time: 2h
        alertname: SavepointPruneFailing
        exp_alerts:
          - exp_labels: {severity: warning, job: savepoint, instance: "a:8417", repository: app}
            exp_annotations: {summary: %q}
          - exp_labels: {severity: warning, job: savepoint, instance: "a:8417", repository: never-pruned}
            exp_annotations: {summary: %q}
      - {eval_time: 2h, alertname: SavepointServerDown, exp_alerts: []}
      - {eval_time: 26h, alertname: SavepointSyncStale, exp_alerts: []}
      - eval_time: 27h
        alertname: SavepointSyncStale
        exp_alerts:
          - exp_labels: {severity: warning, job: savepoint, instance: "a:8417", repository: far, source: "https://near.example.com:8417/app"}
            exp_annotations: {summary: %q}
`, summary["SavepointNoRecentSave"], strings.ReplaceAll(summary["SavepointPruneFailing"], "app", "never-pruned"),
		summary["SavepointPruneFailing"], strings.ReplaceAll(summary["SavepointPruneFailing"], "app", "never-pruned"),
		strings.NewReplacer("app", "far", "{{ $labels.source }}", "https://near.example.com:8417/app").Replace(summary["SavepointSyncStale"]))
	writeFile(t, filepath.Join(dir, "tests.yml"), []byte(tests))
	tool(t, dir, promtool, "test", "rules", "tests.yml")
}

// TestMetricsDocsScrape runs a real Prometheus with the scrape config of
// docs/server.md (its target, token and CA file pointed at a real TLS
// server, its interval shortened) and the alert rules, and waits until it
// has scraped the server's figures and evaluated every rule without error.
func TestMetricsDocsScrape(t *testing.T) {
	promtool := testenv.Require(t, "SAVEPOINT_TEST_PROMTOOL")
	prometheus := testenv.Require(t, "SAVEPOINT_TEST_PROMETHEUS")
	tokenBlock, rules := docBlocks(t, "Metrics", "sh")[0], docBlocks(t, "Alert rules", "yaml")[0]
	scrape := docBlocks(t, "Scrape config", "yaml")[0]
	srv, ca := testserver.StartTLS(t, t.TempDir())
	t.Setenv("SAVEPOINT_SERVER_CA_FILE", ca)
	dir := workDir(t)
	newClient(t, srv, "app", srv.Token("app", "admin")).ok("init")
	testrepo.WriteFile(t, dir, "src/a.txt", []byte("hello"))
	newClient(t, srv, "app", srv.Token("app", "append")).ok("save", "src")

	// The token, as the docs make it.
	tokenFile := filepath.Join(dir, "savepoint.token")
	script := strings.NewReplacer("/srv/savepoint", srv.Storage, "/etc/prometheus/savepoint.token", tokenFile).
		Replace(tokenBlock)
	if out, err := runScript(t, srv.Bin, dir, script); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	writeFile(t, filepath.Join(dir, "savepoint-alerts.yml"), []byte(rules))

	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(scrape), &cfg); err != nil {
		t.Fatal(err)
	}
	job := cfg["scrape_configs"].([]any)[0].(map[string]any)
	if job["job_name"] != "savepoint" {
		t.Fatalf("the docs' scrape job is %v, the alert on up{} expects savepoint", job["job_name"])
	}
	job["scrape_interval"] = "1s"
	job["authorization"].(map[string]any)["credentials_file"] = tokenFile
	job["tls_config"].(map[string]any)["ca_file"] = ca
	job["static_configs"].([]any)[0].(map[string]any)["targets"] = []string{srv.Addr}
	cfg["global"] = map[string]any{"evaluation_interval": "1s"}
	data, _ := yaml.Marshal(cfg)
	writeFile(t, filepath.Join(dir, "prometheus.yml"), data)
	tool(t, dir, promtool, "check", "config", "prometheus.yml")

	addr := "127.0.0.1:" + freePort(t)
	ctx, cancel := context.WithCancel(t.Context())
	cmd := exec.CommandContext(ctx, prometheus, "--config.file=prometheus.yml", "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Dir = dir
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })

	deadline := time.Now().Add(60 * time.Second)
	var snaps, up string
	for time.Now().Before(deadline) {
		snaps = promQuery(addr, `savepoint_repository_snapshots{repository="app"}`)
		up = promQuery(addr, `up{job="savepoint"}`)
		if snaps == "1" && up == "1" && rulesOK(addr) {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("Prometheus did not scrape the server within 60s: snapshots %q, up %q, rules ok %v\n%s", snaps, up, rulesOK(addr), logs.String())
}

// promQuery returns the value of the one series an instant query
// returns, or "" when there is none (or Prometheus is not up yet).
func promQuery(addr, q string) string {
	resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if json.NewDecoder(resp.Body).Decode(&r) != nil || len(r.Data.Result) != 1 {
		return ""
	}
	v, _ := r.Data.Result[0].Value[1].(string)
	return v
}

// rulesOK reports whether Prometheus has evaluated every alert rule, all
// without error.
func rulesOK(addr string) bool {
	resp, err := http.Get("http://" + addr + "/api/v1/rules")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Health string `json:"health"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if json.NewDecoder(resp.Body).Decode(&r) != nil || len(r.Data.Groups) == 0 {
		return false
	}
	for _, g := range r.Data.Groups {
		for _, rule := range g.Rules {
			if rule.Health != "ok" {
				return false
			}
		}
	}
	return true
}

// tool runs a command in dir and fails the test unless it succeeds.
func tool(t *testing.T, dir, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
}

package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testbrowser"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// gitlabJob is the environment of a GitLab CI job of pipeline id on
// commit sha, deploying to env: the save records it as provenance.
func gitlabJob(id, sha, env string) []string {
	return []string{"GITLAB_CI=true", "CI_COMMIT_SHA=" + sha, "CI_COMMIT_BRANCH=main", "CI_COMMIT_REF_NAME=main",
		"CI_PROJECT_PATH=shop/web", "CI_PIPELINE_ID=" + id, "CI_PIPELINE_URL=https://gitlab.example.com/shop/web/-/pipelines/" + id,
		"CI_JOB_NAME=deploy", "CI_ENVIRONMENT_NAME=" + env, "CI_PIPELINE_SOURCE=push", "GITLAB_USER_LOGIN=mara"}
}

// seedWeb makes repository app (whose password the server holds) with
// three saves from pipelines, and repository cache (whose it does not)
// with one.
func seedWeb(t *testing.T) *testserver.Server {
	t.Helper()
	srv := startManaged(t)
	initRepo(t, srv, "cache", srv.Token("cache", "admin"))
	dir := workDir(t)
	testrepo.WriteFile(t, dir, "site/index.html", []byte("<h1>shop</h1>\n"))
	testrepo.WriteFile(t, dir, "site/assets/app.js", testrepo.Random(180<<10))
	testrepo.WriteFile(t, dir, "site/assets/logo.svg", testrepo.Random(12<<10))
	testrepo.WriteFile(t, dir, "site/config.yaml", []byte("replicas: 2\n"))
	testrepo.WriteFile(t, dir, "site/uploads/banner.jpg", testrepo.Random(1<<20))
	testrepo.WriteFile(t, dir, "site/uploads/old-banner.jpg", testrepo.Random(600<<10))
	job := newClient(t, srv, "app", srv.Token("app", "append"))
	job.env = gitlabJob("1041", "3f9c2a7e51d04b6a8e2f0c1d9b7a6e5f4c3b2a10", "staging")
	job.ok("save", "--name", "site", "--tag", "release", "site")
	testrepo.WriteFile(t, dir, "site/config.yaml", []byte("replicas: 4\n"))
	testrepo.WriteFile(t, dir, "site/assets/checkout.js", testrepo.Random(64<<10))
	os.Remove(filepath.Join(dir, "site/uploads/old-banner.jpg"))
	job.env = gitlabJob("1042", "8b1e4d2c9a7f6e5d4c3b2a1908f7e6d5c4b3a291", "staging")
	job.ok("save", "--name", "site", "site")
	job.env = gitlabJob("1043", "8b1e4d2c9a7f6e5d4c3b2a1908f7e6d5c4b3a291", "production")
	job.ok("checkpoint", "--name", "production", "site")
	seedHistory(t, srv, "app")
	cache := newClient(t, srv, "cache", srv.Token("cache", "append"))
	testrepo.WriteFile(t, dir, "node_modules/left-pad/index.js", testrepo.Random(300<<10))
	cache.ok("save", "--name", "node-cache", "node_modules")
	return srv
}

// seedHistory records 30 days of stored-bytes samples of repository
// name in the server's storage, as a server that ran for a month would
// have (twice a day, growing, with a prune on day 20), so the chart has
// a history to draw.
func seedHistory(t *testing.T, srv *testserver.Server, name string) {
	t.Helper()
	hub := repos.New(repos.Options{Storage: srv.Storage})
	defer hub.Close()
	repo, err := hub.Get(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Hour)
	for i := range 60 {
		at := now.Add(time.Duration(i-60) * 12 * time.Hour)
		size := int64(400<<10) + int64(i)*30<<10
		if i >= 40 {
			size -= 500 << 10 // pruned
		}
		if err := repo.AddSample(t.Context(), repos.Sample{At: at, StoredBytes: size, Snapshots: 3 + i/2}); err != nil {
			t.Fatal(err)
		}
	}
}

// browse runs chromedp steps and fails the test on an error.
func browse(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
		t.Fatalf("browser at %s: %v\npage:\n%s", loc, err, body)
	}
}

// text returns the text of the first element sel matches.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func wantText(t *testing.T, ctx context.Context, sel string, want ...string) {
	t.Helper()
	got := text(t, ctx, sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not show %q:\n%s", sel, w, got)
		}
	}
}

// shots keeps the test's screenshots (testbrowser.Artifacts); with
// SAVEPOINT_UPDATE_DOC_IMAGES=1 it also writes those docs/server.md shows
// as docs/img/web-NAME.png.
type shots struct {
	t    *testing.T
	ctx  context.Context
	dir  string
	docs string // docs/img of the checkout
}

func (s shots) take(name string, inDocs bool) {
	s.t.Helper()
	p := testbrowser.Screenshot(s.t, s.ctx, s.dir, name)
	if inDocs && os.Getenv("SAVEPOINT_UPDATE_DOC_IMAGES") == "1" {
		data, err := os.ReadFile(p)
		if err == nil {
			err = os.WriteFile(filepath.Join(s.docs, "web-"+name+".png"), data, 0o644)
		}
		if err != nil {
			s.t.Fatal(err)
		}
	}
}

// TestWebView drives the web view of a real server in headless Chromium
// as a person would: the login page, a read token, the repositories, a
// repository's snapshots with provenance and its chart, a snapshot's
// tree, a diff, a repository without a password, the session cookie's
// flags, and the logout.
func TestWebView(t *testing.T) {
	docs := filepath.Join(doctest.Root(), "docs", "img") // before seedWeb changes the working directory
	srv := seedWeb(t)
	reader := srv.Token("*", "read")
	ctx := testbrowser.New(t)
	sh := shots{t, ctx, testbrowser.Artifacts(t), docs}

	browse(t, ctx, chromedp.Navigate(srv.URL+"/ui/app/"), chromedp.WaitVisible(chromedp.CSS("#token")))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "/login?next=") {
		t.Errorf("a page without a session went to %s, want the login page", loc)
	}
	browse(t, ctx, chromedp.SendKeys(chromedp.CSS("#token"), "spt_0123456789abcdef_"+strings.Repeat("x", 43)),
		chromedp.Submit(chromedp.CSS("#token")), chromedp.WaitVisible(chromedp.CSS(".error")))
	wantText(t, ctx, ".error", "refused", "unknown token 0123456789abcdef")
	sh.take("login", true)

	browse(t, ctx, chromedp.SendKeys(chromedp.CSS("#token"), reader), chromedp.Submit(chromedp.CSS("#token")),
		chromedp.WaitVisible(chromedp.CSS("table.snaps")))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/ui/app/") {
		t.Errorf("after the login the browser is at %s, want the page asked for first", loc)
	}
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	var session *network.Cookie
	for _, c := range res.Cookies {
		if c.Name == "savepoint_session" {
			session = c
		}
	}
	if session == nil || !session.HTTPOnly || session.SameSite != network.CookieSameSiteStrict || session.Secure {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, not Secure over plain HTTP", session)
	}

	// The repository: figures, chart, snapshots with provenance.
	wantText(t, ctx, ".cards", "3", "MiB", "×")
	wantText(t, ctx, "table.snaps tbody", "8b1e4d2c9a", "3f9c2a7e51", "main", "1041", "1042", "1043", "production", "staging", "checkpoint", "release")
	if n := count(t, ctx, "table.snaps tbody tr"); n != 3 {
		t.Errorf("the snapshot list has %d rows, want 3", n)
	}
	if n := count(t, ctx, "svg.chart circle"); n < 60 {
		t.Errorf("the stored-bytes chart has %d points, want the 60 of the history and the figure of now", n)
	}
	sh.take("repository", true)

	// A snapshot and its tree.
	browse(t, ctx, chromedp.Click(chromedp.CSS("table.snaps tbody tr:nth-child(2) td:nth-child(2) a")), chromedp.WaitVisible(chromedp.CSS("table.tree")))
	wantText(t, ctx, "h1", "Snapshot", "site")
	wantText(t, ctx, ".grid3", "commit", "8b1e4d2c9a7f6e5d4c3b2a1908f7e6d5c4b3a291", "pipeline", "1042", "environment", "staging", "diff with parent")
	wantText(t, ctx, "table.tree tbody", "site/")
	browse(t, ctx, chromedp.Click(chromedp.CSS("table.tree tbody a")), chromedp.WaitVisible(chromedp.CSS("nav.path a:nth-of-type(2)")))
	wantText(t, ctx, "table.tree tbody", "assets/", "uploads/", "config.yaml", "12 B", "index.html", "14 B")
	browse(t, ctx, chromedp.Click(chromedp.CSS("table.tree tbody a")), chromedp.WaitVisible(chromedp.CSS("nav.path a:nth-of-type(3)")))
	wantText(t, ctx, "table.tree tbody", "app.js", "180.0 KiB", "checkout.js", "64.0 KiB", "logo.svg")
	sh.take("snapshot", true)

	// The diff of the two saves, from the snapshot's parent link.
	browse(t, ctx, chromedp.Click(chromedp.CSS(".grid3 a[href*='/diff?']")), chromedp.WaitVisible(chromedp.CSS("table.diff")))
	wantText(t, ctx, ".counts", "1 added", "1 removed", "1 modified")
	wantText(t, ctx, "table.diff", "+\tsite/assets/checkout.js", "-\tsite/uploads/old-banner.jpg", "M\tsite/config.yaml")
	sh.take("diff", true)

	// The overview, and a repository whose password the server lacks.
	browse(t, ctx, chromedp.Click(chromedp.CSS("header .brand")), chromedp.WaitVisible(chromedp.CSS("table.list")))
	wantText(t, ctx, "table.list tbody", "app", "held", "cache", "none: figures only")
	sh.take("home", true)
	browse(t, ctx, chromedp.Click(chromedp.CSS("a[href='/ui/cache/']")), chromedp.WaitVisible(chromedp.CSS(".note")))
	wantText(t, ctx, ".cards", "1", "KiB")
	wantText(t, ctx, ".note", "no password")
	sh.take("repository-without-password", false)

	// Jobs and schedules: a read token sees them and gets no controls.
	browse(t, ctx, chromedp.Navigate(srv.URL+"/ui/app/jobs"), chromedp.WaitVisible(chromedp.CSS("table.jobs")))
	wantText(t, ctx, "table.jobs tbody", "No jobs yet")
	if n := count(t, ctx, "form[action$='/jobs/new']"); n != 0 {
		t.Error("a read token is offered to start jobs")
	}
	browse(t, ctx, chromedp.Click(chromedp.CSS("nav.tabs a[href$='/schedules']")), chromedp.WaitVisible(chromedp.CSS("table.schedules")))
	wantText(t, ctx, "table.schedules tbody", "No schedules")

	// The logout ends the session.
	browse(t, ctx, chromedp.Click(chromedp.CSS("header form button")), chromedp.WaitVisible(chromedp.CSS("#token")))
	browse(t, ctx, chromedp.Navigate(srv.URL+"/ui/app/"), chromedp.WaitVisible(chromedp.CSS("#token")))
}

// TestWebViewJobs: an admin starts a verify job from the jobs page of a
// real server and watches it succeed (the page follows jobs.json), starts
// another and cancels it, and sees a repository's schedule with its
// retention policy and next run.
func TestWebViewJobs(t *testing.T) {
	docs := filepath.Join(doctest.Root(), "docs", "img")
	srv := seedWeb(t)
	newAPI(t, srv, srv.Token("*", "admin")).ok(http.StatusCreated, "POST", "/api/v1/repositories/app/schedules", map[string]any{
		"cron": "30 3 * * *", "spec": jobs.Spec{Kind: jobs.KindPrune, Keep: &jobs.Keep{Daily: 14, Weekly: 8}}}, nil)
	ctx := testbrowser.New(t)
	sh := shots{t, ctx, testbrowser.Artifacts(t), docs}
	browse(t, ctx, chromedp.Navigate(srv.URL+"/ui/app/jobs"), chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), srv.Token("app", "admin")), chromedp.Submit(chromedp.CSS("#token")),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/jobs/new']")))

	// A verify job, from start to success.
	first := startFromPage(t, ctx, "verify")
	if st := text(t, ctx, "#job-"+first+" .state"); st != "running" && st != "succeeded" {
		t.Errorf("a verify job just started is %s", st)
	}
	waitState(t, ctx, first, "succeeded", time.Minute)
	wantText(t, ctx, "#job-"+first, "verify", "by ", "took")
	sh.take("jobs", true)

	// Another, held at its first read of the repository, cancelled: the
	// hold ends once the runner has the cancel (the job's log says so).
	release := holdConfig(t, srv, "app")
	second := startFromPage(t, ctx, "verify")
	waitState(t, ctx, second, "running", 30*time.Second)
	browse(t, ctx, chromedp.Click(chromedp.CSS("#job-"+second+" button.danger")))
	api := newAPI(t, srv, srv.Token("app", "read"))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var j jobs.Job
		api.ok(http.StatusOK, "GET", "/api/v1/jobs/"+second, nil, &j)
		if strings.Contains(logText(j), "cancel requested") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cancel button did not cancel job %s: %+v", second, j)
		}
	}
	release()
	waitState(t, ctx, second, "cancelled", time.Minute)
	if n := count(t, ctx, "#job-"+second+" button.danger"); n != 0 {
		t.Error("a cancelled job still offers to cancel it")
	}
	sh.take("jobs-cancelled", false)

	browse(t, ctx, chromedp.Click(chromedp.CSS("nav.tabs a[href$='/schedules']")), chromedp.WaitVisible(chromedp.CSS("table.schedules")))
	wantText(t, ctx, "table.schedules tbody", "prune", "30 3 * * *", "keep 14 daily, 8 weekly", "03:30:00 UTC")
	sh.take("schedules", true)
}

// startFromPage presses the jobs page's start button of kind and returns
// the ID of the job it started: the page the form leads to names it.
func startFromPage(t *testing.T, ctx context.Context, kind string) string {
	t.Helper()
	before, _ := chromedp.Run(ctx, chromedp.Location())
	browse(t, ctx, chromedp.Click(chromedp.CSS("form[action$='/jobs/new'] button[value='"+kind+"']")))
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		if _, id, ok := strings.Cut(loc, "#job-"); ok && loc != before {
			browse(t, ctx, chromedp.WaitVisible(chromedp.CSS("#job-"+id)))
			return id
		}
	}
	t.Fatalf("starting a %s job did not lead to its row on the jobs page", kind)
	return ""
}

// waitState waits until the jobs page shows job id in state want.
func waitState(t *testing.T, ctx context.Context, id, want string, d time.Duration) {
	t.Helper()
	js := "(document.querySelector(" + strconv.Quote("#job-"+id+" .state") + ") || {}).textContent"
	var got string
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got, _ = chromedp.Run(ctx, chromedp.Evaluate[string](js)); got == want {
			return
		}
	}
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body.innerText"))
	t.Fatalf("job %s is %q after %s, want %s\npage:\n%s", id, got, d, want, body)
}

// count returns how many elements match sel.
func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.querySelectorAll("+strconv.Quote(sel)+").length"))
	if err != nil {
		t.Fatalf("counting %s: %v", sel, err)
	}
	return n
}

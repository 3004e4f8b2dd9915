package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/schedules"
	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

// testView serves a View on a storage directory of its own, through a
// real service: a jobs runner and a scheduler on that storage, and the
// password of repository app (which is not created: its jobs fail at
// once, the controls are what is tested here; the real server runs them
// in tests/server).
type testView struct {
	t     *testing.T
	srv   *httptest.Server
	store *tokens.Store
	svc   *service.Service
}

func newTestView(t *testing.T, tls bool) *testView {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	pw := filepath.Join(dir, "passwords")
	if err := os.Mkdir(pw, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pw, "app"), []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	storage := filepath.Join(dir, "storage")
	hub := repos.New(repos.Options{Storage: storage, PasswordDir: pw})
	t.Cleanup(func() { hub.Close() })
	table := func(name string) *records.Table {
		tb, err := hub.Table(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}
	var noCache time.Duration // revocations take effect at once
	store := tokens.NewStore(table(tokens.TableName), tokens.Options{CacheTTL: &noCache})
	runner := jobs.New(jobs.Options{Repos: hub, Table: table(jobs.TableName)})
	t.Cleanup(func() { runner.Shutdown(ctx) })
	sched := schedules.New(schedules.Options{Table: table(schedules.TableName), Runner: runner})
	// j0: a verify job of app that another server process runs, half done.
	now := time.Now().UTC()
	j0 := jobs.Job{ID: j0ID, Repository: "app", Spec: jobs.Spec{Kind: jobs.KindVerify}, State: jobs.StateRunning,
		Created: now, Started: now, Updated: now, By: "tok", Instance: "elsewhere",
		Progress: &jobs.Progress{Phase: "packs", Files: 120, Bytes: 512 << 20, TotalBytes: 1 << 30}}
	if err := table(jobs.TableName).Put(ctx, j0.ID, j0); err != nil {
		t.Fatal(err)
	}
	if _, err := sched.Add(ctx, "app", "30 3 * * *", jobs.Spec{Kind: jobs.KindPrune, Keep: &jobs.Keep{Daily: 14, Weekly: 8}}, "tok"); err != nil {
		t.Fatal(err)
	}
	svc := &service.Service{Repos: hub, Jobs: runner, Schedules: sched, Tokens: store}
	mux := http.NewServeMux()
	New(Options{Service: svc}).Register(mux)
	tv := &testView{t: t, store: store, svc: svc}
	if tls {
		tv.srv = httptest.NewTLSServer(mux)
	} else {
		tv.srv = httptest.NewServer(mux)
	}
	t.Cleanup(tv.srv.Close)
	return tv
}

// started returns the jobs of app started through the view (j0 aside).
func (tv *testView) started() []jobs.Job {
	tv.t.Helper()
	list, err := tv.svc.JobList(context.Background(), "app")
	if err != nil {
		tv.t.Fatal(err)
	}
	var out []jobs.Job
	for _, j := range list {
		if j.ID != j0ID {
			out = append(out, j)
		}
	}
	return out
}

const j0ID = "20260101T000000Z-00000000"

// token creates a token and returns it with its ID.
func (tv *testView) token(repo string, role tokens.Role) (string, string) {
	tv.t.Helper()
	s, rec, err := tv.store.Create(context.Background(), repo, role, 0)
	if err != nil {
		tv.t.Fatal(err)
	}
	return s, rec.ID
}

// client is a browser: a cookie jar, redirects not followed.
func (tv *testView) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := *tv.srv.Client() // a copy: each client has its own jar
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// login logs c in with token and returns the login's answer.
func (tv *testView) login(c *http.Client, token string) *http.Response {
	tv.t.Helper()
	resp, err := c.PostForm(tv.srv.URL+"/login", url.Values{"token": {token}, "next": {"/ui/app/jobs"}})
	if err != nil {
		tv.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// get returns the status and body of a GET.
func (tv *testView) get(c *http.Client, path string) (int, string) {
	tv.t.Helper()
	resp, err := c.Get(tv.srv.URL + path)
	if err != nil {
		tv.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post sends a form, with origin as its Origin header unless empty.
func (tv *testView) post(c *http.Client, path, origin string, form url.Values) (int, string) {
	tv.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, tv.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := c.Do(req)
	if err != nil {
		tv.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page has no CSRF field")
	}
	return m[1]
}

func sessionCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == CookieName {
			return c
		}
	}
	t.Fatalf("no session cookie in %s", resp.Header.Values("Set-Cookie"))
	return nil
}

func TestLoginCookie(t *testing.T) {
	for _, tls := range []bool{false, true} {
		tv := newTestView(t, tls)
		tok, _ := tv.token("app", tokens.RoleRead)
		c := tv.client()
		if code, _ := tv.get(c, "/ui/app/"); code != http.StatusSeeOther {
			t.Errorf("a page without a session: %d, want a redirect to the login", code)
		}
		resp := tv.login(c, "spt_0123456789abcdef_"+strings.Repeat("x", 43))
		if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
			t.Errorf("login with an unknown token: %d, cookies %v", resp.StatusCode, resp.Cookies())
		}
		resp = tv.login(c, tok)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/app/jobs" {
			t.Errorf("login: %d to %q, want 303 to the page asked for", resp.StatusCode, resp.Header.Get("Location"))
		}
		ck := sessionCookie(t, resp)
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure != tls || ck.Path != "/" {
			t.Errorf("TLS %v: session cookie %+v: want HttpOnly, SameSite=Strict, Secure only over TLS", tls, ck)
		}
		if strings.Contains(ck.Value, tok) || strings.Contains(tok, ck.Value) {
			t.Error("the session cookie carries the token")
		}
		if code, body := tv.get(c, "/ui/app/jobs"); code != http.StatusOK || !strings.Contains(body, j0ID) {
			t.Errorf("the jobs page after the login: %d", code)
		}
	}
}

func TestNextStaysOnServer(t *testing.T) {
	for in, want := range map[string]string{"/ui/app/": "/ui/app/", "//evil.example/": "/", "https://evil.example/": "/", "/\\evil": "/", "": "/"} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSRF(t *testing.T) {
	tv := newTestView(t, false)
	tok, _ := tv.token("app", tokens.RoleAdmin)
	c := tv.client()
	tv.login(c, tok)
	_, page := tv.get(c, "/ui/app/jobs")
	csrf := csrfOf(t, page)
	for _, tc := range []struct {
		name, origin, csrf string
		want               int
	}{
		{"no token", "", "", http.StatusForbidden},
		{"a wrong token", "", "x" + csrf[1:], http.StatusForbidden},
		{"another site", "https://evil.example", csrf, http.StatusForbidden},
		{"the session's token", tv.srv.URL, csrf, http.StatusSeeOther},
	} {
		code, _ := tv.post(c, "/ui/app/jobs/new", tc.origin, url.Values{"kind": {"verify"}, "csrf": {tc.csrf}})
		if code != tc.want {
			t.Errorf("start a job with %s: %d, want %d", tc.name, code, tc.want)
		}
	}
	if got := tv.started(); len(got) != 1 {
		t.Errorf("jobs started: %v, want only the one with the session's CSRF token", got)
	}
	// Another session has another CSRF token.
	c2 := tv.client()
	tv.login(c2, tok)
	if code, _ := tv.post(c2, "/ui/app/jobs/new", "", url.Values{"kind": {"verify"}, "csrf": {csrf}}); code != http.StatusForbidden {
		t.Errorf("a CSRF token of another session: %d, want 403", code)
	}
	// Logging out needs it too, and ends the session.
	if code, _ := tv.post(c, "/logout", "", url.Values{}); code != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d", code)
	}
	if code, body := tv.post(c, "/logout", "", url.Values{"csrf": {csrf}}); code != http.StatusSeeOther {
		t.Errorf("logout: %d %s", code, body)
	}
	if code, _ := tv.get(c, "/ui/app/jobs"); code != http.StatusSeeOther {
		t.Errorf("a page after the logout: %d, want a redirect to the login", code)
	}
}

func TestJobControls(t *testing.T) {
	tv := newTestView(t, false)
	readTok, _ := tv.token("app", tokens.RoleRead)
	adminTok, adminID := tv.token("app", tokens.RoleAdmin)

	reader := tv.client()
	tv.login(reader, readTok)
	code, page := tv.get(reader, "/ui/app/jobs")
	if code != http.StatusOK || !strings.Contains(page, j0ID) || strings.Contains(page, "/jobs/new") || strings.Contains(page, "Cancel") {
		t.Errorf("jobs page for a read token: %d; want job j0 listed and no controls", code)
	}
	if code, body := tv.post(reader, "/ui/app/jobs/new", "", url.Values{"kind": {"verify"}, "csrf": {csrfOf(t, page)}}); code != http.StatusForbidden || !strings.Contains(body, "role admin") {
		t.Errorf("a read token starting a job: %d", code)
	}

	admin := tv.client()
	tv.login(admin, adminTok)
	_, page = tv.get(admin, "/ui/app/jobs")
	csrf := csrfOf(t, page)
	if !strings.Contains(page, `value="verify"`) || !strings.Contains(page, "/ui/app/jobs/"+j0ID+"/cancel") {
		t.Error("the admin's jobs page lacks the start and cancel controls")
	}
	if code, _ := tv.post(admin, "/ui/app/jobs/new", "", url.Values{"kind": {"restore"}, "csrf": {csrf}}); code != http.StatusBadRequest {
		t.Errorf("starting a kind the view does not offer: %d, want 400", code)
	}
	if code, _ := tv.post(admin, "/ui/app/jobs/new", "", url.Values{"kind": {"verify"}, "csrf": {csrf}}); code != http.StatusSeeOther {
		t.Errorf("start verify: %d", code)
	}
	if got := tv.started(); len(got) != 1 || got[0].Spec.Kind != jobs.KindVerify || got[0].By != adminID {
		t.Errorf("started %+v, want one verify by token %s", got, adminID)
	}
	// j0 runs in another server process: this one cannot cancel it, and
	// says so.
	if code, body := tv.post(admin, "/ui/app/jobs/"+j0ID+"/cancel", "", url.Values{"csrf": {csrf}}); code != http.StatusConflict || !strings.Contains(body, "another server process") {
		t.Errorf("cancel of a job running elsewhere: %d", code)
	}
	if code, _ := tv.post(admin, "/ui/app/jobs/nope/cancel", "", url.Values{"csrf": {csrf}}); code != http.StatusNotFound {
		t.Errorf("cancel of an unknown job: %d, want 404", code)
	}

	code, body := tv.get(admin, "/ui/app/jobs.json")
	var got []struct {
		ID      string  `json:"id"`
		Percent float64 `json:"percent"`
		Done    bool    `json:"done"`
	}
	if err := json.Unmarshal([]byte(body), &got); code != http.StatusOK || err != nil || len(got) != 2 {
		t.Fatalf("jobs.json: %d %v %s", code, err, body)
	}
	if got[1].ID != j0ID || got[1].Percent != 50 || got[1].Done {
		t.Errorf("jobs.json j0: %+v, want 50%% and running", got[1])
	}
	if code, body := tv.get(admin, "/ui/app/schedules"); code != http.StatusOK || !strings.Contains(body, "30 3 * * *") || !strings.Contains(body, "keep 14 daily, 8 weekly") {
		t.Errorf("schedules page: %d", code)
	}
}

func TestRepositoryCoverage(t *testing.T) {
	tv := newTestView(t, false)
	tok, id := tv.token("app", tokens.RoleAdmin)
	c := tv.client()
	tv.login(c, tok)
	if code, _ := tv.get(c, "/ui/other/jobs"); code != http.StatusForbidden {
		t.Errorf("another repository's page: %d, want 403", code)
	}
	if code, _ := tv.get(c, "/ui/other/jobs.json"); code != http.StatusForbidden {
		t.Errorf("another repository's jobs.json: %d, want 403", code)
	}
	// A revoked token ends its sessions.
	if _, err := tv.store.Revoke(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if code, _ := tv.get(c, "/ui/app/jobs"); code != http.StatusSeeOther {
		t.Errorf("a page after the token's revocation: %d, want a redirect to the login", code)
	}
}

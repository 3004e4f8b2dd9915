package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

// testView serves a View on a storage directory of its own, with fake
// jobs and schedules.
type testView struct {
	t     *testing.T
	srv   *httptest.Server
	store *tokens.Store
	jobs  *fakeJobs
}

func newTestView(t *testing.T, tls bool) *testView {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "storage")
	table, err := records.Open(context.Background(), dir, tokens.TableName, location.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var noCache time.Duration // revocations take effect at once
	store := tokens.NewStore(table, tokens.Options{CacheTTL: &noCache})
	hub := repos.New(repos.Options{Storage: dir})
	t.Cleanup(func() { hub.Close() })
	jobs := &fakeJobs{jobs: []Job{{ID: "j0", Repo: "app", Kind: "verify", State: JobRunning, Bytes: 512 << 20, TotalBytes: 1 << 30, Files: 120}}}
	sched := fakeSchedules{{ID: "nightly-prune", Repo: "app", Kind: "prune", Cron: "30 3 * * *", Policy: "keep 14 daily, 8 weekly"}}
	mux := http.NewServeMux()
	New(Options{Repos: hub, Tokens: store, Jobs: jobs, Schedules: sched}).Register(mux)
	tv := &testView{t: t, store: store, jobs: jobs}
	if tls {
		tv.srv = httptest.NewTLSServer(mux)
	} else {
		tv.srv = httptest.NewServer(mux)
	}
	t.Cleanup(tv.srv.Close)
	return tv
}

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
		if code, body := tv.get(c, "/ui/app/jobs"); code != http.StatusOK || !strings.Contains(body, "j0") {
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
	if len(tv.jobs.started) != 1 {
		t.Errorf("jobs started: %v, want only the one with the session's CSRF token", tv.jobs.started)
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
	if code != http.StatusOK || !strings.Contains(page, "j0") || strings.Contains(page, "/jobs/new") || strings.Contains(page, "Cancel") {
		t.Errorf("jobs page for a read token: %d; want job j0 listed and no controls", code)
	}
	if code, body := tv.post(reader, "/ui/app/jobs/new", "", url.Values{"kind": {"verify"}, "csrf": {csrfOf(t, page)}}); code != http.StatusForbidden || !strings.Contains(body, "role admin") {
		t.Errorf("a read token starting a job: %d", code)
	}

	admin := tv.client()
	tv.login(admin, adminTok)
	_, page = tv.get(admin, "/ui/app/jobs")
	csrf := csrfOf(t, page)
	if !strings.Contains(page, `value="verify"`) || !strings.Contains(page, "/ui/app/jobs/j0/cancel") {
		t.Error("the admin's jobs page lacks the start and cancel controls")
	}
	if code, _ := tv.post(admin, "/ui/app/jobs/new", "", url.Values{"kind": {"restore"}, "csrf": {csrf}}); code != http.StatusBadRequest {
		t.Errorf("starting a kind the view does not offer: %d, want 400", code)
	}
	if code, _ := tv.post(admin, "/ui/app/jobs/new", "", url.Values{"kind": {"verify"}, "csrf": {csrf}}); code != http.StatusSeeOther {
		t.Errorf("start verify: %d", code)
	}
	if len(tv.jobs.started) != 1 || tv.jobs.started[0] != (JobRequest{Kind: "verify", By: adminID}) {
		t.Errorf("started %v, want one verify by token %s", tv.jobs.started, adminID)
	}
	if code, _ := tv.post(admin, "/ui/app/jobs/j0/cancel", "", url.Values{"csrf": {csrf}}); code != http.StatusSeeOther {
		t.Errorf("cancel: %d", code)
	}
	if code, _ := tv.post(admin, "/ui/app/jobs/nope/cancel", "", url.Values{"csrf": {csrf}}); code != http.StatusNotFound {
		t.Errorf("cancel of an unknown job: %d, want 404", code)
	}
	if len(tv.jobs.cancelled) != 1 || tv.jobs.cancelled[0] != "j0" {
		t.Errorf("cancelled %v, want j0", tv.jobs.cancelled)
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
	if got[1].ID != "j0" || got[1].Percent != 50 || got[1].Done {
		t.Errorf("jobs.json j0: %+v, want 50%% and running", got[1])
	}
	if code, body := tv.get(admin, "/ui/app/schedules"); code != http.StatusOK || !strings.Contains(body, "30 3 * * *") || !strings.Contains(body, "keep 14 daily") {
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
	if _, err := tv.store.Revoke(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if code, _ := tv.get(c, "/ui/app/jobs"); code != http.StatusSeeOther {
		t.Errorf("a page after the token's revocation: %d, want a redirect to the login", code)
	}
}

package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRoutesCoexist: the storage protocol (/{repo}/...), the management
// API (/api/v1, /healthz, /readyz), the metrics (/metrics) and the web
// view (/, /login, /static/, /ui/...) share one router (Go's ServeMux
// refuses overlapping patterns at start-up); each answers its own
// requests, and the metrics count each under its own route.
func TestRoutesCoexist(t *testing.T) {
	srv := startManaged(t)
	read := srv.Token("app", "read")
	scraper := srv.Token("*", "read")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct {
		path, token string
		status      int
		want        string // in the body, or the Location of a redirect
		route       string // the metrics' route label
	}{
		{"/healthz", "", http.StatusOK, `"status":"ok"`, "/healthz"},
		{"/readyz", "", http.StatusOK, `"status":"ok"`, "/readyz"},
		{"/api/v1/openapi.json", "", http.StatusOK, `"openapi":"3.1`, "/api/v1/openapi.json"},
		{"/api/v1/repositories", "", http.StatusUnauthorized, "no token", "/api/v1/repositories"},
		{"/api/v1/repositories/app", read, http.StatusOK, `"name":"app"`, "/api/v1/repositories/{name}"},
		{"/metrics", "", http.StatusUnauthorized, "no token", "/metrics"},
		{"/metrics", scraper, http.StatusOK, "savepoint_http_requests_total", "/metrics"},
		{"/", "", http.StatusSeeOther, "/login?next=%2F", "/{$}"},
		{"/login", "", http.StatusOK, `id="token"`, "/login"},
		{"/static/style.css", "", http.StatusOK, ".state", "/static/{file}"},
		{"/ui/app/", "", http.StatusSeeOther, "/login?next=%2Fui%2Fapp%2F", "/ui/{repo}/{$}"},
		{"/ui/app/jobs.json", "", http.StatusUnauthorized, "log in first", "/ui/{repo}/jobs.json"},
		{"/app/config/", read, http.StatusOK, "config", "/{repo}/{kind}/{$}"},
		{"/app/config/config", read, http.StatusOK, "", "/{repo}/{kind}/{name}"},
		{"/app/keys/", "", http.StatusUnauthorized, "no token", "/{repo}/{kind}/{$}"},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+c.path, nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := string(body)
		if resp.StatusCode/100 == 3 {
			got = resp.Header.Get("Location")
		}
		if resp.StatusCode != c.status || !strings.Contains(got, c.want) {
			t.Errorf("GET %s: %s, %.200q; want %d with %q", c.path, resp.Status, got, c.status, c.want)
		}
	}
	m := scrape(t, srv, scraper)
	for _, c := range []string{"/healthz", "/api/v1/openapi.json", "/api/v1/repositories/{name}", "/metrics", "/{$}",
		"/login", "/static/{file}", "/ui/{repo}/{$}", "/{repo}/{kind}/{$}", "/{repo}/{kind}/{name}"} {
		if m.get("savepoint_http_requests_total", "route", c, "method", "GET") <= 0 {
			t.Errorf("no request counted under route %s", c)
		}
	}
}

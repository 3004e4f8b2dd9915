package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageNames are the templates under templates/, each rendered inside
// layout.html.
var pageNames = []string{"login", "home", "repo", "snapshot", "diff", "jobs", "schedules", "problem"}

var funcs = template.FuncMap{
	"bytes": func(n int64) string { return retention.FormatSize(n) },
	"ubytes": func(n uint64) string {
		return retention.FormatSize(int64(n))
	},
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"day":   func(t time.Time) string { return t.UTC().Format("Jan 2 15:04") },
	"took":  func(from, to time.Time) string { return to.Sub(from).Round(10 * time.Millisecond).String() },
	"short": func(id repository.ID) string { return id.Short() },
	"abbrev": func(s string, n int) string {
		if len(s) > n {
			return s[:n]
		}
		return s
	},
	"ratio":  func(f float64) string { return fmt.Sprintf("%.1f×", f) },
	"change": func(c string) string { return changeClass[c] },
	"join":   strings.Join,
	"printf": fmt.Sprintf,
}

func parsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		pages[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return pages
}

// pageData is what every template sees: who looks, the repository and
// tab the page belongs to, and the page's own data.
type pageData struct {
	Viewer *viewer
	Repo   string
	Tab    string
	Title  string
	Data   any
}

// render writes page with data; a template error is a 500 logged in full.
func (v *View) render(w http.ResponseWriter, r *http.Request, status int, page string, vw *viewer, data any, opts ...func(*pageData)) {
	pd := pageData{Viewer: vw, Repo: r.PathValue("repo"), Data: data}
	for _, o := range opts {
		o(&pd)
	}
	var buf bytes.Buffer
	if err := v.pages[page].Execute(&buf, pd); err != nil {
		v.log.Error("web: rendering a page", "page", page, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func titled(title, tab string) func(*pageData) {
	return func(pd *pageData) { pd.Title, pd.Tab = title, tab }
}

type problemData struct {
	Heading, Detail string
}

// problem shows a page that says what went wrong.
func (v *View) problem(w http.ResponseWriter, r *http.Request, vw *viewer, status int, heading, detail string) {
	v.render(w, r, status, "problem", vw, problemData{Heading: heading, Detail: detail}, titled(heading, ""))
}

// fail shows err: a missing repository or password as what it is, any
// other error as a failure whose detail stays in the server's log.
func (v *View) fail(w http.ResponseWriter, r *http.Request, vw *viewer, err error) {
	switch {
	case errors.Is(err, repos.ErrNoPassword):
		v.problem(w, r, vw, http.StatusNotImplemented, "No password for "+r.PathValue("repo"),
			"The server holds no password for this repository, so it sees its objects and sizes but not its snapshots. "+
				"An admin gives it one in the server's password directory (docs/server.md).")
	case errors.Is(err, storage.ErrNoContainer):
		v.problem(w, r, vw, http.StatusNotFound, "No repository "+r.PathValue("repo"), "There is no repository of that name on this server.")
	case errors.Is(err, snapshot.ErrNotFound), errors.Is(err, service.ErrNoPath), errors.Is(err, jobs.ErrNotFound):
		v.problem(w, r, vw, http.StatusNotFound, "Not found", err.Error())
	default:
		v.log.Error("web", "path", r.URL.Path, "error", err.Error())
		v.problem(w, r, vw, http.StatusInternalServerError, "Something failed",
			"The server could not show this page; its log has the detail.")
	}
}

// changeClass is the CSS class of a diff line.
var changeClass = map[string]string{"+": "added", "-": "removed", "M": "modified", "m": "metadata"}

// staticHandler serves the embedded assets under /static/.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

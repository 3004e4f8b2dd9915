package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/savepoint-ci/savepoint/core/server"
	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// viewer is who is looking: the session's token and CSRF token.
type viewer struct {
	Token tokens.Token
	CSRF  string
}

// Admin reports whether the viewer may start and cancel jobs.
func (vw *viewer) Admin() bool { return vw.Token.Role.Allows(tokens.RoleAdmin) }

type handler func(w http.ResponseWriter, r *http.Request, vw *viewer)

// securityHeaders keep the pages from being framed, sniffed or fed
// anything but their own scripts and styles.
func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// viewerOf reads the session cookie; nil without a live session on an
// active token.
func (v *View) viewerOf(r *http.Request) (*viewer, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	s, err := v.lookup(r.Context(), c.Value)
	if err != nil || s == nil {
		return nil, err
	}
	tok, err := v.o.Service.Tokens.Check(r.Context(), s.Token)
	if errors.Is(err, tokens.ErrRefused) {
		return nil, nil // revoked or expired since the login
	}
	if err != nil {
		return nil, err
	}
	return &viewer{Token: tok, CSRF: s.CSRF}, nil
}

// page wraps a handler that needs a session (else: to the login page) and,
// for routes under /ui/{repo}/, a token covering the repository.
func (v *View) page(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w)
		vw, err := v.viewerOf(r)
		if err != nil {
			v.fail(w, r, nil, err)
			return
		}
		if vw == nil {
			if strings.HasSuffix(r.URL.Path, ".json") || r.Method != http.MethodGet {
				http.Error(w, "log in first", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if name := r.PathValue("repo"); name != "" {
			if err := protocol.CheckRepoName(name); err != nil {
				v.problem(w, r, vw, http.StatusNotFound, "No repository "+name, err.Error())
				return
			}
			if err := service.Allow(vw.Token, name, tokens.RoleRead, "viewing a repository"); err != nil {
				v.problem(w, r, vw, http.StatusForbidden, "Not your repository", err.Error()+".")
				return
			}
		}
		server.NoteToken(r, vw.Token.ID, string(vw.Token.Role))
		h(w, r, vw)
	}
}

// form wraps a POST handler: a session, a same-origin request, and the
// session's CSRF token in the form.
func (v *View) form(h handler) http.HandlerFunc {
	return v.page(func(w http.ResponseWriter, r *http.Request, vw *viewer) {
		if !sameOrigin(r) {
			v.problem(w, r, vw, http.StatusForbidden, "Refused", "The form was sent from another site.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		got := r.PostFormValue("csrf")
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(vw.CSRF)) != 1 {
			v.problem(w, r, vw, http.StatusForbidden, "Refused", "The form's CSRF token does not match this session: reload the page and try again.")
			return
		}
		h(w, r, vw)
	})
}

// sameOrigin reports whether a POST came from a page of this server, by
// its Origin header (browsers send it with every POST); a request without
// one (not a browser) passes to the CSRF check.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// handleLoginForm shows the login page (GET /login).
func (v *View) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	if vw, _ := v.viewerOf(r); vw != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	v.render(w, r, http.StatusOK, "login", nil, loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

type loginData struct {
	Next, Error string
}

// handleLogin checks the token and opens a session (POST /login).
func (v *View) handleLogin(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	next := safeNext(r.PostFormValue("next"))
	if !sameOrigin(r) {
		v.render(w, r, http.StatusForbidden, "login", nil, loginData{Next: next, Error: "The login form was sent from another site."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	tok, err := v.o.Service.Tokens.Authenticate(r.Context(), strings.TrimSpace(r.PostFormValue("token")))
	if errors.Is(err, tokens.ErrRefused) {
		v.log.Info("web login refused", "remote", r.RemoteAddr, "reason", err.Error())
		v.render(w, r, http.StatusUnauthorized, "login", nil, loginData{Next: next,
			Error: "That token was refused: " + strings.TrimPrefix(err.Error(), tokens.ErrRefused.Error()+": ") + "."})
		return
	}
	if err != nil {
		v.fail(w, r, nil, err)
		return
	}
	secret, _, err := v.newSession(r.Context(), tok.ID)
	if err != nil {
		v.fail(w, r, nil, err)
		return
	}
	v.log.Info("web login", "token", tok.ID, "role", string(tok.Role), "remote", r.RemoteAddr)
	setCookie(w, r, secret, int(v.o.SessionTTL.Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// handleLogout ends the session (POST /logout).
func (v *View) handleLogout(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if c, err := r.Cookie(CookieName); err == nil {
		if err := v.endSession(r.Context(), c.Value); err != nil {
			v.fail(w, r, vw, err)
			return
		}
	}
	setCookie(w, r, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps a redirect target on this server.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}

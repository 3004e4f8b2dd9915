package image

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Options configure registry access.
type Options struct {
	// Insecure allows plain HTTP (and untrusted TLS) for every registry.
	// Loopback registries (127.0.0.1, localhost) use plain HTTP anyway.
	Insecure bool
	// Username and Password are explicit credentials; they win over the
	// CI conventions below.
	Username, Password string
	// Getenv reads CI credentials: CI_REGISTRY_USER/CI_REGISTRY_PASSWORD
	// for the registry named by CI_REGISTRY (GitLab), GITHUB_TOKEN (with
	// GITHUB_ACTOR) for ghcr.io. Otherwise the Docker config keychain is
	// used (~/.docker/config.json, DOCKER_CONFIG).
	Getenv func(string) string
	// Credentials, if set, replaces the CI conventions above: it returns
	// the user and password for a registry host (both empty: use the
	// Docker keychain). The CLI passes the OCI backend's rules here so
	// images and oci:// repositories share one set of conventions.
	Credentials func(host string) (user, password string, err error)
	// Transport replaces the HTTP transport (tests count requests with it).
	Transport http.RoundTripper
	// UserAgent is sent with every request.
	UserAgent string
}

// Client talks to registries with one set of options.
type Client struct{ o Options }

// New returns a client.
func New(o Options) *Client {
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	return &Client{o: o}
}

func (c *Client) nameOptions() []name.Option {
	opts := []name.Option{name.WeakValidation}
	if c.o.Insecure {
		opts = append(opts, name.Insecure)
	}
	return opts
}

// ParseTag parses an image reference that must name a tag
// (registry/repo:tag; a missing tag means latest, as docker does).
func (c *Client) ParseTag(ref string) (name.Tag, error) {
	if strings.Contains(ref, "@") {
		return name.Tag{}, fmt.Errorf("image %q: give a tag, not a digest (the digest is what savepoint records)", ref)
	}
	t, err := name.NewTag(ref, c.nameOptions()...)
	if err != nil {
		return name.Tag{}, fmt.Errorf("image %q: %v", ref, err)
	}
	return t, nil
}

func (c *Client) remoteOptions(ctx context.Context, reg name.Registry) ([]remote.Option, error) {
	auth, err := c.auth(reg)
	if err != nil {
		return nil, err
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuth(auth)}
	if c.o.Transport != nil {
		opts = append(opts, remote.WithTransport(c.o.Transport))
	}
	if c.o.UserAgent != "" {
		opts = append(opts, remote.WithUserAgent(c.o.UserAgent))
	}
	return opts, nil
}

// auth picks credentials for reg: explicit, then CI conventions, then the
// Docker keychain, then anonymous.
func (c *Client) auth(reg name.Registry) (authn.Authenticator, error) {
	host := reg.RegistryStr()
	if c.o.Username != "" || c.o.Password != "" {
		return &authn.Basic{Username: c.o.Username, Password: c.o.Password}, nil
	}
	if c.o.Credentials != nil {
		user, pass, err := c.o.Credentials(host)
		if err != nil {
			return nil, err
		}
		if user != "" || pass != "" {
			return &authn.Basic{Username: user, Password: pass}, nil
		}
		return keychain(reg), nil
	}
	return c.conventions(reg), nil
}

// conventions are the built-in CI rules, used without Options.Credentials.
func (c *Client) conventions(reg name.Registry) authn.Authenticator {
	host := reg.RegistryStr()
	getenv := c.o.Getenv
	if ci := getenv("CI_REGISTRY"); ci != "" && sameHost(ci, host) && getenv("CI_REGISTRY_USER") != "" {
		return &authn.Basic{Username: getenv("CI_REGISTRY_USER"), Password: getenv("CI_REGISTRY_PASSWORD")}
	}
	if host == "ghcr.io" && getenv("GITHUB_TOKEN") != "" {
		user := getenv("GITHUB_ACTOR")
		if user == "" {
			user = "savepoint"
		}
		return &authn.Basic{Username: user, Password: getenv("GITHUB_TOKEN")}
	}
	return keychain(reg)
}

// keychain resolves reg in the Docker keychain, anonymous when absent.
func keychain(reg name.Registry) authn.Authenticator {
	a, err := authn.DefaultKeychain.Resolve(reg)
	if err != nil {
		return authn.Anonymous
	}
	return a
}

func sameHost(a, b string) bool {
	strip := func(s string) string {
		s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
		return strings.TrimSuffix(s, "/")
	}
	return strings.EqualFold(strip(a), strip(b))
}

// ErrAccessDenied: the registry refused access to an image with the
// credentials it got (or without any).
var ErrAccessDenied = errors.New("access denied, check the registry credentials")

// ErrNotFound: the registry has no such image or tag.
var ErrNotFound = errors.New("no such image or tag")

// describe turns a registry error into one line without credentials.
func describe(what string, ref fmt.Stringer, err error) error {
	var te *transport.Error
	if errors.As(err, &te) {
		msg := http.StatusText(te.StatusCode)
		if len(te.Errors) > 0 {
			d := te.Errors[0]
			msg = string(d.Code)
			if d.Message != "" {
				msg += ": " + d.Message
			}
		}
		prefix := fmt.Sprintf("%s %s: registry refused (HTTP %d %s)", what, ref, te.StatusCode, oneLine(msg))
		switch te.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("%s: %w", prefix, ErrAccessDenied)
		case http.StatusNotFound:
			return fmt.Errorf("%s: %w", prefix, ErrNotFound)
		}
		return errors.New(prefix)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%s %s: %s", what, ref, oneLine(err.Error()))
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// Package client is the Go client of the server's management API (package
// api), which `savepoint remote` drives: start, follow and cancel jobs,
// list, add and remove schedules. It turns the API's errors and a job's
// outcome code into the core's sentinel errors, so the CLI maps them to its
// exit codes with one table.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/api"
	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
)

// Options configure a Client.
type Options struct {
	// URL is the server, https://HOST[:PORT] (http:// on loopback only);
	// a repository URL https://HOST[:PORT]/NAME names the same server.
	URL    string
	Token  string
	CAFile string // PEM CAs to trust besides the system's
}

// Client calls one server's management API.
type Client struct {
	base  string // scheme://host[:port]
	token string
	hc    *http.Client
}

// New returns a client; it does not contact the server.
func New(o Options) (*Client, error) {
	u, err := url.Parse(o.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("server %q: give https://HOST[:PORT]: %w", o.URL, storage.ErrInvalid)
	}
	if u.Scheme == "http" && !remote.IsLoopback(u.Hostname()) {
		return nil, fmt.Errorf("server %q: plain http:// only to a loopback address, the token would travel in clear text: %w", o.URL, storage.ErrInvalid)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if tr.TLSClientConfig, err = remote.TLSConfig(o.CAFile); err != nil {
		return nil, err
	}
	return &Client{base: u.Scheme + "://" + u.Host, token: o.Token, hc: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}, nil
}

// problem is the API's error body (RFC 9457).
type problem struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Message  string `json:"message"`
		Location string `json:"location"`
	} `json:"errors"`
}

// NewRequest builds a request of the management API to url: in, when not
// nil, as its JSON body, and token, when set, as its bearer token.
func NewRequest(ctx context.Context, method, url, token string, in any) (*http.Request, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, storage.ErrInvalid)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}

// do sends a request and decodes a 2xx answer into out.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	req, err := NewRequest(ctx, method, c.base+path, c.token, in)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("server %s: %v: %w", req.URL.Host, err, storage.ErrUnavailable)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("server %s: %v: %w", req.URL.Host, err, storage.ErrUnavailable)
	}
	if resp.StatusCode/100 != 2 {
		return c.problem(resp, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("server %s: the answer is not what the API describes: %v", req.URL.Host, err)
	}
	return nil
}

// problem turns an error answer into an error wrapping the sentinel its
// type (a jobs.Code) or status names.
func (c *Client) problem(resp *http.Response, data []byte) error {
	var p problem
	if json.Unmarshal(data, &p) != nil || p.Detail == "" {
		p.Detail = resp.Status
	}
	for _, e := range p.Errors {
		p.Detail += "; " + strings.TrimPrefix(e.Location+": ", ": ") + e.Message
	}
	msg := "server " + resp.Request.URL.Host + ": " + p.Detail
	code, typed := strings.CutPrefix(p.Type, api.ErrorType)
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%s: %w", msg, storage.ErrPermission)
	case typed:
		return Err(jobs.Code(code), msg)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s: %w", msg, storage.ErrNotFound)
	case resp.StatusCode/100 == 4:
		return fmt.Errorf("%s: %w", msg, storage.ErrInvalid)
	}
	return fmt.Errorf("%s: %w", msg, storage.ErrUnavailable)
}

// ErrJobFailed is the error of a job that failed for a reason no other
// sentinel names.
var ErrJobFailed = errors.New("the job failed")

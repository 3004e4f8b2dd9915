package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// ErrNoServerPassword means the server holds no password for the
// repository, so it cannot run maintenance itself; the client may run it
// across the network instead.
var ErrNoServerPassword = errors.New("the server has no password for this repository")

// ErrNoToken: the server refused a request made without a token.
var ErrNoToken = fmt.Errorf("no token: %w", storage.ErrPermission)

// ErrTokenInURL: the repository URL holds credentials (or a query); the
// token goes to the server apart from it.
var ErrTokenInURL = fmt.Errorf("the token does not go in the URL: %w", storage.ErrInvalid)

// do sends one request (with the client's retries) and returns a 2xx
// response; any other answer becomes an error wrapping a storage sentinel.
func (b *Backend) do(ctx context.Context, c *retryablehttp.Client, method, url string, body []byte, hdr http.Header) (*http.Response, error) {
	var rb any
	if len(body) > 0 {
		rb = body // a nil body goes as Content-Length: 0
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, url, rb)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, storage.ErrInvalid)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("server %s: %v: %w", b.base.Host, err, storage.ErrUnavailable)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, b.statusError(resp)
}

// statusError translates an error answer into a storage sentinel; the
// message is the server's, plus the role the request needed.
func (b *Backend) statusError(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e protocol.Error
	if json.Unmarshal(data, &e) != nil || e.Message == "" {
		e.Message = resp.Status
		if t := bytes.TrimSpace(data); len(t) > 0 && len(t) < 200 {
			e.Message += ": " + string(t)
		}
	}
	msg := "server " + b.base.Host + ": " + e.Message
	var sentinel error
	switch {
	case e.Code == protocol.CodeQuota || resp.StatusCode == http.StatusInsufficientStorage:
		sentinel = storage.ErrQuota
	case e.Code == protocol.CodeNoPassword:
		sentinel = ErrNoServerPassword
	case resp.StatusCode == http.StatusUnauthorized && b.token == "":
		return fmt.Errorf("%s: %w", msg, ErrNoToken)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		sentinel = storage.ErrPermission // the server's message names the role needed
	case e.Code == protocol.CodeNoRepository:
		// No repository: no object in it either (as the OCI backend says).
		return fmt.Errorf("%s: %w (%w)", msg, storage.ErrNoContainer, storage.ErrNotFound)
	case resp.StatusCode == http.StatusNotFound:
		sentinel = storage.ErrNotFound
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 502 && resp.StatusCode <= 504:
		sentinel = storage.ErrUnavailable
	case resp.StatusCode/100 == 4:
		sentinel = storage.ErrInvalid
	default:
		return fmt.Errorf("%s (HTTP %d)", msg, resp.StatusCode)
	}
	if rest, ok := strings.CutSuffix(msg, ": "+sentinel.Error()); ok {
		return fmt.Errorf("%s: %w", rest, sentinel) // the server named it already
	}
	return fmt.Errorf("%s: %w", msg, sentinel)
}

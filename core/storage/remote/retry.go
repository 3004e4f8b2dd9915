package remote

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// RetryPolicy is when and how often a request is tried again. There is
// exactly one retry loop, go-retryablehttp's, and this is its policy
// (docs/server.md, "Retries"):
//
//   - retried: connection errors (refused, reset, timed out; not TLS
//     certificate errors), 429 Too Many Requests, 502, 503 and 504;
//   - never retried: every other status, the refusals (401, 403), quota
//     (507) and size (413) answers above all, and a cancelled context;
//   - waits double from WaitMin up to WaitMax; a Retry-After header on a
//     429 or 503 is honoured up to WaitMax.
//
// Bodies are byte slices, so a retried PUT resends the whole object; the
// server stores an object only once its whole body has arrived, and a PUT
// repeated after a lost answer finds identical bytes and succeeds.
type RetryPolicy struct {
	Attempts int           // tries per request, the first included (0: 6)
	WaitMin  time.Duration // first wait (0: 250ms)
	WaitMax  time.Duration // longest wait (0: 4s)
}

// DefaultRetry is the policy of the zero RetryPolicy: six tries over
// about eight seconds (0.25 + 0.5 + 1 + 2 + 4).
var DefaultRetry = RetryPolicy{Attempts: 6, WaitMin: 250 * time.Millisecond, WaitMax: 4 * time.Second}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = DefaultRetry.Attempts
	}
	if p.WaitMin <= 0 {
		p.WaitMin = DefaultRetry.WaitMin
	}
	if p.WaitMax <= 0 {
		p.WaitMax = DefaultRetry.WaitMax
	}
	if p.WaitMax < p.WaitMin {
		p.WaitMax = p.WaitMin
	}
	return p
}

func (p RetryPolicy) client(hc *http.Client) *retryablehttp.Client {
	p = p.withDefaults()
	return &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil, // the library logs to stderr by default; the core never prints
		RetryWaitMin: p.WaitMin,
		RetryWaitMax: p.WaitMax,
		RetryMax:     p.Attempts - 1,
		CheckRetry:   checkRetry,
		Backoff: func(lo, hi time.Duration, n int, resp *http.Response) time.Duration {
			return min(retryablehttp.DefaultBackoff(lo, hi, n, resp), hi)
		},
		// The last answer comes back as it is, so its error body can be
		// read and translated (errors.go).
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
}

func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return retryablehttp.ErrorPropagatedRetryPolicy(ctx, resp, err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, nil
	}
	return false, nil
}

// counting counts every attempt by the kind of request it is, the way
// storage.Requests reports them for every backend.
type counting struct {
	next http.RoundTripper
	c    *storage.Counter
}

func (t *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	t.c.AddHTTP(r.Method, strings.HasSuffix(r.URL.Path, "/"))
	return t.next.RoundTrip(r)
}

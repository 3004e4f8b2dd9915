package remote

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// TestRetryPolicy checks the one retry policy against a scripted server:
// which answers are tried again, how often, and what each becomes.
func TestRetryPolicy(t *testing.T) {
	fast := RetryPolicy{Attempts: 4, WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond}
	for _, tc := range []struct {
		name     string
		statuses []int // answers in order; the last repeats
		code     protocol.Code
		attempts int64
		want     error // nil: success
	}{
		{"503 then success", []int{503, 503, 201}, protocol.CodeUnavailable, 3, nil},
		{"502 and 504 then success", []int{502, 504, 201}, "", 3, nil},
		{"429 then success", []int{429, 201}, "", 2, nil},
		{"503 for good", []int{503}, protocol.CodeUnavailable, 4, storage.ErrUnavailable},
		{"quota is not retried", []int{507}, protocol.CodeQuota, 1, storage.ErrQuota},
		{"refusal is not retried", []int{403}, protocol.CodeForbidden, 1, storage.ErrPermission},
		{"unknown token", []int{401}, protocol.CodeUnauthorized, 1, storage.ErrPermission},
		{"too large", []int{413}, protocol.CodeTooLarge, 1, storage.ErrInvalid},
		{"internal error is not retried", []int{500}, protocol.CodeInternal, 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				st := tc.statuses[min(i, len(tc.statuses)-1)]
				if st < 300 {
					w.WriteHeader(st)
					return
				}
				w.WriteHeader(st)
				json.NewEncoder(w).Encode(protocol.Error{Message: "scripted", Code: tc.code})
			}))
			defer srv.Close()
			be, err := New(Options{URL: srv.URL + "/repo", Token: "t", Retry: fast})
			if err != nil {
				t.Fatal(err)
			}
			err = be.Save(t.Context(), storage.Handle{Kind: storage.KindSession, Name: "s"}, []byte("x"))
			if got := n.Load(); got != tc.attempts {
				t.Errorf("%d attempts, want %d", got, tc.attempts)
			}
			if be.Requests().Put != tc.attempts {
				t.Errorf("counted %d PUTs, want one per attempt (%d)", be.Requests().Put, tc.attempts)
			}
			switch {
			case tc.want == nil && tc.statuses[len(tc.statuses)-1] < 300:
				if err != nil {
					t.Fatalf("Save: %v", err)
				}
			case tc.want == nil:
				if err == nil {
					t.Fatal("Save succeeded on an error answer")
				}
			case !errors.Is(err, tc.want):
				t.Fatalf("Save: %v, want %v", err, tc.want)
			}
		})
	}
}

// TestRefusedConnection: nothing listening is ErrUnavailable after the
// policy's attempts, not a hang.
func TestRefusedConnection(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	be, err := New(Options{URL: url + "/repo", Retry: RetryPolicy{Attempts: 2, WaitMin: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = be.Stat(t.Context(), storage.Handle{Kind: storage.KindConfig, Name: "config"})
	if !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Stat with nothing listening: %v, want ErrUnavailable", err)
	}
	if be.Requests().Head != 2 {
		t.Fatalf("%d attempts, want 2", be.Requests().Head)
	}
}

package client

import (
	"io"
	"testing"
)

// TestNewRequest: a body goes as JSON with its content type, a token as
// the bearer token; without them the request carries neither.
func TestNewRequest(t *testing.T) {
	req, err := NewRequest(t.Context(), "POST", "https://sp.example/api/v1/x", "tok", map[string]int{"n": 1})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	if string(body) != `{"n":1}` || req.Header.Get("Content-Type") != "application/json" || req.Header.Get("Authorization") != "Bearer tok" {
		t.Fatalf("body %s, headers %v", body, req.Header)
	}
	req, err = NewRequest(t.Context(), "GET", "https://sp.example/api/v1/x", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if req.Body != nil || len(req.Header) != 0 {
		t.Fatalf("body %v, headers %v", req.Body, req.Header)
	}
}

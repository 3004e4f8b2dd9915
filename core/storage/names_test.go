package storage

import (
	"context"
	"errors"
	"testing"
)

func TestCheckSave(t *testing.T) {
	ok := Handle{Kind: Kinds[0], Name: "ab12"}
	if err := CheckSave(t.Context(), ok); err != nil {
		t.Fatalf("valid handle, live context: %v", err)
	}
	if err := CheckSave(t.Context(), Handle{Kind: Kinds[0], Name: ".x"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("dot name: got %v, want ErrInvalid", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := CheckSave(ctx, ok); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: got %v, want context.Canceled", err)
	}
}

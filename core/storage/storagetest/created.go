package storagetest

import (
	"context"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Created returns a backend ready for a test: it fails the test when err
// (from the backend's constructor) is set or b cannot create its
// container, and closes b when the test ends.
//
//	b, err := local.New(dir)
//	return storagetest.Created(t, b, err)
func Created[B interface {
	storage.Backend
	storage.Creator
}](t testing.TB, b B, err error) B {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

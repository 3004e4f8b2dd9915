package remote

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

func (b *Backend) objectURL(h storage.Handle) string {
	return b.base.String() + "/" + string(h.Kind) + "/" + url.PathEscape(h.Name)
}

// Save stores data with one PUT. The server stores the object only once
// the whole body has arrived and its SHA-256 matched.
func (b *Backend) Save(ctx context.Context, h storage.Handle, data []byte) error {
	if err := storage.CheckHandle(h); err != nil {
		return err
	}
	hdr := http.Header{"Content-Type": {"application/octet-stream"}}
	if !h.Kind.ContentAddressed() {
		sum := sha256.Sum256(data)
		hdr.Set(protocol.HeaderSHA256, hex.EncodeToString(sum[:]))
	}
	resp, err := b.do(ctx, b.client, http.MethodPut, b.objectURL(h), data, hdr)
	if err != nil {
		return fmt.Errorf("saving %s: %w", h, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil
}

// Stat returns an object's size and storage time with one HEAD.
func (b *Backend) Stat(ctx context.Context, h storage.Handle) (storage.Info, error) {
	if err := storage.CheckHandle(h); err != nil {
		return storage.Info{}, err
	}
	resp, err := b.do(ctx, b.client, http.MethodHead, b.objectURL(h), nil, nil)
	if err != nil {
		return storage.Info{}, fmt.Errorf("checking %s: %w", h, err)
	}
	resp.Body.Close()
	mt, err := time.Parse(time.RFC3339Nano, resp.Header.Get(protocol.HeaderModTime))
	if err != nil {
		return storage.Info{}, fmt.Errorf("checking %s: the server sent no valid %s: %w", h, protocol.HeaderModTime, storage.ErrUnavailable)
	}
	return storage.Info{Name: h.Name, Size: resp.ContentLength, ModTime: mt}, nil
}

// List calls fn for each object of kind k, from one GET whose JSON array
// is decoded as it arrives. An answer that breaks off (a stall, a dropped
// connection) is asked for again, at most maxResumes times, and the
// objects fn has seen already are skipped.
func (b *Backend) List(ctx context.Context, k storage.Kind, fn func(storage.Info) error) error {
	if err := storage.CheckHandle(storage.Handle{Kind: k, Name: "x"}); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	seen := map[string]bool{}
	for resumes := 0; ; resumes++ {
		broken, err := b.list(ctx, k, seen, fn)
		if err == nil || !broken || resumes == maxResumes || ctx.Err() != nil {
			return err
		}
	}
}

// list reads one listing, calling fn for the objects not in seen. broken
// reports that the answer broke off after it began: asking again may help.
func (b *Backend) list(ctx context.Context, k storage.Kind, seen map[string]bool, fn func(storage.Info) error) (broken bool, err error) {
	resp, err := b.do(ctx, b.client, http.MethodGet, b.base.String()+"/"+string(k)+"/", nil, nil)
	if err != nil {
		return false, fmt.Errorf("listing %s: %w", k, err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	if _, err := dec.Token(); err != nil {
		return true, fmt.Errorf("listing %s: reading the answer: %v: %w", k, err, storage.ErrUnavailable)
	}
	for dec.More() {
		if err := ctx.Err(); err != nil {
			return false, fmt.Errorf("listing %s: %w", k, err)
		}
		var e protocol.Entry
		if err := dec.Decode(&e); err != nil {
			return true, fmt.Errorf("listing %s: reading the answer: %v: %w", k, err, storage.ErrUnavailable)
		}
		if seen[e.Name] || storage.CheckHandle(storage.Handle{Kind: k, Name: e.Name}) != nil {
			continue // a name no object can have ("../x", found by FuzzServerAnswer) is not passed on
		}
		seen[e.Name] = true
		if err := fn(storage.Info{Name: e.Name, Size: e.Size, ModTime: e.ModTime}); err != nil {
			return false, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return true, fmt.Errorf("listing %s: the answer ended early: %v: %w", k, err, storage.ErrUnavailable)
	}
	// The caller may have cancelled during the last callback: a listing
	// it stopped is not a complete one.
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("listing %s: %w", k, err)
	}
	return false, nil
}

// Remove deletes an object with one DELETE; a missing object is not an error.
func (b *Backend) Remove(ctx context.Context, h storage.Handle) error {
	if err := storage.CheckHandle(h); err != nil {
		return err
	}
	resp, err := b.do(ctx, b.client, http.MethodDelete, b.objectURL(h), nil, nil)
	if err != nil {
		return fmt.Errorf("removing %s: %w", h, err)
	}
	resp.Body.Close()
	return nil
}

// rangeHeader is the Range of bytes [off, off+n) (n 0: to the end).
func rangeHeader(off, n int64) string {
	if n > 0 {
		return "bytes=" + strconv.FormatInt(off, 10) + "-" + strconv.FormatInt(off+n-1, 10)
	}
	return "bytes=" + strconv.FormatInt(off, 10) + "-"
}

package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// This file holds the registry API calls (OCI distribution-spec), each one
// HTTP request apart from retries.

// url is the API URL of path in the repository; the scheme is the one the
// ping found (http only where the plain-HTTP policy allowed it).
func (b *Backend) url(path string) string {
	return fmt.Sprintf("%s://%s/v2/%s/%s", b.scheme, b.repo.RegistryStr(), b.repo.RepositoryStr(), path)
}

func newReq(ctx context.Context, method, u string, body []byte, header map[string]string) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = int64(len(body))
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req, nil
}

// headBlob returns the size of blob sha256:<digest>.
func (b *Backend) headBlob(ctx context.Context, actions, digest string) (int64, error) {
	res, err := b.do(ctx, request{actions: actions, ok: []int{http.StatusOK},
		build: func(ctx context.Context) (*http.Request, error) {
			return newReq(ctx, http.MethodHead, b.url("blobs/sha256:"+digest), nil, nil)
		}})
	if err != nil {
		return 0, err
	}
	drain(res)
	return res.ContentLength, nil
}

// uploadBlob stores data as blob sha256:<digest> with a monolithic upload:
// one POST to open the session, one PUT with the bytes and the digest, which
// the registry verifies before the blob becomes visible.
func (b *Backend) uploadBlob(ctx context.Context, digest string, data []byte) error {
	// A failed PUT may end the upload session: retry the pair, not the PUT.
	return b.retry(ctx, func() error {
		res, err := b.do(ctx, request{actions: scopePush, once: true, ok: []int{http.StatusAccepted, http.StatusCreated},
			build: func(ctx context.Context) (*http.Request, error) {
				return newReq(ctx, http.MethodPost, b.url("blobs/uploads/"), nil, nil)
			}})
		if err != nil {
			return err
		}
		drain(res)
		loc, err := res.Location()
		if err != nil {
			return fmt.Errorf("registry opened an upload without a Location: %w", err)
		}
		q := loc.Query()
		q.Set("digest", "sha256:"+digest)
		loc.RawQuery = q.Encode()
		res, err = b.do(ctx, request{actions: scopePush, once: true, ok: []int{http.StatusCreated, http.StatusNoContent, http.StatusAccepted},
			build: func(ctx context.Context) (*http.Request, error) {
				return newReq(ctx, http.MethodPut, loc.String(), data, map[string]string{"Content-Type": "application/octet-stream"})
			}})
		if err != nil {
			return err
		}
		drain(res)
		return nil
	})
}

// getBlob returns bytes [off, off+n) of blob sha256:<digest> and their
// number; n == 0 reads from off to the end (its length -1 when the registry
// does not say).
func (b *Backend) getBlob(ctx context.Context, digest string, off, n int64) (io.ReadCloser, int64, error) {
	hdr := map[string]string{}
	switch {
	case n > 0:
		hdr["Range"] = fmt.Sprintf("bytes=%d-%d", off, off+n-1)
	case off > 0:
		hdr["Range"] = fmt.Sprintf("bytes=%d-", off)
	}
	res, err := b.do(ctx, request{actions: scopePull, ok: []int{http.StatusOK, http.StatusPartialContent},
		build: func(ctx context.Context) (*http.Request, error) {
			return newReq(ctx, http.MethodGet, b.url("blobs/sha256:"+digest), nil, hdr)
		}})
	if err != nil {
		return nil, 0, err
	}
	size := res.ContentLength
	if off > 0 && res.StatusCode == http.StatusOK { // range ignored: skip to off
		if _, err := io.CopyN(io.Discard, res.Body, off); err != nil {
			res.Body.Close()
			return nil, 0, fmt.Errorf("range starts past the end of the object: %w", io.ErrUnexpectedEOF)
		}
		if size >= 0 {
			size -= off
		}
	}
	switch {
	case n == 0:
		return res.Body, size, nil
	case size >= 0 && size < n:
		res.Body.Close()
		return nil, 0, errShortRange
	}
	return res.Body, n, nil
}

// putManifest pushes manifest raw under tag and returns its digest.
func (b *Backend) putManifest(ctx context.Context, tag string, raw []byte) (string, error) {
	res, err := b.do(ctx, request{actions: scopePush, ok: []int{http.StatusCreated, http.StatusOK, http.StatusAccepted}, settle: true,
		build: func(ctx context.Context) (*http.Request, error) {
			return newReq(ctx, http.MethodPut, b.url("manifests/"+tag), raw, map[string]string{"Content-Type": mediaManifest})
		}})
	if err != nil {
		return "", err
	}
	drain(res)
	return "sha256:" + sha256Hex(raw), nil
}

// getManifest returns the manifest a tag points to.
func (b *Backend) getManifest(ctx context.Context, tag string) ([]byte, error) {
	res, err := b.do(ctx, request{actions: scopePull, ok: []int{http.StatusOK},
		build: func(ctx context.Context) (*http.Request, error) {
			return newReq(ctx, http.MethodGet, b.url("manifests/"+tag), nil, map[string]string{"Accept": mediaManifest})
		}})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(io.LimitReader(res.Body, 4<<20))
}

// headManifest returns the digest of the manifest a tag points to.
func (b *Backend) headManifest(ctx context.Context, actions, tag string) (string, error) {
	res, err := b.do(ctx, request{actions: actions, ok: []int{http.StatusOK},
		build: func(ctx context.Context) (*http.Request, error) {
			return newReq(ctx, http.MethodHead, b.url("manifests/"+tag), nil, map[string]string{"Accept": mediaManifest})
		}})
	if err != nil {
		return "", err
	}
	drain(res)
	d := res.Header.Get("Docker-Content-Digest")
	if !strings.HasPrefix(d, "sha256:") {
		return "", fmt.Errorf("registry gave no manifest digest for tag %s", tag)
	}
	return d, nil
}

// deleteManifest deletes a manifest by digest or tag.
func (b *Backend) deleteManifest(ctx context.Context, ref string) error {
	res, err := b.do(ctx, request{actions: scopeDelete, ok: []int{http.StatusAccepted, http.StatusOK, http.StatusNoContent}, settle: true,
		build: func(ctx context.Context) (*http.Request, error) {
			return newReq(ctx, http.MethodDelete, b.url("manifests/"+ref), nil, nil)
		}})
	if err != nil {
		return err
	}
	drain(res)
	return nil
}

// fetchTags calls fn for every tag of the repository, page by page: it
// follows the Link header, or, for registries that honour n but send no Link
// (go-containerregistry's registry), asks for the tags after the last one
// seen. A repository that does not exist yet has no tags.
func (b *Backend) fetchTags(ctx context.Context, fn func(tag string) error) error {
	if _, err := b.transport(ctx, scopePull); err != nil { // sets b.scheme
		return err
	}
	next := b.url("tags/list?n=" + strconv.Itoa(b.pageSize))
	seen := map[string]bool{} // registries differ on n, last and order: never report a tag twice
	for next != "" {
		u := next
		res, err := b.do(ctx, request{actions: scopePull, ok: []int{http.StatusOK},
			build: func(ctx context.Context) (*http.Request, error) {
				return newReq(ctx, http.MethodGet, u, nil, nil)
			}})
		if err != nil {
			if isNameUnknown(err) {
				return nil
			}
			return err
		}
		var page struct {
			Tags []string `json:"tags"`
		}
		err = json.NewDecoder(io.LimitReader(res.Body, 64<<20)).Decode(&page)
		drain(res)
		if err != nil {
			return fmt.Errorf("tags list is not JSON: %v", err)
		}
		next = nextLink(res, u)
		fresh, last := 0, ""
		for _, t := range page.Tags {
			if t > last {
				last = t
			}
			if seen[t] {
				continue
			}
			seen[t] = true
			fresh++
			if err := fn(t); err != nil {
				return err
			}
		}
		if fresh == 0 {
			break
		}
		if next == "" && len(page.Tags) == b.pageSize {
			next = b.url("tags/list?n=" + strconv.Itoa(b.pageSize) + "&last=" + url.QueryEscape(last))
		}
	}
	return nil
}

// nextLink returns the absolute URL of a Link: <...>; rel="next" header.
func nextLink(res *http.Response, cur string) string {
	link := res.Header.Get("Link")
	if link == "" || !strings.Contains(link, `rel="next"`) {
		return ""
	}
	start, end := strings.Index(link, "<"), strings.Index(link, ">")
	if start < 0 || end <= start {
		return ""
	}
	base, err := url.Parse(cur)
	if err != nil {
		return ""
	}
	ref, err := url.Parse(link[start+1 : end])
	if err != nil {
		return ""
	}
	return base.ResolveReference(ref).String()
}

func isNameUnknown(err error) bool {
	var te *transport.Error
	if !errors.As(err, &te) {
		return false
	}
	for _, d := range te.Errors {
		if d.Code == transport.NameUnknownErrorCode {
			return true
		}
	}
	return false
}

func statusOf(err error) int {
	var te *transport.Error
	if errors.As(err, &te) {
		return te.StatusCode
	}
	return 0
}

// blobUnknown reports whether a manifest push failed because a blob it
// references is missing.
func blobUnknown(err error) bool {
	var te *transport.Error
	if !errors.As(err, &te) {
		return false
	}
	for _, d := range te.Errors {
		if d.Code == transport.ManifestBlobUnknownErrorCode || d.Code == transport.BlobUnknownErrorCode {
			return true
		}
	}
	return false
}

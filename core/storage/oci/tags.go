package oci

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// tagPrefix is the tag prefix of each kind. Tags are "<prefix>-<64 hex>-<size>"
// for content-addressed kinds (the size lets List answer from the tags list
// alone) and "<prefix>-<name>" for free names; the config object named
// "config" has the tag "config".
var tagPrefix = map[storage.Kind]string{
	storage.KindConfig:   "config",
	storage.KindKey:      "key",
	storage.KindData:     "data",
	storage.KindMeta:     "meta",
	storage.KindIndex:    "index",
	storage.KindSnapshot: "snapshot",
	storage.KindSession:  "session",
	storage.KindLease:    "lease",
}

const maxTag = 128

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func tagChars(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// checkName rejects names that cannot become a tag.
func checkName(h storage.Handle) error {
	if err := storage.CheckHandle(h); err != nil {
		return err
	}
	if h.Kind.ContentAddressed() {
		if !isHex64(h.Name) {
			return fmt.Errorf("object name %q of kind %s is not a lowercase hex SHA-256: %w", h.Name, h.Kind, storage.ErrInvalid)
		}
		return nil
	}
	if !tagChars(h.Name) || len(tagPrefix[h.Kind])+1+len(h.Name) > maxTag {
		return fmt.Errorf("object name %q cannot be stored in a registry tag (letters, digits, _ . - and at most %d characters): %w",
			h.Name, maxTag-len(tagPrefix[h.Kind])-1, storage.ErrInvalid)
	}
	return nil
}

// tagFor returns the tag of h; size is needed for content-addressed kinds.
func tagFor(h storage.Handle, size int64) string {
	p := tagPrefix[h.Kind]
	switch {
	case h.Kind == storage.KindConfig && h.Name == "config":
		return p
	case h.Kind.ContentAddressed():
		return p + "-" + h.Name + "-" + strconv.FormatInt(size, 10)
	}
	return p + "-" + h.Name
}

// parseTag maps a tag back to an object of kind k; ok is false for tags of
// other kinds and for foreign tags.
func parseTag(k storage.Kind, tag string) (name string, size int64, ok bool) {
	p := tagPrefix[k]
	if k == storage.KindConfig && tag == p {
		return "config", -1, true
	}
	rest, found := strings.CutPrefix(tag, p+"-")
	if !found || rest == "" {
		return "", 0, false
	}
	if !k.ContentAddressed() {
		return rest, -1, true
	}
	hex, sz, found := strings.Cut(rest, "-")
	if !found || !isHex64(hex) {
		return "", 0, false
	}
	n, err := strconv.ParseInt(sz, 10, 64)
	if err != nil || n < 0 {
		return "", 0, false
	}
	return hex, n, true
}

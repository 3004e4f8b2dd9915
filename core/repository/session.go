package repository

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Writers never lock the repository. Instead (docs/prune.md):
//   - a writer saves a session marker (KindSession, random name) before it
//     reads the deletion intents and the index, and removes it after its
//     snapshot is committed;
//   - prune publishes a deletion intent (KindLease, "intent-...") naming the
//     packs it wants to delete, and deletes them only in a later step, once
//     no live session marker is older than the intent;
//   - a writer that read an intent never deduplicates against the blobs of
//     the packs it names (Index.Has is false for them): it writes them again.

// SessionInfo is the sealed content of a session marker, for humans; the
// safety rules use the marker's storage ModTime.
type SessionInfo struct {
	Start time.Time `json:"start"`
	Host  string    `json:"host,omitempty"`
	PID   int       `json:"pid,omitempty"`
}

type sessionState struct {
	check  func() error // see SetSessionCheck
	once   onceOK
	mu     sync.Mutex
	name   string // marker name, empty when none was written
	doomed []ID   // packs named by the deletion intents read
}

// BeginSession announces this process as a writer: it saves a session
// marker and then reads the deletion intents. It succeeds once per
// Repository; SaveBlob calls it implicitly, save.Run calls it first with the
// host. After a failure (a cancelled context) the next call tries again,
// reusing the marker if it was written.
func (r *Repository) BeginSession(ctx context.Context, host string, start time.Time) error {
	return r.sess.once.do(func() error { return r.beginSession(ctx, host, start) })
}

func (r *Repository) beginSession(ctx context.Context, host string, start time.Time) error {
	r.sess.mu.Lock()
	written := r.sess.name != ""
	r.sess.mu.Unlock()
	if !written {
		var rid [16]byte
		rand.Read(rid[:])
		name := hex.EncodeToString(rid[:])
		data, err := r.SealJSON(SessionInfo{Start: start.UTC(), Host: host, PID: os.Getpid()})
		if err != nil {
			return err
		}
		if err := r.be.Save(ctx, storage.Handle{Kind: storage.KindSession, Name: name}, data); err != nil {
			return fmt.Errorf("writing the session marker: %w", err)
		}
		r.sess.mu.Lock()
		r.sess.name = name
		r.sess.mu.Unlock()
	}
	// Only now read the intents: a prune that publishes one after this
	// point sees our marker and waits for us.
	intents, err := r.ListIntents(ctx)
	if err != nil {
		return err
	}
	var doomed []ID
	for _, in := range intents {
		for _, p := range in.Packs {
			doomed = append(doomed, p.ID)
		}
	}
	r.sess.mu.Lock()
	r.sess.doomed = doomed
	r.sess.mu.Unlock()
	if r.idx != nil {
		r.idx.SetDoomed(doomed)
	}
	return nil
}

// EndSession removes the session marker; call it after the snapshot is
// committed (or the save abandoned). A marker left by a crash is harmless:
// prune ignores and removes markers older than its grace period.
func (r *Repository) EndSession(ctx context.Context) error {
	r.sess.mu.Lock()
	name := r.sess.name
	r.sess.name = ""
	r.sess.mu.Unlock()
	if name == "" {
		return nil
	}
	return r.be.Remove(ctx, storage.Handle{Kind: storage.KindSession, Name: name})
}

func (r *Repository) doomedPacks() []ID {
	r.sess.mu.Lock()
	defer r.sess.mu.Unlock()
	return r.sess.doomed
}

// SetSessionCheck installs a check that Flush runs right before it writes
// the index segment, and that the caller runs again before committing: a
// save that has run longer than prune protects it (its session marker
// counts as dead after prune's grace period) must not publish anything.
func (r *Repository) SetSessionCheck(fn func() error) {
	r.sess.mu.Lock()
	r.sess.check = fn
	r.sess.mu.Unlock()
}

func (r *Repository) checkSession() error {
	r.sess.mu.Lock()
	fn := r.sess.check
	r.sess.mu.Unlock()
	if fn == nil {
		return nil
	}
	return fn()
}

// IntentPrefix starts the name of every deletion intent object (KindLease).
const IntentPrefix = "intent-"

// PackRef names a stored pack.
type PackRef struct {
	ID   ID           `json:"id"`
	Kind storage.Kind `json:"kind"`
}

// Intent is a deletion intent: packs prune will delete once no writer that
// may not have seen the intent is still running.
type Intent struct {
	Name    string    `json:"-"`
	ModTime time.Time `json:"-"` // as the backend recorded it: the intent's time
	Created time.Time `json:"created"`
	Holder  string    `json:"holder,omitempty"`
	Packs   []PackRef `json:"packs"`
}

// ListIntents reads every deletion intent. An intent removed while being
// listed (its prune finished) is skipped.
func (r *Repository) ListIntents(ctx context.Context) ([]Intent, error) {
	var infos []storage.Info
	err := r.be.List(ctx, storage.KindLease, func(fi storage.Info) error {
		if strings.HasPrefix(fi.Name, IntentPrefix) {
			infos = append(infos, fi)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing deletion intents: %w", err)
	}
	var out []Intent
	for _, fi := range infos {
		data, err := storage.LoadAll(ctx, r.be, storage.Handle{Kind: storage.KindLease, Name: fi.Name})
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading deletion intent %s: %w", fi.Name, err)
		}
		var in Intent
		if err := r.OpenJSON(data, &in); err != nil {
			return nil, fmt.Errorf("deletion intent %s: %w", fi.Name, err)
		}
		in.Name, in.ModTime = fi.Name, fi.ModTime
		out = append(out, in)
	}
	return out, nil
}

// SaveIntent publishes a deletion intent and returns it with the backend's
// ModTime filled in.
func (r *Repository) SaveIntent(ctx context.Context, in Intent) (Intent, error) {
	var rid [6]byte
	rand.Read(rid[:])
	in.Name = fmt.Sprintf("%s%d-%s", IntentPrefix, in.Created.UnixNano(), hex.EncodeToString(rid[:]))
	data, err := r.SealJSON(in)
	if err != nil {
		return in, err
	}
	h := storage.Handle{Kind: storage.KindLease, Name: in.Name}
	if err := r.be.Save(ctx, h, data); err != nil {
		return in, fmt.Errorf("writing the deletion intent: %w", err)
	}
	fi, err := r.be.Stat(ctx, h)
	if err != nil {
		return in, fmt.Errorf("reading back the deletion intent: %w", err)
	}
	in.ModTime = fi.ModTime
	return in, nil
}

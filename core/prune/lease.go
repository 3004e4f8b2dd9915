package prune

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// LeaseName is the name of the prune lease object (KindLease).
const LeaseName = "prune"

// ErrLeaseHeld means another prune holds a live lease.
var ErrLeaseHeld = errors.New("another prune is running")

// ErrLeaseStale means a lease expired without being released.
var ErrLeaseStale = errors.New("stale prune lease")

// Lease is the sealed content of the lease object: one prune at a time.
type Lease struct {
	Holder   string    `json:"holder"` // random, per run
	Host     string    `json:"host,omitempty"`
	PID      int       `json:"pid,omitempty"`
	Acquired time.Time `json:"acquired"`
	Expires  time.Time `json:"expires"`
}

var leaseHandle = storage.Handle{Kind: storage.KindLease, Name: LeaseName}

// ReadLease returns the current lease, or nil if there is none.
func ReadLease(ctx context.Context, repo *repository.Repository) (*Lease, error) {
	data, err := storage.LoadAll(ctx, repo.Backend(), leaseHandle)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the prune lease: %w", err)
	}
	var l Lease
	if err := repo.OpenJSON(data, &l); err != nil {
		return nil, fmt.Errorf("prune lease: %w", err)
	}
	return &l, nil
}

// acquireLease takes the lease or explains who holds it. The backend has
// no compare-and-swap, so the lease is written and read back: of two
// prunes starting in the same instant, the one that reads back its own
// holder proceeds (a narrow race is documented in docs/prune.md).
func acquireLease(ctx context.Context, repo *repository.Repository, o *Options, now time.Time) (*heldLease, error) {
	cur, err := ReadLease(ctx, repo)
	if err != nil && !(o.BreakLease && errors.Is(err, repository.ErrCorrupted)) {
		return nil, err
	}
	if cur != nil && !o.BreakLease {
		if now.Before(cur.Expires) {
			return nil, fmt.Errorf("%w: the lease is held by %s since %s until %s; wait for it to finish", ErrLeaseHeld,
				leaseWho(cur), cur.Acquired.UTC().Format(time.RFC3339), cur.Expires.UTC().Format(time.RFC3339))
		}
		return nil, fmt.Errorf("%w: the lease of %s expired at %s without being released (that prune crashed?)",
			ErrLeaseStale, leaseWho(cur), cur.Expires.UTC().Format(time.RFC3339))
	}
	var rid [12]byte
	rand.Read(rid[:])
	host, _ := os.Hostname()
	if o.Host != "" {
		host = o.Host
	}
	mine := Lease{Holder: hex.EncodeToString(rid[:]), Host: host, PID: os.Getpid(), Acquired: now.UTC(), Expires: now.Add(o.LeaseTTL).UTC()}
	data, err := repo.SealJSON(mine)
	if err != nil {
		return nil, err
	}
	if err := repo.Backend().Save(ctx, leaseHandle, data); err != nil {
		return nil, fmt.Errorf("writing the prune lease: %w", err)
	}
	back, err := ReadLease(ctx, repo)
	if err != nil {
		return nil, err
	}
	if back == nil || back.Holder != mine.Holder {
		return nil, fmt.Errorf("%w: another prune took the lease at the same moment", ErrLeaseHeld)
	}
	held := &heldLease{repo: repo, ctx: ctx, mine: mine, ttl: o.LeaseTTL}
	return held, nil
}

// heldLease is a lease this prune holds.
type heldLease struct {
	repo *repository.Repository
	ctx  context.Context
	mine Lease
	ttl  time.Duration
}

// refresh extends the lease between phases of a long prune. It fails if
// another prune broke the lease meanwhile.
func (l *heldLease) refresh(now time.Time) error {
	cur, err := ReadLease(l.ctx, l.repo)
	if err != nil {
		return err
	}
	if cur == nil || cur.Holder != l.mine.Holder {
		return fmt.Errorf("%w: this prune's lease was broken by another prune; stopping", ErrLeaseHeld)
	}
	l.mine.Expires = now.Add(l.ttl).UTC()
	data, err := l.repo.SealJSON(l.mine)
	if err != nil {
		return err
	}
	return l.repo.Backend().Save(l.ctx, leaseHandle, data)
}

func (l *heldLease) release() {
	ctx := context.WithoutCancel(l.ctx)
	if cur, err := ReadLease(ctx, l.repo); err == nil && cur != nil && cur.Holder == l.mine.Holder {
		l.repo.Backend().Remove(ctx, leaseHandle)
	}
}

func leaseWho(l *Lease) string {
	s := "a prune"
	if l.Host != "" {
		s += " on " + l.Host
	}
	if l.PID != 0 {
		s += fmt.Sprintf(" (pid %d)", l.PID)
	}
	return s
}

// HeldLease is the prune lease taken by another operation that must not
// run beside a prune (repair): while it is held, prunes refuse to start.
type HeldLease struct{ l *heldLease }

// TakeLease takes the prune lease as prune does (Options.BreakLease,
// Host, LeaseTTL and Now count; the rest is ignored): it fails with
// ErrLeaseHeld or ErrLeaseStale when another holds it, unless BreakLease.
func TakeLease(ctx context.Context, repo *repository.Repository, o Options) (*HeldLease, error) {
	o.defaults()
	l, err := acquireLease(ctx, repo, &o, o.Now())
	if err != nil {
		return nil, err
	}
	return &HeldLease{l}, nil
}

// Release gives the lease back (if it is still this holder's).
func (h *HeldLease) Release() { h.l.release() }

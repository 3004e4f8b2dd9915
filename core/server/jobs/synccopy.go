package jobs

import (
	"context"
	"os"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapcopy"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// copySnapshots copies the picked snapshots from src to dst with package
// snapcopy (skipping those dst holds already), adding to res what it did.
// Nothing is ever written to src: a read token is enough there.
// srcList and dstList are the two repositories' snapshots as the job
// listed them to pick: the copy does not list them again.
func copySnapshots(ctx context.Context, src, dst *repository.Repository, pick, srcList, dstList []*snapshot.Snapshot, res *SyncResult, rep *reporter) error {
	if len(pick) == 0 {
		return nil
	}
	refs := make([]string, len(pick))
	for i, s := range pick {
		refs[i] = s.ID.String()
	}
	if dstList == nil { // none: listed, not to be listed again
		dstList = []*snapshot.Snapshot{}
	}
	host, _ := os.Hostname()
	defer dst.EndSession(context.WithoutCancel(ctx))
	st, err := snapcopy.Run(ctx, src, dst, snapcopy.Options{Snapshots: refs, SourceList: srcList, DestinationList: dstList,
		Hostname: "savepoint serve sync on " + host,
		Progress: rep, Report: func(ev snapcopy.Event) {
			if ev.Skipped {
				rep.Logf("snapshot %s present already as %s", ev.Source.Short(), ev.Copy.Short())
				return
			}
			rep.Logf("snapshot %s copied as %s: %d blob(s), %d bytes", ev.Source.Short(), ev.Copy.Short(), ev.BlobsNew, ev.BytesStored)
		}})
	for _, ev := range st.Snapshots {
		if !ev.Skipped {
			res.Copied = append(res.Copied, ev.Copy.String())
		}
	}
	res.Present += st.Skipped
	res.Bytes += st.BytesStored
	res.Blobs += st.BlobsNew
	res.BytesRead += st.BytesRead
	return err
}

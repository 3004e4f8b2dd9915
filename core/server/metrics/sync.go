package metrics

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/repos"
)

// The sync metrics are per destination repository and source repository
// (the job's from.repo URL, which holds no secret).
var descLastSync = prometheus.NewDesc(prometheus.BuildFQName(Namespace, "sync", "last_success_timestamp_seconds"),
	"Unix time of the last sync job from the source repository into the repository that succeeded.",
	[]string{"repository", "source"}, nil)

func newSyncBytes() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "sync", Name: "bytes_total",
		Help: "Bytes sync jobs moved from the source repository into the repository (stored bytes of the blobs it lacked)."},
		[]string{"repository", "source"})
}

// syncEnded counts the bytes a sync job moved and records its run by
// source, which the last-sync gauge reads (a cancelled job is neither a
// success nor a failure).
func (m *Metrics) syncEnded(ctx context.Context, j jobs.Job, result string) {
	src := j.Spec.From.Repo
	if res := jobs.SyncResultOf(j); res != nil && res.Bytes > 0 {
		m.syncBytes.WithLabelValues(j.Repository, src).Add(float64(res.Bytes))
	}
	if result == Cancelled || m.o.Repos == nil {
		return
	}
	var failure error
	if result != Succeeded {
		failure = errors.New(j.Error)
	}
	repo, err := m.o.Repos.Get(ctx, j.Repository)
	if err == nil {
		err = repo.NoteSyncRun(ctx, src, j.Finished, failure)
	}
	if err != nil {
		m.o.Logger.Warn("sync run not recorded", "repo", j.Repository, "error", err.Error())
	}
}

// collectSync sends the last-sync gauges of repository name from its
// recorded runs.
func collectSync(ch chan<- prometheus.Metric, name string, runs map[string]repos.Runs) {
	for _, r := range runs {
		if r.Source != "" && !r.LastSuccess.IsZero() {
			ch <- prometheus.MustNewConstMetric(descLastSync, prometheus.GaugeValue, float64(r.LastSuccess.UnixMilli())/1e3, name, r.Source)
		}
	}
}

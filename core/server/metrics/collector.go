package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

func repoDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "repository", name), help, []string{"repository"}, nil)
}

var (
	descSnapshots = repoDesc("snapshots", "Snapshots stored in the repository (from a listing of its storage).")
	descStored    = repoDesc("stored_bytes", "Bytes the repository occupies in the storage, every object kind included.")
	descObjects   = repoDesc("objects", "Objects the repository holds in the storage.")
	descLastSave  = repoDesc("last_save_timestamp_seconds",
		"Unix time of the last save: the storage time of the newest snapshot object.")
	descLastPrune = repoDesc("last_prune_timestamp_seconds",
		"Unix time of the last prune run by the server (a job, a schedule or a server-side prune request) that succeeded.")
	descLastPruneFail = repoDesc("last_prune_failure_timestamp_seconds",
		"Unix time of the last prune run by the server that failed.")
)

// repoCollector lists the repositories at each scrape, through the
// figures' cache (repos.Options.StatsRefresh).
type repoCollector struct{ m *Metrics }

func (c *repoCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSnapshots, descStored, descObjects, descLastSave, descLastPrune, descLastPruneFail, descLastSync} {
		ch <- d
	}
}

func (c *repoCollector) Collect(ch chan<- prometheus.Metric) {
	hub := c.m.o.Repos
	if hub == nil {
		return
	}
	ctx, cancel := c.m.ctx()
	defer cancel()
	names, err := hub.Names(ctx)
	if err != nil {
		c.m.failures.Inc()
		c.m.o.Logger.Warn("metrics: listing the repositories", "error", err.Error())
		return
	}
	gauge := func(d *prometheus.Desc, v float64, name string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, name)
	}
	for _, name := range names {
		repo, err := hub.Get(ctx, name)
		if err != nil {
			continue
		}
		st, err := repo.Stats(ctx)
		if err != nil {
			c.m.failures.Inc()
			c.m.o.Logger.Warn("metrics: listing a repository", "repo", name, "error", err.Error())
			continue
		}
		if !st.Exists {
			continue
		}
		gauge(descSnapshots, float64(st.Snapshots), name)
		gauge(descStored, float64(st.StoredBytes), name)
		gauge(descObjects, float64(st.Objects), name)
		if !st.LastSave.IsZero() {
			gauge(descLastSave, float64(st.LastSave.UnixMilli())/1e3, name)
		}
		runs, err := repo.Runs(ctx)
		if err != nil {
			c.m.failures.Inc()
			c.m.o.Logger.Warn("metrics: reading a repository's runs", "repo", name, "error", err.Error())
			continue
		}
		if t := runs["prune"].LastSuccess; !t.IsZero() {
			gauge(descLastPrune, float64(t.UnixMilli())/1e3, name)
		}
		if t := runs["prune"].LastFailure; !t.IsZero() {
			gauge(descLastPruneFail, float64(t.UnixMilli())/1e3, name)
		}
		collectSync(ch, name, runs)
	}
}

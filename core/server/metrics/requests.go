package metrics

import (
	"strconv"
	"strings"
	"time"
)

// ObserveRequest counts one answered request. pattern is the router's
// pattern that matched ("PUT /{repo}/{kind}/{name}"; empty: none did),
// so the route label has a bounded set of values.
func (m *Metrics) ObserveRequest(pattern, method string, status int, in, out int64, d time.Duration) {
	if m == nil {
		return
	}
	route := Route(pattern)
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
	if in > 0 {
		m.received.WithLabelValues(route).Add(float64(in))
	}
	if out > 0 {
		m.sent.WithLabelValues(route).Add(float64(out))
	}
}

// Route is the route label of a router pattern: its path ("/{repo}/{kind}/{name}"),
// or "unmatched" for a request no route took.
func Route(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

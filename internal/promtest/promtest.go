// Package promtest reads values out of parsed Prometheus metrics in tests.
package promtest

import (
	dto "github.com/prometheus/client_model/go"
)

// Value returns the value of the first series of metric name whose labels
// include the pairs given (name, value, name, value...): a counter's or a
// gauge's value, a histogram's sample count; -1 when there is none.
func Value(fams []*dto.MetricFamily, name string, labels ...string) float64 {
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, s := range f.Metric {
			have := map[string]string{}
			for _, l := range s.Label {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue next
				}
			}
			switch {
			case s.Counter != nil:
				return s.Counter.GetValue()
			case s.Gauge != nil:
				return s.Gauge.GetValue()
			case s.Histogram != nil:
				return float64(s.Histogram.GetSampleCount())
			}
		}
	}
	return -1
}

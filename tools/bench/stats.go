package bench

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the nearest-rank p-th percentile of samples (p in
// (0, 100]): the smallest sample such that at least p% of the samples are
// less than or equal to it. With 15 samples the median is the 8th smallest
// and the p90 the 14th; with 200, the p99 is the 198th. It returns 0 for no
// samples. samples is not modified.
func Percentile(samples []time.Duration, p float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	return percentileSorted(sorted, p)
}

func percentileSorted(sorted []time.Duration, p float64) time.Duration {
	switch {
	case p <= 0:
		return sorted[0]
	case p >= 100:
		return sorted[len(sorted)-1]
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// Distribution summarises samples of a duration.
type Distribution struct {
	N                       int
	Min, P50, P90, P99, Max time.Duration
	Mean                    time.Duration
}

// Summarize computes the distribution of samples (nearest-rank percentiles).
func Summarize(samples []time.Duration) Distribution {
	if len(samples) == 0 {
		return Distribution{}
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	var sum time.Duration
	for _, s := range sorted {
		sum += s
	}
	return Distribution{
		N:    len(sorted),
		Min:  sorted[0],
		P50:  percentileSorted(sorted, 50),
		P90:  percentileSorted(sorted, 90),
		P99:  percentileSorted(sorted, 99),
		Max:  sorted[len(sorted)-1],
		Mean: sum / time.Duration(len(sorted)),
	}
}

// IdealBatch is the least time n calls taking each can take with at most
// concurrency in flight: ceil(n/concurrency) waves of each.
func IdealBatch(n, concurrency int, each time.Duration) time.Duration {
	if n <= 0 || concurrency <= 0 {
		return 0
	}
	waves := (n + concurrency - 1) / concurrency
	return time.Duration(waves) * each
}

package bench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestPercentileIsNearestRank(t *testing.T) {
	// 15 samples, given out of order: the median is the 8th smallest, the
	// p90 the 14th (ceil(0.9*15) = 14).
	s := ms(15, 1, 14, 2, 13, 3, 12, 4, 11, 5, 10, 6, 9, 7, 8)
	assert.Equal(t, 8*time.Millisecond, Percentile(s, 50))
	assert.Equal(t, 14*time.Millisecond, Percentile(s, 90))
	assert.Equal(t, 15*time.Millisecond, Percentile(s, 99))
	assert.Equal(t, 1*time.Millisecond, Percentile(s, 0))
	assert.Equal(t, 15*time.Millisecond, Percentile(s, 100))
	assert.Equal(t, ms(15, 1, 14), s[:3], "the input is not sorted in place")

	// 200 samples 1..200: p50 is 100, p99 is 198.
	var many []time.Duration
	for i := 200; i >= 1; i-- {
		many = append(many, time.Duration(i))
	}
	assert.Equal(t, time.Duration(100), Percentile(many, 50))
	assert.Equal(t, time.Duration(198), Percentile(many, 99))

	// An even count's median is the lower middle sample; one sample is
	// every percentile; none gives 0.
	assert.Equal(t, 2*time.Millisecond, Percentile(ms(4, 1, 3, 2), 50))
	assert.Equal(t, 7*time.Millisecond, Percentile(ms(7), 90))
	assert.Equal(t, time.Duration(0), Percentile(nil, 50))
}

func TestSummarize(t *testing.T) {
	d := Summarize(ms(5, 1, 3, 2, 4))
	assert.Equal(t, Distribution{N: 5, Min: 1e6, P50: 3e6, P90: 5e6, P99: 5e6, Max: 5e6, Mean: 3e6}, d)
	assert.Equal(t, Distribution{}, Summarize(nil))
}

func TestIdealBatch(t *testing.T) {
	assert.Equal(t, 2100*time.Millisecond, IdealBatch(100, 16, 300*time.Millisecond)) // 7 waves
	assert.Equal(t, 300*time.Millisecond, IdealBatch(16, 16, 300*time.Millisecond))
	assert.Equal(t, 600*time.Millisecond, IdealBatch(17, 16, 300*time.Millisecond))
	assert.Equal(t, time.Duration(0), IdealBatch(0, 16, time.Second))
}

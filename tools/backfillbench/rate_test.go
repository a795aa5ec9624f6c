package backfillbench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestMeasureRateLeavesOutTheEdges(t *testing.T) {
	start := time.Now()
	var at []time.Time
	// A burst of 50 calls at once, then one every 20 ms for 60 s (50/s),
	// then a straggler 2 s late: only the steady part is in the window.
	for range 50 {
		at = append(at, start)
	}
	for i := range 3000 {
		at = append(at, start.Add(time.Duration(i)*20*time.Millisecond))
	}
	last := at[len(at)-1].Add(2 * time.Second)
	at = append(at, last)

	w := measureRate(at)
	assert.Equal(t, 3051, w.Calls)
	assert.Equal(t, last.Sub(start), w.Span)
	assert.Equal(t, maxEdge, w.From)
	assert.Equal(t, w.Span-maxEdge, w.To)
	assert.InDelta(t, 50, w.Rate, 0.1)
	assert.Equal(t, 5, w.Stretches, "52 s of window")
	assert.InDelta(t, 50, w.MinStretch, 0.1)
	assert.InDelta(t, 50, w.MaxStretch, 0.1)
}

func TestMeasureRateOfShortRuns(t *testing.T) {
	start := time.Now()
	var at []time.Time
	for i := range 100 {
		at = append(at, start.Add(time.Duration(i)*100*time.Millisecond))
	}
	w := measureRate(at)
	assert.Equal(t, w.Span/10, w.From, "a tenth of a short run at each end")
	assert.InDelta(t, 10, w.Rate, 0.5)
	assert.Zero(t, w.Stretches)

	assert.Zero(t, measureRate(nil).Rate)
	assert.Zero(t, measureRate(at[:1]).Rate)
}

func TestSummaryCounts(t *testing.T) {
	out := "backfill (dry run: nothing was recognised or billed): 20000 objects in 1.9s\n" +
		"  planned       1000   (recognition calls it would make, and bill)\n" +
		"  skipped       19000\n"
	assert.Equal(t, map[string]int{"planned": 1000, "skipped": 19000}, summaryCounts(out))
}

func TestFormats(t *testing.T) {
	assert.Equal(t, "1,000,000", fmtInt(1_000_000))
	assert.Equal(t, "999", fmtInt(999))
	assert.Equal(t, "-1,000", fmtInt(-1000))
	assert.Equal(t, "2.5", fmtNum(50*goalRateTolerance))
}

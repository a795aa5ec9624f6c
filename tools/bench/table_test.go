package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFormatting(t *testing.T) {
	assert.Equal(t, "420 µs", fmtDur(420*time.Microsecond))
	assert.Equal(t, "2.79 ms", fmtDur(2790*time.Microsecond))
	assert.Equal(t, "15.6 ms", fmtDur(15600*time.Microsecond))
	assert.Equal(t, "2194 ms", fmtDur(2194*time.Millisecond))
	assert.Equal(t, "12.0 s", fmtDur(12*time.Second))
	assert.Equal(t, "+1.50 ms", fmtSignedDur(1500*time.Microsecond))
	assert.Equal(t, "−250 µs", fmtSignedDur(-250*time.Microsecond))
	assert.Equal(t, "8.2 MiB", fmtBytes(8_600_000))
	assert.Equal(t, "158×", fmtRatio(157.6))
	assert.Equal(t, "15.6×", fmtRatio(15.61))
	assert.Equal(t, "2.66×", fmtRatio(2.664))
}

// report is a made-up report: the numbers only exercise the table logic.
func report(node bool) *Report {
	g := Measurement{
		Name:             "go",
		ColdStart:        Distribution{N: 15, P50: 4 * time.Millisecond, P90: 5 * time.Millisecond},
		RoundTrip:        Distribution{N: 200, P50: 2 * time.Millisecond, P99: 4 * time.Millisecond},
		CPUPerInvocation: 900 * time.Microsecond,
		Event:            EventResult{Records: 100, Concurrency: 16, Delay: 300 * time.Millisecond, Duration: 2150 * time.Millisecond, Ideal: 2100 * time.Millisecond, MaxInFlight: 16, Calls: 100},
		PeakRSS:          15 << 20,
	}
	r := &Report{
		Go:               g,
		MinimalColdStart: Distribution{N: 15, P50: 3 * time.Millisecond, P90: 3500 * time.Microsecond},
		EmptyStart:       Distribution{N: 15, P50: 2 * time.Millisecond, P90: 2500 * time.Microsecond},
		BinaryBytes:      8 << 20,
		GoRuntimeEnv:     []string{"GOMAXPROCS=1"},
		Options:          Options{Warmup: 20},
		NodeSkipped:      "node is not on PATH",
	}
	if node {
		n := g
		n.Name = "node"
		n.ColdStart.P50 = 240 * time.Millisecond
		n.RoundTrip.P50 = 9 * time.Millisecond
		n.CPUPerInvocation = 9 * time.Millisecond
		n.PeakRSS = 120 << 20
		r.Node, r.NodeSkipped = &n, ""
	}
	return r
}

// row finds the row whose metric starts with prefix.
func row(t *testing.T, r *Report, prefix string) Row {
	t.Helper()
	for _, row := range r.Rows() {
		if strings.HasPrefix(strings.TrimSpace(row.Metric), prefix) {
			return row
		}
	}
	t.Fatalf("no row %q", prefix)
	return Row{}
}

func TestRowsWithoutNodeJudgeTheAbsoluteGoals(t *testing.T) {
	r := report(false)
	assert.Equal(t, "yes (absolute)", row(t, r, "cold start,").Met)
	assert.Equal(t, "not measured", row(t, r, "cold start,").Node)
	assert.Equal(t, "yes (absolute)", row(t, r, "CPU per").Met)
	assert.Equal(t, "yes (absolute)", row(t, r, "peak RSS").Met)
	assert.Equal(t, "— (needs Node.js)", row(t, r, "one-image").Met)
	assert.Equal(t, "yes", row(t, r, "100-record event").Met)
	assert.Equal(t, "yes", row(t, r, "most recognition calls").Met)

	assert.Equal(t, "2.00 ms / 2.50 ms", row(t, r, "start of a Go program").Go)

	md := r.Markdown()
	assert.Contains(t, md, "; the function's Go runtime environment: GOMAXPROCS=1\n")
	assert.Contains(t, md, "\n"+NodeNotMeasured+"\n(node is not on PATH)\n")
	assert.Empty(t, r.Violations())
}

func TestRowsFailWhatIsMissed(t *testing.T) {
	r := report(false)
	r.Go.Event.Duration = 2300 * time.Millisecond
	r.Go.Event.MaxInFlight = 17
	assert.Equal(t, "no", row(t, r, "100-record event").Met)
	assert.Equal(t, "no", row(t, r, "most recognition calls").Met)
	assert.Equal(t, []string{"go: 17 recognition calls in flight at once, more than CONCURRENCY=16"}, r.Violations())
}

func TestRowsWithNodeJudgeTheRatios(t *testing.T) {
	r := report(true)
	for prefix, want := range map[string]string{"cold start,": "60.0×", "one-image": "4.50×", "CPU per": "10.0×", "peak RSS": "8.00×"} {
		got := row(t, r, prefix)
		assert.Equal(t, want, got.Advantage, prefix)
		assert.Equal(t, "yes", got.Met, prefix)
	}
	r.Node.ColdStart.P50 = 100 * time.Millisecond // 25×
	assert.Equal(t, "no", row(t, r, "cold start,").Met)
	assert.NotContains(t, r.Markdown(), NodeNotMeasured)
}

func TestViolations(t *testing.T) {
	r := report(true)
	r.Node.Event.MaxInFlight = 17
	assert.Equal(t, []string{"node: 17 recognition calls in flight at once, more than CONCURRENCY=16"}, r.Violations())
}

package bench

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/fnbuild"
)

// A small run of the whole bench: the binaries are built, every row gets a
// measurement of the size asked for, and the batch event respects
// CONCURRENCY. With the Node.js baseline installed (make bench-node-deps)
// it runs side by side with it; without, the report says why not.
func TestRunMeasuresSideBySide(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three binaries")
	}
	require.NoError(t, fnbuild.CheckPlatform())
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	opts := DefaultOptions(root)
	opts.ColdStarts, opts.Warmup, opts.Invocations = 2, 1, 3
	opts.Records, opts.Concurrency, opts.Delay = 5, 2, 50*time.Millisecond
	opts.Env = map[string]string{"GOMAXPROCS": "3"}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	rep, err := Run(ctx, opts)
	require.NoError(t, err)

	measured := []Measurement{rep.Go}
	if rep.Node != nil {
		measured = append(measured, *rep.Node)
	} else {
		assert.NotEmpty(t, rep.NodeSkipped, "the report says why Node.js was not measured")
	}
	for _, m := range measured {
		assert.Equal(t, 2, m.ColdStart.N, m.Name)
		assert.Positive(t, m.ColdStart.P50, m.Name)
		assert.Equal(t, 3, m.RoundTrip.N, m.Name)
		assert.Equal(t, 3, m.FunctionTime.N, m.Name)
		assert.Positive(t, m.FirstInvocation, m.Name)
		assert.Positive(t, m.PeakRSS, m.Name)
		assert.Equal(t, 5, m.Event.Succeeded, m.Name)
		assert.Equal(t, 5, m.Event.Calls, m.Name, "one recognition call per record")
		assert.LessOrEqual(t, m.Event.MaxInFlight, 2, m.Name, "never more than CONCURRENCY")
		assert.Equal(t, IdealBatch(5, 2, 50*time.Millisecond), m.Event.Ideal, m.Name)
		assert.GreaterOrEqual(t, m.Event.Duration, m.Event.Ideal, m.Name, "no faster than the stand-in's answers allow")
	}
	assert.Equal(t, 2, rep.MinimalColdStart.N)
	assert.Equal(t, 2, rep.EmptyStart.N)
	assert.Less(t, rep.EmptyStart.P50, rep.Go.ColdStart.P50, "a program that does nothing is the floor")
	assert.Positive(t, rep.BinaryBytes)
	assert.Contains(t, rep.GoRuntimeEnv, "GOMAXPROCS=3", "-env reaches the measured process")
}

func TestGoRuntimeEnvPicksTheRuntimeVariables(t *testing.T) {
	env := []string{"PATH=/bin", "GOMAXPROCS=2", "OCR_APPCODE=secret", "GODEBUG=schedtrace=1", "GOGCX=1", "GOGC=50"}
	assert.Equal(t, []string{"GODEBUG=schedtrace=1", "GOGC=50", "GOMAXPROCS=2"}, GoRuntimeEnv(env))
}

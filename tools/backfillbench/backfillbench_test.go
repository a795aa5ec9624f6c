package backfillbench

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The whole bench at a tiny size, to keep it working: it completes, every
// image gets one call and the numbers are plausible. The goals themselves
// are the command's to judge at full size, not a test's: a busy machine
// must not fail this.
func TestRunAtTinySize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and runs it twice")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	opts := DefaultOptions(root)
	opts.Images, opts.Keys = 200, 20_000
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	rep, err := Run(ctx, opts)
	require.NoError(t, err)

	p := rep.Pacing
	require.NotNil(t, p)
	assert.True(t, p.OneCallEach(), "missing %d, repeated %d, strays %d, calls %d", p.Missing, p.Repeated, p.Strays, p.Rate.Calls)
	assert.Equal(t, 200, p.Succeeded)
	assert.Equal(t, 200, p.Results)
	assert.Equal(t, 0, p.Run.ExitCode)
	assert.Positive(t, p.Rate.Rate)
	assert.Positive(t, p.Rate.InWindow)
	assert.Positive(t, p.MaxInFlight)
	assert.LessOrEqual(t, p.MaxInFlight, opts.Concurrency)
	assert.Positive(t, p.Run.Peak())

	m := rep.Memory
	require.NotNil(t, m)
	assert.Equal(t, 20_000/imageEvery, m.Images)
	assert.Equal(t, m.Images, m.Planned)
	assert.Zero(t, m.Calls, "a dry run calls nothing")
	assert.Equal(t, 0, m.Run.ExitCode)
	assert.Equal(t, 20, m.ListPages, "a page of 1,000 keys at a time")
	assert.Positive(t, m.ListTime)
	assert.Positive(t, m.KeysPerSecond())
	assert.Positive(t, m.Run.Peak())
	assert.Positive(t, m.Run.PolledRSS)
	assert.True(t, m.Run.ExactPeak(), "the CLI's peak is above the wrapper's own")

	assert.Len(t, rep.Rows(), 10)
	assert.Contains(t, rep.Markdown(), "| memory: peak RSS of a dry run over 20,000 keys |")
}

package soak

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
	"github.com/vlicense/fc-vehicle-license/tools/fnbuild"
)

var functionBinary, specPath string

// TestMain builds the function once, as `make build` does (for this
// machine), so that the soak runs the binary FC would run.
func TestMain(m *testing.M) {
	code := func() int {
		root, err := deployspec.RepoRoot()
		if err != nil {
			panic(err)
		}
		dir, err := os.MkdirTemp("", "soak-fn-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		functionBinary = filepath.Join(dir, "main")
		specPath = filepath.Join(root, "s.yaml")
		if err := fnbuild.Build(context.Background(), root, ".", functionBinary); err != nil {
			panic(err)
		}
		return m.Run()
	}()
	os.Exit(code)
}

// knownDefects are the causes the test tolerates while they are open: a
// result lost to three failed PUTs in a row is paid again on FC's retry by
// design (it has not happened under this seed). The HEAD/fetch race the
// soak found is fixed (the handler re-checks the ETag before writing) and
// is no longer tolerated. The command (make soak) still fails on them.
var knownDefects = map[string]bool{
	CauseWriteLost: true,
}

// TestSoak is the soak at CI size: every fault of the default mix, with the
// outages that lead to FC retries and to FC's last attempt made common
// enough to happen among few images.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak runs the real binary for some seconds")
	}
	opts := DefaultOptions(80)
	opts.Seed = 4 // a seed under which every kind of fault occurs among 80 images
	opts.BinaryPath, opts.SpecPath = functionBinary, specPath
	opts.OutageRate = 0.05
	opts.LastAttemptRate = 0.03
	opts.Out = testWriter{t}
	before := runtime.NumGoroutine()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, opts)
	require.NoError(t, err)
	var out strings.Builder
	rep.Print(&out)
	t.Log(out.String())

	// The workload did what the options ask.
	documents := 0
	for _, n := range rep.FinalDocuments {
		documents += n
	}
	assert.Equal(t, 80, documents, "one current document per image")
	assert.Greater(t, rep.Uploads[howReupload]+rep.Uploads[howMidFlight], 0, "re-uploads with new content")
	assert.Greater(t, rep.Duplicates, 0, "duplicate deliveries")
	assert.Greater(t, rep.DuplicatesAtOnce, 0, "duplicates right behind the original")
	assert.Greater(t, rep.Replays, 0, "replays after a newer upload")
	assert.Greater(t, rep.FCRetries, 0, "FC's async retries")
	assert.Greater(t, rep.FailedEvents, 0, "events failing up to FC's last attempt")
	assert.Greater(t, rep.SlowCalls, 0, "answers slower than OCR_TIMEOUT")
	for _, kind := range []string{FaultOCR503, FaultOCR502, FaultOCRThrottled, FaultOCRSlow, FaultOCRReject, FaultOCROutage} {
		assert.Greater(t, rep.Faults[kind], 0, kind)
	}
	assert.Greater(t, rep.Faults[FaultPut500]+rep.Faults[FaultPut503], 0, "failed result PUTs")
	assert.Greater(t, rep.FinalDocuments["failed/transient"], 0, "a transient document from FC's last attempt")
	assert.Greater(t, rep.FinalDocuments["failed/rejected"], 0, "a refused image")

	// The promises. The current state must be exact whatever happened on
	// the way; elsewhere only the open defects above are tolerated.
	for _, inv := range rep.Invariants {
		if strings.HasPrefix(inv.Name, "every image has exactly one current result document") {
			assert.True(t, inv.OK(), "%s: %v", inv.Name, inv.Violations)
		}
		for _, v := range inv.Violations {
			if knownDefects[v.Cause] {
				t.Logf("known defect (%s): %s: %s", v.Cause, inv.Name, v.Detail)
				continue
			}
			t.Errorf("%s: %s", inv.Name, v.Detail)
		}
	}
	assert.Empty(t, rep.LeftoverStacks)

	// And the test process itself is back where it started.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left after Run")
}

// testWriter sends progress lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestSoakVersioned: on a versioned bucket the signed URL is pinned to the
// version read, so even re-uploads during recognition are paid exactly once.
func TestSoakVersioned(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak runs the real binary for some seconds")
	}
	opts := DefaultOptions(40)
	opts.Seed = 4
	opts.BinaryPath, opts.SpecPath = functionBinary, specPath
	opts.MidFlightRate = 0.2 // many re-uploads from inside a recognition call
	opts.Versioned = true
	opts.Out = testWriter{t}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, opts)
	require.NoError(t, err)

	require.Greater(t, rep.Uploads[howMidFlight], 0, "re-uploads during recognition happened")
	assert.Zero(t, rep.ReplacedDuringRecognition, "no version paid twice")
	assert.Equal(t, rep.BilledVersions, rep.Billed, "billed calls = versions recognised, exactly")
	for _, inv := range rep.Invariants {
		for _, v := range inv.Violations {
			if !knownDefects[v.Cause] {
				t.Errorf("%s: %s", inv.Name, v.Detail)
			}
		}
	}
}

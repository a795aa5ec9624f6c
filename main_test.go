package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var builds struct {
	mu   sync.Mutex
	dir  string
	bins map[string]string
}

// buildFunction compiles the function once per test run and build tags:
// "fconly" is what `make build` deploys to FC, no tag is the local build
// with the CLI. Tests run the binaries FC and users would run.
func buildFunction(t *testing.T, tags string) string {
	t.Helper()
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if bin, ok := builds.bins[tags]; ok {
		return bin
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "fn-build-")
		require.NoError(t, err)
		builds.dir, builds.bins = dir, map[string]string{}
	}
	bin := filepath.Join(builds.dir, "main-"+tags)
	out, err := exec.Command("go", "build", "-tags", tags, "-trimpath", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	builds.bins[tags] = bin
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builds.dir != "" {
		_ = os.RemoveAll(builds.dir)
	}
	os.Exit(code)
}

func TestBinaryRefusesBadConfigurationAtStart(t *testing.T) {
	for _, tags := range []string{"fconly", ""} {
		t.Run("tags="+tags, func(t *testing.T) {
			cmd := exec.Command(buildFunction(t, tags))
			cmd.Env = []string{
				"FC_RUNTIME_API=127.0.0.1:1", // never reached: configuration is checked first
				"FC_REGION=cn-hangzhou",
				"OCR_APPCODE=appcode-must-not-be-printed",
				"OCR_ENDPOINT=http://vehicle.example.com/api",
				"CONCURRENCY=lots",
				"CARD_SIDE=TOP",
			}
			out, err := cmd.CombinedOutput()

			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "the process exits with an error: %v", err)
			assert.Equal(t, 1, exit.ExitCode())
			for _, name := range []string{"OCR_ENDPOINT", "CONCURRENCY", "CARD_SIDE", "SOURCE_BUCKETS"} {
				assert.Contains(t, string(out), name, "one message names every bad variable")
			}
			assert.NotContains(t, string(out), "appcode-must-not-be-printed")
			assert.Contains(t, string(out), `"level":"ERROR"`, "a structured log line")
		})
	}
}

func TestBinaryOutsideFunctionCompute(t *testing.T) {
	cases := []struct {
		tags, want string
	}{
		{tags: "", want: "FC_RUNTIME_API is not set"},                        // the CLI's usage
		{tags: "fconly", want: "the Function Compute build of the function"}, // no CLI in the deployed build
	}
	for _, tc := range cases {
		t.Run("tags="+tc.tags, func(t *testing.T) {
			cmd := exec.Command(buildFunction(t, tc.tags))
			cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
			out, err := cmd.CombinedOutput()

			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit))
			assert.Equal(t, 2, exit.ExitCode())
			assert.Contains(t, string(out), tc.want)
		})
	}
}

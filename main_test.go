package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildFunction compiles this package, the program FC runs.
func buildFunction(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "main")
	out, err := exec.Command("go", "build", "-trimpath", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

func TestBinaryRefusesBadConfigurationAtStart(t *testing.T) {
	cmd := exec.Command(buildFunction(t))
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
}

func TestBinaryOutsideFunctionComputeSaysWhereItRuns(t *testing.T) {
	cmd := exec.Command(buildFunction(t), "demo")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()

	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit))
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, string(out), "FC_RUNTIME_API is not set")
	assert.Contains(t, string(out), "cmd/vlicense", "it points at the operator's tool")
}

// The function links only what FC runs: none of the local cloud, the
// measurement tools, the CLI, YAML or JSON Schema adds to its size or to
// an instance's start.
func TestFunctionLinksOnlyWhatFCRuns(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, string(out))
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/vlicense/fc-vehicle-license/handler", "the listing is of the function")

	const module = "github.com/vlicense/fc-vehicle-license/"
	forbidden := []string{module + "tools/", module + "cmd/", module + "internal/cli",
		"go.yaml.in/yaml", "gopkg.in/yaml", "github.com/santhosh-tekuri/jsonschema", "github.com/stretchr/testify", "flag"}
	for _, dep := range deps {
		for _, f := range forbidden {
			assert.False(t, strings.HasPrefix(dep, f), "the function links %s", dep)
		}
	}
}

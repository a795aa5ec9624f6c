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

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

// buildFunction compiles the function once per test run, the way
// `make build` does (minus the cross-compilation), so the tests run the
// binary FC would run.
func buildFunction(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "fn-build-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "main")
		built.out, built.err = exec.Command("go", "build", "-trimpath", "-o", built.bin, ".").CombinedOutput()
	})
	require.NoError(t, built.err, string(built.out))
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

func TestBinaryRefusesBadConfigurationAtStart(t *testing.T) {
	bin := buildFunction(t)
	cmd := exec.Command(bin)
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
	for _, name := range []string{"OCR_ENDPOINT", "CONCURRENCY", "CARD_SIDE"} {
		assert.Contains(t, string(out), name, "one message names every bad variable")
	}
	assert.NotContains(t, string(out), "appcode-must-not-be-printed")
	assert.Contains(t, string(out), `"level":"ERROR"`, "a structured log line")
}

func TestBinaryOutsideFunctionComputeSaysSo(t *testing.T) {
	bin := buildFunction(t)
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()

	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit))
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, string(out), "FC_RUNTIME_API is not set")
}

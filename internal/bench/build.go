package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Target platform of FC's go1 runtime; the bench runs the binaries it
// builds, so it runs on this platform only.
const (
	targetOS   = "linux"
	targetArch = "amd64"
)

// CheckPlatform fails unless this machine can run what FC runs.
func CheckPlatform() error {
	if runtime.GOOS != targetOS || runtime.GOARCH != targetArch {
		return fmt.Errorf("the bench runs the linux/amd64 binary FC runs; this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return nil
}

// FunctionTags are the build tags of the binary FC runs (`make build`):
// fconly leaves the CLI out.
const FunctionTags = "fconly"

// BuildArgs are the arguments of `go` that build pkg into out with the
// flags of `make build`, and the given build tags ("" for none).
func BuildArgs(out, pkg, tags string) []string {
	args := []string{"build"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	return append(args, "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
}

// BuildEnv is `make build`'s environment: static linux/amd64.
func BuildEnv() []string {
	return append(os.Environ(), "GOOS="+targetOS, "GOARCH="+targetArch, "CGO_ENABLED=0")
}

// Build builds pkg (relative to the module root, e.g. "." or
// "./internal/bench/testdata/minimalfn") like `make build`, with tags,
// into out.
func Build(ctx context.Context, root, pkg, out, tags string) error {
	args := BuildArgs(out, pkg, tags)
	cmd := exec.CommandContext(ctx, goTool(), args...)
	cmd.Dir = root
	cmd.Env = BuildEnv()
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}

// goTool is the go command: on PATH, or the one of this toolchain.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

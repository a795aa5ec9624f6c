// Package fnbuild builds the function binary exactly as `make build` does
// (the flags are checked against the Makefile by a test), so that what the
// bench and the soak measure is the binary FC runs.
package fnbuild

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Target platform of FC's go1 runtime. The bench and the soak run the
// binaries they build, so they run on this platform only.
const (
	targetOS   = "linux"
	targetArch = "amd64"
)

// CheckPlatform fails unless this machine can run what FC runs.
func CheckPlatform() error {
	if runtime.GOOS != targetOS || runtime.GOARCH != targetArch {
		return fmt.Errorf("this runs the linux/amd64 binary FC runs; this machine is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return nil
}

// Args are the arguments of `go` that build pkg into out with the
// flags of `make build`.
func Args(out, pkg string) []string {
	return []string{"build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg}
}

// Env is `make build`'s environment: static linux/amd64.
func Env() []string {
	return append(os.Environ(), "GOOS="+targetOS, "GOARCH="+targetArch, "CGO_ENABLED=0")
}

// Build builds pkg (relative to the module root, e.g. "." or
// "./tools/bench/testdata/minimalfn") like `make build` into out.
func Build(ctx context.Context, root, pkg, out string) error {
	args := Args(out, pkg)
	cmd := exec.CommandContext(ctx, GoTool(), args...)
	cmd.Dir = root
	cmd.Env = Env()
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}

// GoTool is the go command: on PATH, or the one of this toolchain.
func GoTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

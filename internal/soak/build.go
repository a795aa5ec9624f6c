package soak

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// BuildFunction builds the function (the module at root) into out the way
// `make build` does (static, -trimpath, stripped), for this machine's
// platform so that the FC emulator can run it. Its memory is then the
// memory of the binary FC runs.
func BuildFunction(ctx context.Context, root, out string) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	args := []string{"build", "-trimpath", "-ldflags", "-s -w", "-o", out, "."}
	cmd := exec.CommandContext(ctx, goTool, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build the function: %w\n%s", err, b)
	}
	return nil
}

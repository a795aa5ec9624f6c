package bench

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"time"
)

// StartToFirstOutput times n runs of a program from just before fork/exec
// (where the emulator starts its cold-start clock) to the first byte it
// writes to stdout; each run is then waited for. A first run warms the
// page cache and is not counted. For testdata/emptyprog, which writes a
// byte first thing in main, this is the least a Go process costs to get
// to its own code on this machine: no go1 function's cold start (to its
// first poll) can be below it.
func StartToFirstOutput(ctx context.Context, binary string, n int) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	for i := 0; i <= n; i++ {
		d, err := startToFirstOutput(ctx, binary)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", binary, err)
		}
		if i > 0 {
			out = append(out, d)
		}
	}
	return out, nil
}

func startToFirstOutput(ctx context.Context, binary string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, binary)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	var first [1]byte
	_, readErr := io.ReadFull(stdout, first[:])
	d := time.Since(start)
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		return 0, err
	}
	if readErr != nil {
		return 0, fmt.Errorf("wrote nothing: %w", readErr)
	}
	return d, nil
}

package backfillbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/vlicense/fc-vehicle-license/tools/bench"
)

// Options say what to run, and at which size.
type Options struct {
	Root string // module root

	Pacing      bool          // run the pacing scenario
	Images      int           // images to recognise
	QPS         float64       // --qps
	Concurrency int           // --concurrency
	Delay       time.Duration // the stand-in's answer time

	Memory bool // run the memory scenario
	Keys   int  // keys to list

	// Env is extra environment for the CLI, e.g. GOGC=50 to try a
	// setting.
	Env      map[string]string
	Progress io.Writer // progress lines and the CLI's own; nil discards them
}

// DefaultOptions are the goal's sizes (docs/performance.md).
func DefaultOptions(root string) Options {
	return Options{
		Root: root, Pacing: true, Images: 20_000, QPS: 50, Concurrency: 16, Delay: 200 * time.Millisecond,
		Memory: true, Keys: 1_000_000,
	}
}

// Check says what is wrong with the options, if anything.
func (o Options) Check() error {
	switch {
	case !o.Pacing && !o.Memory:
		return errors.New("nothing to run")
	case o.Pacing && (o.Images < 1 || o.QPS <= 0 || o.Concurrency < 1 || o.Concurrency > 64 || o.Delay < 0):
		return errors.New("pacing needs at least 1 image, a QPS above 0, a concurrency from 1 to 64 and a delay of 0 or more")
	case o.Memory && o.Keys < 1:
		return errors.New("memory needs at least 1 key")
	}
	return nil
}

// Report is what Run measured; a scenario not run is nil.
type Report struct {
	Machine bench.Machine
	Options Options
	Pacing  *Pacing
	Memory  *Memory
}

// Run builds the CLI and runs the scenarios asked for. Nothing it started
// is left running when it returns.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if runtime.GOOS != "linux" {
		return nil, fmt.Errorf("peak RSS is read from /proc: this runs on Linux, not %s", runtime.GOOS)
	}
	if err := opts.Check(); err != nil {
		return nil, err
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	progress := func(format string, args ...any) {
		fmt.Fprintf(opts.Progress, "backfillbench: "+format+"\n", args...)
	}
	rep := &Report{Machine: bench.ReadMachine(), Options: opts}

	tmp, err := os.MkdirTemp("", "backfillbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	progress("building the CLI (go build -o %s/vlicense ./cmd/vlicense)", tmp)
	bins, err := build(ctx, opts.Root, tmp)
	if err != nil {
		return nil, err
	}
	if opts.Pacing {
		if rep.Pacing, err = runPacing(ctx, opts, bins, progress); err != nil {
			return nil, fmt.Errorf("pacing: %w", err)
		}
	}
	if opts.Memory {
		if rep.Memory, err = runMemory(ctx, opts, bins, progress); err != nil {
			return nil, fmt.Errorf("memory: %w", err)
		}
	}
	return rep, nil
}

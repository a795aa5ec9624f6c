// Command soak drives the real function binary through the local cloud
// with injected faults (transient recognition failures, failed result PUTs,
// duplicated and replayed events, re-uploads, FC's async retries) and
// checks the function's promises; see tools/soak.
//
//	go run ./tools/cmd/soak --images 1000 [--seed N] [--binary build/fc/main]
//
// It prints the report and exits 1 if an invariant was violated, 2 if the
// run could not be made.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
	"github.com/vlicense/fc-vehicle-license/tools/fnbuild"
	"github.com/vlicense/fc-vehicle-license/tools/soak"
)

func main() {
	os.Exit(run())
}

func run() int {
	opts := soak.DefaultOptions(1000)
	flag.IntVar(&opts.Images, "images", opts.Images, "distinct image keys to upload")
	flag.Int64Var(&opts.Seed, "seed", opts.Seed, "seed of every injected fault (same seed, same faults)")
	flag.StringVar(&opts.BinaryPath, "binary", "", "the built function; built like `make build` (linux/amd64, so on such a machine only) if empty")
	flag.StringVar(&opts.SpecPath, "spec", "", "s.yaml (default: the repository's)")
	flag.Float64Var(&opts.OCRFailureRate, "ocr-failures", opts.OCRFailureRate, "share of recognition calls failing transiently (503, 502, throttled, slow)")
	flag.Float64Var(&opts.SlowRate, "slow", opts.SlowRate, "share of recognition calls slower than OCR_TIMEOUT (part of -ocr-failures)")
	flag.Float64Var(&opts.RejectRate, "reject", opts.RejectRate, "share of keys the vendor refuses")
	flag.Float64Var(&opts.OutageRate, "outages", opts.OutageRate, "share of keys whose first invocation gets only 503s (FC retries it)")
	flag.Float64Var(&opts.LastAttemptRate, "last-attempt", opts.LastAttemptRate, "share of keys failing up to FC's last attempt")
	flag.BoolVar(&opts.Versioned, "versioned", false, "turn on bucket versioning (signed URLs pinned to the version read)")
	flag.Float64Var(&opts.PutFailureRate, "put-failures", opts.PutFailureRate, "share of result PUTs failed with 500/503")
	flag.Float64Var(&opts.DuplicateRate, "duplicates", opts.DuplicateRate, "share of events delivered twice")
	flag.Float64Var(&opts.ReuploadRate, "reuploads", opts.ReuploadRate, "share of keys uploaded again with new content")
	flag.Float64Var(&opts.MidFlightRate, "midflight", opts.MidFlightRate, "share of keys uploaded again during their first recognition call")
	flag.Float64Var(&opts.ReplayRate, "replays", opts.ReplayRate, "share of newer uploads followed by a replay of the older event")
	flag.IntVar(&opts.Window, "window", opts.Window, "events queued or in delivery before the next upload")
	verbose := flag.Bool("v", false, "print the function's log lines")
	flag.Parse()
	if opts.Images < 1 {
		fmt.Fprintln(os.Stderr, "soak: --images must be at least 1")
		return 2
	}
	// A rate of 0 on the command line means none (0 in Options means the default).
	for _, r := range []*float64{&opts.OCRFailureRate, &opts.SlowRate, &opts.RejectRate, &opts.OutageRate, &opts.LastAttemptRate, &opts.PutFailureRate,
		&opts.DuplicateRate, &opts.ReuploadRate, &opts.MidFlightRate, &opts.ReplayRate} {
		if *r == 0 {
			*r = soak.Off
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root, err := deployspec.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 2
	}
	if opts.SpecPath == "" {
		opts.SpecPath = filepath.Join(root, "s.yaml")
	}
	if opts.BinaryPath == "" {
		dir, err := os.MkdirTemp("", "soak-fn-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			return 2
		}
		defer os.RemoveAll(dir)
		opts.BinaryPath = filepath.Join(dir, "main")
		if err := fnbuild.CheckPlatform(); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			return 2
		}
		fmt.Fprintln(os.Stderr, "soak: building the function like `make build`")
		if err := fnbuild.Build(ctx, root, ".", opts.BinaryPath); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			return 2
		}
	}
	opts.Out = os.Stderr
	if *verbose {
		opts.FunctionOutput = os.Stderr
	} else {
		opts.FunctionOutput = io.Discard
	}

	rep, err := soak.Run(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 2
	}
	rep.Print(os.Stdout)
	if !rep.OK() {
		if rep.LeftoverStacks != "" {
			fmt.Fprintln(os.Stderr, rep.LeftoverStacks)
		}
		return 1
	}
	return 0
}

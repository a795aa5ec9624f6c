// Command backfillbench measures `vlicense backfill` as an operator runs
// it: it builds the CLI, starts a local OSS server and a recognition
// stand-in in this process, runs the CLI against them as a child process
// and prints one markdown table; see tools/backfillbench for the methods.
//
//	go run ./tools/cmd/backfillbench [-images 20000] [-qps 50] [-concurrency 16] [-delay 200ms] [-keys 1000000] [-only pacing|memory] [-env KEY=VALUE]
//
// At the goal's sizes (the defaults) it takes about half an hour: 400 s of
// pacing, then a dry run over a million keys, whose time is mostly the
// local OSS server's listing. -images 2000 -keys 100000 is a quick look.
//
// Exit code: 0 when every goal is met, 1 when one is not, 2 when the run
// could not be made, 130 when interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/vlicense/fc-vehicle-license/tools/backfillbench"
	"github.com/vlicense/fc-vehicle-license/tools/bench"
	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
)

func main() {
	os.Exit(run())
}

func run() int {
	root, err := deployspec.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "backfillbench:", err)
		return 2
	}
	opts := backfillbench.DefaultOptions(root)
	var only string
	flag.IntVar(&opts.Images, "images", opts.Images, "pacing: images to recognise")
	flag.Float64Var(&opts.QPS, "qps", opts.QPS, "pacing: the backfill's --qps; the goal is this ± 5%")
	flag.IntVar(&opts.Concurrency, "concurrency", opts.Concurrency, "pacing: the backfill's --concurrency (1 to 64)")
	flag.DurationVar(&opts.Delay, "delay", opts.Delay, "pacing: the stand-in's answer time")
	flag.IntVar(&opts.Keys, "keys", opts.Keys, "memory: keys the dry run lists")
	flag.StringVar(&only, "only", "", "run one scenario: pacing or memory (default both)")
	flag.Func("env", "KEY=VALUE added to the CLI's environment (repeatable), e.g. -env GOGC=50", bench.EnvFlag(&opts.Env))
	flag.Parse()
	switch only {
	case "":
	case "pacing":
		opts.Memory = false
	case "memory":
		opts.Pacing = false
	default:
		fmt.Fprintf(os.Stderr, "backfillbench: -only must be pacing or memory, got %q\n", only)
		return 2
	}
	if err := opts.Check(); err != nil {
		fmt.Fprintln(os.Stderr, "backfillbench:", err)
		return 2
	}
	opts.Progress = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := backfillbench.Run(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backfillbench:", err)
		if errors.Is(err, context.Canceled) {
			return 130
		}
		return 2
	}
	fmt.Print(rep.Markdown())
	if failed := rep.Failed(); len(failed) > 0 {
		for _, f := range failed {
			fmt.Fprintln(os.Stderr, "backfillbench: goal not met:", f)
		}
		return 1
	}
	return 0
}

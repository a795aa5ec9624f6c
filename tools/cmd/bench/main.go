// Command bench measures the function as Function Compute runs it: the
// stripped linux binary that `make build` makes, under the local cloud's
// FC runtime emulator with the local OSS and recognition stand-in, side by
// side with the Node.js/ali-oss baseline of tools/bench/node when it is
// installed (make bench-node-deps). It prints one markdown table; see
// tools/bench for the methods.
//
//	go run ./tools/cmd/bench [-function build/fc/main] [-coldstarts 15] [-invocations 200] [-node=false] ...
//
// It exits 1 if a measurement failed or the batch event had more than
// CONCURRENCY recognition calls in flight at once.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/vlicense/fc-vehicle-license/tools/bench"
	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
)

func main() {
	os.Exit(run())
}

func run() int {
	root, err := deployspec.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	opts := bench.DefaultOptions(root)
	flag.StringVar(&opts.Function, "function", "", "the function binary to measure (make bench passes build/fc/main); empty builds it like `make build`")
	flag.IntVar(&opts.ColdStarts, "coldstarts", opts.ColdStarts, "fresh processes measured per function")
	flag.IntVar(&opts.Warmup, "warmup", opts.Warmup, "one-image invocations before measuring")
	flag.IntVar(&opts.Invocations, "invocations", opts.Invocations, "measured one-image invocations (sequential)")
	flag.IntVar(&opts.Records, "records", opts.Records, "records of the batch event")
	flag.IntVar(&opts.Concurrency, "concurrency", opts.Concurrency, "CONCURRENCY given to the function for the whole run")
	flag.DurationVar(&opts.Delay, "delay", opts.Delay, "the recognition stand-in's answer time during the batch event")
	flag.BoolVar(&opts.Node, "node", opts.Node, "also measure the Node.js baseline when node and "+bench.NodeDir+"/node_modules exist")
	flag.Func("env", "KEY=VALUE added to the functions' environment (repeatable), e.g. -env GOMAXPROCS=1", bench.EnvFlag(&opts.Env))
	flag.Parse()
	if opts.ColdStarts < 1 || opts.Invocations < 1 || opts.Records < 1 || opts.Concurrency < 1 || opts.Concurrency > 64 || opts.Warmup < 0 || opts.Delay < 0 {
		fmt.Fprintln(os.Stderr, "bench: -coldstarts, -invocations and -records must be at least 1, -concurrency 1 to 64")
		return 2
	}
	opts.Progress = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := bench.Run(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	fmt.Print(rep.Markdown())
	if v := rep.Violations(); len(v) > 0 {
		for _, s := range v {
			fmt.Fprintln(os.Stderr, "bench: FAILED:", s)
		}
		return 1
	}
	return 0
}

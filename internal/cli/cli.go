// Package cli is the operator's command-line tool (cmd/vlicense): commands
// to see the whole pipeline work locally and to run the function's handler
// against a real bucket.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitFailed      = 1 // the command ran and something failed
	ExitUsage       = 2 // wrong command line or configuration
	ExitInterrupted = 130
)

// IO is where a command reads its environment and writes its output; tests
// replace every part.
type IO struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// IsTerminal reports whether Stderr is a terminal (progress bars).
	IsTerminal bool
	// Signals, when set, replaces the process's interrupt signals (tests).
	Signals <-chan os.Signal
	// Exit ends the process at a second Ctrl-C; nil means os.Exit.
	Exit func(code int)
}

type command struct {
	name, summary string
	run           func(ctx context.Context, std IO, args []string) int
}

func commands() []command {
	return []command{
		{"demo", "run the whole pipeline on this machine with sample images and show what happens", runDemo},
		{"local", "start a local cloud (OSS, recognition API, FC) with the function and keep it running", runLocal},
		{"invoke", "run the handler once on an OSS event file against the configured endpoints", runInvoke},
		{"backfill", "recognise images that were uploaded before the trigger existed", runBackfill},
		{"report", "list the result documents as a table (CSV or JSONL) for the people who act on them", runReport},
		{"preflight", "check, before make deploy, everything a deployment needs from this machine and s.yaml", runPreflight},
	}
}

// Run executes the command named by args[0] and returns the exit code.
func Run(args []string, std IO) int {
	switch {
	case len(args) == 0:
		usage(std.Stderr)
		return ExitUsage
	case args[0] == "help" && len(args) > 1:
		// help CMD is CMD --help.
		args = []string{args[1], "--help"}
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help":
		usage(std.Stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			ctx, stop := interruptible(std, c.name)
			defer stop()
			return c.run(ctx, std, args[1:])
		}
	}
	fmt.Fprintf(std.Stderr, "unknown command %q\n\n", args[0])
	usage(std.Stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `vlicense: the operator's tool for the 行驶证 recognition function on Function Compute.

Usage: vlicense <command> [flags]      (vlicense help <command> for the flags of one)

Commands:`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
}

// interruptible returns a context cancelled by Ctrl-C or SIGTERM. The
// first signal says at once what the command still waits for (what is in
// flight finishes: a result is written whole or not at all); a second one
// exits at once.
func interruptible(std IO, name string) (context.Context, func()) {
	signals := std.Signals
	var stopSignals func()
	if signals == nil {
		ch := make(chan os.Signal, 2)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		signals, stopSignals = ch, func() { signal.Stop(ch) }
	}
	exit := std.Exit
	if exit == nil {
		exit = os.Exit
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		select {
		case <-signals:
		case <-done:
			return
		}
		fmt.Fprintf(std.Stderr, "\n%s: interrupted: stopping; waiting for what is in flight to finish (Ctrl-C again to quit at once)\n", name)
		cancel()
		select {
		case <-signals:
			fmt.Fprintf(std.Stderr, "%s: quit: what was in flight may be left undone; run the command again\n", name)
			exit(ExitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		cancel()
		if stopSignals != nil {
			stopSignals()
		}
	}
}

// parseFlags parses a command's flags. --help prints the command's help
// on stdout and is not an error; a wrong flag is said on stderr with a
// pointer to the help. ok is false when the command must stop with code.
func parseFlags(fs *flag.FlagSet, std IO, args []string, intro string) (ok bool, code int) {
	fs.SetOutput(std.Stderr)
	fs.Usage = func() {} // the error alone, then the hint below
	help := func() {
		fmt.Fprintln(std.Stdout, intro)
		fmt.Fprintln(std.Stdout, "\nFlags:")
		fs.SetOutput(std.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(std.Stderr)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help()
			return false, ExitOK
		}
		fmt.Fprintf(std.Stderr, "run vlicense help %s for its flags\n", fs.Name())
		return false, ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(std.Stderr, "unexpected argument %q: run vlicense help %s for its flags\n", fs.Arg(0), fs.Name())
		return false, ExitUsage
	}
	return true, 0
}

// defaultFunction is where `make demo` and `make local` put the function
// built for this machine: the local cloud runs it the way FC runs build/fc/main.
const defaultFunction = "build/local/function"

// checkFunction says how to get the function binary when it is missing.
func checkFunction(path string) error {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("no function binary at %s: build it with `go build -o %s .` in the repository (make demo does)", path, path)
	case st.IsDir():
		return fmt.Errorf("--function %s is a directory, not the function binary", path)
	}
	return nil
}

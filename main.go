// Command main is the 行驶证 recognition function for Function Compute 3.0
// (runtime go1). Under FC (FC_RUNTIME_API set) it only wires configuration,
// clients built once per instance and the handler, and hands them to the FC
// runtime. Anywhere else it is a command-line tool: demo, local, invoke,
// backfill (internal/cli).
package main

import (
	"log/slog"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"github.com/vlicense/fc-vehicle-license/internal/app"
	"github.com/vlicense/fc-vehicle-license/internal/cli"
	"github.com/vlicense/fc-vehicle-license/internal/config"
)

func main() {
	if os.Getenv("FC_RUNTIME_API") == "" {
		os.Exit(cli.Run(os.Args[1:], cli.IO{
			Stdout:     os.Stdout,
			Stderr:     os.Stderr,
			Getenv:     os.Getenv,
			IsTerminal: isTerminal(os.Stderr),
		}))
	}
	serve()
}

// serve runs the function: configuration is checked once at start, and a
// bad one stops the instance with one line naming every bad variable.
func serve() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		log.Error("function not started", "error", err.Error())
		os.Exit(1)
	}
	// FC also provides the role's credentials as environment variables at
	// start; each invocation then brings fresh ones.
	a, err := app.New(cfg, log, app.EnvCredentials(os.Getenv))
	if err != nil {
		log.Error("function not started", "error", err.Error())
		os.Exit(1)
	}
	fc.Start(a.Handler.HandlePayload)
}

// isTerminal is true for a character device (a terminal): progress bars
// redraw in place there and print plain lines anywhere else.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

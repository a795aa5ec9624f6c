// Command main is the 行驶证 recognition function for Function Compute 3.0
// (runtime go1). Under FC (FC_RUNTIME_API set) it only wires configuration,
// clients built once per instance and the handler, and hands them to the FC
// runtime. Anywhere else it is a command-line tool (demo, local, invoke,
// backfill), except in the build FC runs: `make build` uses -tags fconly,
// which leaves the CLI out so that it adds nothing to an instance's start.
package main

import (
	"log/slog"
	"os"
	"runtime"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"github.com/vlicense/fc-vehicle-license/internal/app"
	"github.com/vlicense/fc-vehicle-license/internal/config"
)

func main() {
	if os.Getenv("FC_RUNTIME_API") == "" {
		os.Exit(runCLI(os.Args[1:]))
	}
	serve()
}

// serve runs the function: configuration is checked once at start, and a
// bad one stops the instance with one line naming every bad variable.
func serve() {
	// An instance sees the host's CPUs but gets a fraction of one (0.1 vCPU
	// at 128 MB); the work is waiting on OSS and the vendor. One P saves the
	// runtime's thread wake-ups: about a quarter of the CPU per invocation
	// (README, "Performance"). GOMAXPROCS in the environment still wins.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
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

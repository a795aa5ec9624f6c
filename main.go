// Command main is the 行驶证 recognition function for Function Compute 3.0
// (runtime go1): it reads the configuration, builds the clients once per
// instance and hands the handler to the FC runtime. The operator's commands
// are another program, cmd/vlicense.
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
	// An instance sees the host's CPUs but gets a fraction of one (0.1 vCPU
	// at 128 MB) and mostly waits on OSS and the vendor: one P saves the
	// runtime's thread wake-ups (docs/performance.md). GOMAXPROCS in the
	// environment still wins.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if os.Getenv("FC_RUNTIME_API") == "" {
		log.Error("function not started", "error", "FC_RUNTIME_API is not set: this program is the Function Compute function and only runs under FC (or the local cloud of cmd/vlicense: make demo)")
		os.Exit(2)
	}
	// A bad configuration stops the instance with one line naming every bad
	// variable.
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

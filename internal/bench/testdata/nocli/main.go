// Command nocli is the function without its command-line tool: main.go's
// serve() alone (configuration, clients, handler, fc.Start), with none of
// internal/cli linked in. The bench builds it like the real binary and
// compares cold starts: the difference is what the CLI parts add to
// starting an FC instance. Keep it in step with serve() in main.go.
package main

import (
	"log/slog"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"github.com/vlicense/fc-vehicle-license/internal/app"
	"github.com/vlicense/fc-vehicle-license/internal/config"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		log.Error("function not started", "error", err.Error())
		os.Exit(1)
	}
	a, err := app.New(cfg, log, app.EnvCredentials(os.Getenv))
	if err != nil {
		log.Error("function not started", "error", err.Error())
		os.Exit(1)
	}
	fc.Start(a.Handler.HandlePayload)
}

// Command main is the 行驶证 recognition function for Function Compute 3.0
// (runtime go1). It only wires: configuration, clients built once per
// instance, and the handler handed to the FC runtime.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/config"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/recognition"
)

func main() {
	if os.Getenv("FC_RUNTIME_API") == "" {
		fmt.Fprintln(os.Stderr, "this is a Function Compute function: FC_RUNTIME_API is not set, so there is no runtime to serve. See README.md to run it locally.")
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))

	cfg, err := config.Load(os.Getenv)
	if err != nil {
		log.Error("function not started", "error", err.Error())
		os.Exit(1)
	}
	h, err := build(cfg, log)
	if err != nil {
		log.Error("function not started", "error", err.Error())
		os.Exit(1)
	}
	fc.Start(h.HandlePayload)
}

// build creates the clients once for the life of the instance.
func build(cfg config.Config, log *slog.Logger) (*handler.Handler, error) {
	store, err := objectstore.New(objectstore.Config{
		Endpoint:       cfg.OSSEndpoint,
		PublicEndpoint: cfg.OSSPublicEndpoint,
		Region:         cfg.OSSRegion,
		MaxConns:       cfg.Concurrency,
		// FC also provides the role's credentials as environment variables
		// at start; each invocation then brings fresh ones.
		Credentials: objectstore.Credentials{
			AccessKeyID:     os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"),
			AccessKeySecret: os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
			SecurityToken:   os.Getenv("ALIBABA_CLOUD_SECURITY_TOKEN"),
		},
	})
	if err != nil {
		return nil, err
	}
	ocr := recognition.New(recognition.Config{
		Endpoint:    cfg.OCREndpoint,
		AppCode:     cfg.OCRAppCode,
		Timeout:     cfg.OCRTimeout,
		MaxAttempts: cfg.OCRMaxAttempts,
		MaxConns:    cfg.Concurrency,
	})
	return handler.New(handler.OptionsFrom(cfg), handler.Deps{
		Store:       store,
		Recognizer:  ocr,
		Credentials: store,
		Logger:      log,
	}), nil
}

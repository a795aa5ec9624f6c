package cli

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/vlicense/fc-vehicle-license/internal/app"
	"github.com/vlicense/fc-vehicle-license/internal/config"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
)

// operatorCredentials are the operator's own AccessKey, from the variables
// the Alibaba Cloud CLI and SDKs read.
func operatorCredentials(std IO) (objectstore.Credentials, error) {
	creds := app.EnvCredentials(std.Getenv)
	if creds.AccessKeyID == "" || creds.AccessKeySecret == "" {
		return creds, errors.New("no credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials)")
	}
	return creds, nil
}

// buildApp loads the configuration and credentials from the environment the
// way the function does at start, serving buckets unless SOURCE_BUCKETS is
// set. nil means stop with code.
func buildApp(std IO, log *slog.Logger, buckets []string, opts ...app.Option) (*app.App, int) {
	cfg, err := config.LoadServing(std.Getenv, buckets)
	if err != nil {
		fmt.Fprintln(std.Stderr, err)
		return nil, ExitUsage
	}
	creds, err := operatorCredentials(std)
	if err != nil {
		fmt.Fprintln(std.Stderr, err)
		return nil, ExitUsage
	}
	a, err := app.New(cfg, log, creds, append(opts, app.AsOperator())...)
	if err != nil {
		fmt.Fprintln(std.Stderr, err)
		return nil, ExitUsage
	}
	return a, ExitOK
}

// operatorStore builds an OSS client from the operator's environment: the
// OSS settings only, and the operator's own AccessKey.
func operatorStore(std IO, cmd string, conns int) (config.Config, *objectstore.Store, int) {
	cfg, err := config.LoadStorage(std.Getenv)
	if err != nil {
		fmt.Fprintf(std.Stderr, "%s: %v\n", cmd, err)
		return cfg, nil, ExitUsage
	}
	creds, err := operatorCredentials(std)
	if err != nil {
		fmt.Fprintf(std.Stderr, "%s: %v\n", cmd, err)
		return cfg, nil, ExitUsage
	}
	store, err := objectstore.New(objectstore.Config{Endpoint: cfg.OSSEndpoint, PublicEndpoint: cfg.OSSPublicEndpoint,
		Region: cfg.OSSRegion, MaxConns: conns, Credentials: creds})
	if err != nil {
		fmt.Fprintf(std.Stderr, "%s: %v\n", cmd, err)
		return cfg, nil, ExitUsage
	}
	return cfg, store, ExitOK
}

// Package app builds the function's collaborators from its configuration:
// the one place that knows how the pieces fit, shared by the FC entry point
// and the CLI commands that run the same handler.
package app

import (
	"log/slog"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/config"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/recognition"
)

// App is a wired handler, the store it uses and the configuration it was
// built from.
type App struct {
	Config  config.Config
	Handler *handler.Handler
	Store   *objectstore.Store
}

// Option changes how New builds the clients.
type Option func(*recognition.Config, *handler.Options)

// WithRecognitionPacer spaces the recognition calls out (the operator's
// backfill --qps).
func WithRecognitionPacer(p recognition.Pacer) Option {
	return func(c *recognition.Config, _ *handler.Options) { c.Pacer = p }
}

// AsOperator says that the credentials are a person's own AccessKey (the
// CLI's invoke and backfill), not the function's role.
func AsOperator() Option {
	return func(_ *recognition.Config, o *handler.Options) { o.OperatorCredentials = true }
}

// New creates the clients once, for the life of the process: connections
// stay warm across invocations. creds are used until an invocation brings
// its own.
func New(cfg config.Config, log *slog.Logger, creds objectstore.Credentials, opts ...Option) (*App, error) {
	store, err := objectstore.New(objectstore.Config{
		Endpoint:       cfg.OSSEndpoint,
		PublicEndpoint: cfg.OSSPublicEndpoint,
		Region:         cfg.OSSRegion,
		MaxConns:       cfg.Concurrency,
		Credentials:    creds,
	})
	if err != nil {
		return nil, err
	}
	rc := recognition.Config{
		Endpoint:    cfg.OCREndpoint,
		AppCode:     cfg.OCRAppCode,
		AppKey:      cfg.OCRAppKey,
		AppSecret:   cfg.OCRAppSecret,
		Timeout:     cfg.OCRTimeout,
		MaxAttempts: cfg.OCRMaxAttempts,
		MaxConns:    cfg.Concurrency,
	}
	ho := handler.OptionsFrom(cfg)
	for _, o := range opts {
		o(&rc, &ho)
	}
	ocr := recognition.New(rc)
	h := handler.New(ho, handler.Deps{
		Store:       store,
		Recognizer:  ocr,
		Credentials: store,
		Logger:      log,
	})
	return &App{Config: cfg, Handler: h, Store: store}, nil
}

// EnvCredentials reads the credentials FC (and the Alibaba Cloud CLI
// conventions) put in the environment.
func EnvCredentials(getenv func(string) string) objectstore.Credentials {
	return objectstore.Credentials{
		AccessKeyID:     getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"),
		AccessKeySecret: getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
		SecurityToken:   getenv("ALIBABA_CLOUD_SECURITY_TOKEN"),
	}
}

// Package handler is the function: for each record of an OSS trigger event
// it filters, reads the image and its result, signs a URL for the image,
// has the vendor recognise it and writes the result next to the image.
//
// fc.go adapts FC's invocations to the per-image pipeline (pipeline.go);
// lastattempt.go keeps FC's last attempt from losing an image; filter.go
// holds the rules on events and keys; document.go and summary.go are what
// the function writes and returns.
package handler

import (
	"context"
	"log/slog"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/config"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/recognition"
)

// ObjectStore is what the handler needs of OSS.
type ObjectStore interface {
	Head(ctx context.Context, bucket, key string) (objectstore.ObjectInfo, error)
	Put(ctx context.Context, bucket, key string, obj objectstore.Object) error
	SignGetURL(bucket, key, versionID string, ttl time.Duration) (string, error)
}

// Recognizer is what the handler needs of the recognition API.
type Recognizer interface {
	Recognize(ctx context.Context, req recognition.Request) recognition.Result
}

// CredentialsSink takes the STS credentials each invocation brings.
type CredentialsSink interface {
	SetCredentials(objectstore.Credentials)
}

// Options are the handler's settings (see internal/config).
type Options struct {
	CardSide        string
	ResultSuffix    string
	ImageExtensions []string
	SignedURLTTL    time.Duration
	Concurrency     int
	// WriteReserve is kept free before the invocation deadline for writing
	// results: recognition stops waiting that much earlier.
	WriteReserve time.Duration
	// SourceBuckets and SourcePrefix are what the function serves; records
	// for anything else are refused before anything is read or signed.
	SourceBuckets []string
	SourcePrefix  string
	// MaxAsyncRetryAttempts is FC's retry count for the function (s.yaml):
	// the invocation with that x-fc-retry-count is the last one.
	MaxAsyncRetryAttempts int
	// WriteAttempts bounds the PUTs of one result document (default 3).
	WriteAttempts int
	// ResultEncryption and ResultKMSKeyID encrypt the results: "" (the
	// bucket's default), AES256, or KMS with a key id.
	ResultEncryption, ResultKMSKeyID string
	// OperatorCredentials says the handler runs with a person's own
	// AccessKey (the CLI), not the function's role: failures name what
	// that person can check.
	OperatorCredentials bool
}

// Deps are the handler's collaborators, built once per instance.
type Deps struct {
	Store       ObjectStore
	Recognizer  Recognizer
	Credentials CredentialsSink // may be nil when credentials never change
	Logger      *slog.Logger
	Now         func() time.Time
}

// Handler processes OSS trigger events and objects found by listing.
type Handler struct {
	opts Options
	deps Deps
}

// New builds a handler from config-validated options.
func New(opts Options, deps Deps) *Handler {
	if opts.Concurrency < 1 {
		opts.Concurrency = 1
	}
	if opts.WriteReserve <= 0 {
		opts.WriteReserve = 3 * time.Second
	}
	if opts.WriteAttempts <= 0 {
		opts.WriteAttempts = 3
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Handler{opts: opts, deps: deps}
}

// OptionsFrom maps the instance configuration to handler options.
func OptionsFrom(c config.Config) Options {
	return Options{
		CardSide:        c.CardSide,
		ResultSuffix:    c.ResultSuffix,
		ImageExtensions: c.ImageExtensions,
		SignedURLTTL:    c.SignedURLTTL,
		Concurrency:     c.Concurrency,

		SourceBuckets:         c.SourceBuckets,
		SourcePrefix:          c.SourcePrefix,
		MaxAsyncRetryAttempts: c.MaxAsyncRetryAttempts,
		ResultEncryption:      c.ResultEncryption,
		ResultKMSKeyID:        c.ResultKMSKeyID,
	}
}

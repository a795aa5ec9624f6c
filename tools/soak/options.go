package soak

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// Off, as a rate, disables that fault; a zero rate takes the default.
const Off = -1

// Defaults of Options: the fault mix of `make soak`.
const (
	DefaultOCRFailureRate = 0.20  // transient recognition failures, per call
	DefaultSlowRate       = 0.02  // of which answers slower than OCR_TIMEOUT
	DefaultRejectRate     = 0.03  // images the vendor refuses, per key
	DefaultOutageRate     = 0.02  // keys whose first invocation gets only 503s
	DefaultLastAttempt    = 0.005 // keys that get only 503s up to FC's last attempt
	DefaultPutFailureRate = 0.05  // result PUTs failed with 500/503
	DefaultDuplicateRate  = 0.10  // events delivered twice
	DefaultReuploadRate   = 0.10  // keys uploaded again with new content
	DefaultMidFlightRate  = 0.01  // keys uploaded again while their first recognition call is in progress
	DefaultReplayRate     = 1.0   // newer uploads followed by a replay of the older event
	DefaultWindow         = 4
	DefaultOCRTimeout     = time.Second
	DefaultRetryBackoff   = 20 * time.Millisecond
	DefaultSettleTimeout  = 10 * time.Minute
)

// Options configure a soak run. Rates are probabilities in [0, 1]; a zero
// rate takes its default and Off (any negative value) disables it. Every
// decision is a hash of Seed and what it is about (key, version, call
// number), never of timing, so one seed injects the same faults into the
// same images on every run.
type Options struct {
	// Images is how many distinct image keys are uploaded. Required.
	Images int
	Seed   int64
	// BinaryPath is the built function, SpecPath s.yaml. Required.
	BinaryPath, SpecPath string

	// OCRFailureRate is the share of recognition calls answered with a
	// transient failure: 503, 502, gateway throttling (403 "Throttled by
	// USER Flow Control") or, for SlowRate of all calls, a success held back
	// twice OCR_TIMEOUT so that the function's client cuts it.
	OCRFailureRate float64
	SlowRate       float64
	// RejectRate is the share of keys the vendor refuses (400, code 1009):
	// they must end with a failed "rejected" document and are never billed.
	RejectRate float64
	// OutageRate is the share of keys whose first invocation gets 503 on
	// every call (OCR_MAX_ATTEMPTS of them), so that FC's asynchronous retry
	// is what recognises them; LastAttemptRate the share that gets 503 on
	// every call of every attempt, so that FC's last attempt writes a failed
	// "transient" document and the event goes to the failure destination.
	// Those calls count on top of OCRFailureRate.
	OutageRate      float64
	LastAttemptRate float64
	// PutFailureRate is the share of result PUTs (method PUT on the internal
	// endpoint, key ending in the result suffix) answered 500 or 503 without
	// storing anything.
	PutFailureRate float64
	// DuplicateRate is the share of upload events delivered a second time
	// (half right behind the original, half a few uploads later).
	DuplicateRate float64
	// ReuploadRate is the share of keys uploaded again with new content (a
	// new ETag) a few uploads later: before, during or after the first
	// version's recognition. A re-uploaded key may be uploaded a third time.
	ReuploadRate float64
	// MidFlightRate is the share of keys uploaded again from inside their
	// first recognition call, after the function read the image's ETag and
	// before the vendor fetches it: the widest version of the race above.
	MidFlightRate float64
	// ReplayRate is the share of newer uploads after which the event of the
	// previous version of the key is delivered again.
	ReplayRate float64
	// Versioned turns on bucket versioning: signed URLs are then pinned to
	// the version read, and re-uploads during recognition cost nothing.
	Versioned bool

	// Window bounds the events queued or in delivery before the next upload,
	// so that uploads, retries, duplicates and replays interleave.
	Window int
	// OCRTimeout is the function's OCR_TIMEOUT (at least 1s).
	OCRTimeout time.Duration
	// RetryBackoff is FC's first asynchronous retry backoff (doubling).
	RetryBackoff time.Duration
	// SettleTimeout bounds the wait for the cloud to be quiet at the end.
	SettleTimeout time.Duration
	// MaxPeakRSS bounds the function's peak resident memory, in bytes; zero
	// means the memorySize of s.yaml.
	MaxPeakRSS int64

	// Out receives progress lines; nil discards them.
	Out io.Writer
	// FunctionOutput receives the function's JSON log lines; nil discards
	// them (they are still counted).
	FunctionOutput io.Writer
}

// DefaultOptions returns the default fault mix for n images.
func DefaultOptions(n int) Options {
	return Options{Images: n, Seed: 1}.withDefaults()
}

func (o Options) withDefaults() Options {
	rate := func(v *float64, def float64) {
		switch {
		case *v == 0:
			*v = def
		case *v < 0:
			*v = 0
		}
	}
	rate(&o.OCRFailureRate, DefaultOCRFailureRate)
	rate(&o.SlowRate, DefaultSlowRate)
	rate(&o.RejectRate, DefaultRejectRate)
	rate(&o.OutageRate, DefaultOutageRate)
	rate(&o.LastAttemptRate, DefaultLastAttempt)
	rate(&o.PutFailureRate, DefaultPutFailureRate)
	rate(&o.DuplicateRate, DefaultDuplicateRate)
	rate(&o.ReuploadRate, DefaultReuploadRate)
	rate(&o.MidFlightRate, DefaultMidFlightRate)
	rate(&o.ReplayRate, DefaultReplayRate)
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.OCRTimeout <= 0 {
		o.OCRTimeout = DefaultOCRTimeout
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = DefaultRetryBackoff
	}
	if o.SettleTimeout <= 0 {
		o.SettleTimeout = DefaultSettleTimeout
	}
	return o
}

func (o Options) validate() error {
	var errs []error
	if o.Images < 1 {
		errs = append(errs, errors.New("Images must be at least 1"))
	}
	if o.BinaryPath == "" || o.SpecPath == "" {
		errs = append(errs, errors.New("BinaryPath and SpecPath are required"))
	}
	for name, v := range map[string]float64{
		"OCRFailureRate": o.OCRFailureRate, "SlowRate": o.SlowRate, "RejectRate": o.RejectRate,
		"OutageRate": o.OutageRate, "LastAttemptRate": o.LastAttemptRate,
		"PutFailureRate": o.PutFailureRate, "DuplicateRate": o.DuplicateRate, "ReuploadRate": o.ReuploadRate,
		"MidFlightRate": o.MidFlightRate, "ReplayRate": o.ReplayRate,
	} {
		if v > 1 {
			errs = append(errs, fmt.Errorf("%s %.3f is more than 1", name, v))
		}
	}
	if o.SlowRate > o.OCRFailureRate {
		errs = append(errs, fmt.Errorf("SlowRate %.3f is part of OCRFailureRate %.3f and cannot exceed it", o.SlowRate, o.OCRFailureRate))
	}
	if o.OCRTimeout < time.Second {
		errs = append(errs, fmt.Errorf("OCRTimeout %s: OCR_TIMEOUT must be at least 1s", o.OCRTimeout))
	}
	if len(errs) > 0 {
		return fmt.Errorf("soak: %w", errors.Join(errs...))
	}
	return nil
}

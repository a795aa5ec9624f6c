// Package retry is the one retry loop of the function: the recognition
// calls and the result writes both go through it. It is
// github.com/cenkalti/backoff/v5 with the two things the function needs on
// top: full-jitter backoff, and no attempt started too close to the
// invocation's deadline.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Policy says how often and how patiently to try.
type Policy struct {
	// Attempts bounds the calls of the operation (at least 1).
	Attempts int
	// Base and Max shape the waits: a random wait up to Base·2^(n-1),
	// capped at Max ("full jitter": instances throttled together do not
	// retry together).
	Base, Max time.Duration
	// MinAttempt is the least time worth starting an attempt with: no retry
	// starts unless its wait plus MinAttempt fits before ctx's deadline.
	MinAttempt time.Duration
}

// Stop says why Do stopped.
type Stop int

const (
	// Done: the operation returned nil or a Permanent error.
	Done Stop = iota
	// Exhausted: every attempt of the policy was used.
	Exhausted
	// NoTimeLeft: the deadline was too near for another attempt.
	NoTimeLeft
	// Cancelled: ctx ended.
	Cancelled
)

// Permanent marks an error that another attempt cannot fix: Do returns it
// at once, unwrapped.
func Permanent(err error) error { return backoff.Permanent(err) }

// Notify hears each retry before its wait: the attempt that failed and why.
type Notify func(attempt int, err error, wait time.Duration)

// Do calls op (with the attempt's number, from 1) until it returns nil or a
// Permanent error, or the policy stops it. It returns the attempts made,
// why it stopped, and op's last error (nil when it succeeded).
func Do(ctx context.Context, p Policy, op func(attempt int) error, notify Notify) (attempts int, stop Stop, err error) {
	var last error
	opts := []backoff.RetryOption{
		backoff.WithBackOff(&fullJitter{base: p.Base, max: p.Max}),
		backoff.WithMaxTries(uint(max(p.Attempts, 1))),
		backoff.WithMaxElapsedTime(elapsedBudget(ctx, p.MinAttempt)),
	}
	if notify != nil {
		opts = append(opts, backoff.WithNotify(func(_ error, wait time.Duration) { notify(attempts, last, wait) }))
	}
	_, err = backoff.Retry(ctx, func() (struct{}, error) {
		attempts++
		last = op(attempts)
		return struct{}{}, last
	}, opts...)

	var permanent *backoff.PermanentError
	switch {
	case err == nil:
		return attempts, Done, nil
	case errors.As(last, &permanent):
		return attempts, Done, permanent.Unwrap()
	case attempts >= p.Attempts:
		return attempts, Exhausted, last
	case ctx.Err() != nil:
		return attempts, Cancelled, last
	}
	return attempts, NoTimeLeft, last
}

// elapsedBudget turns ctx's deadline into backoff's limit on the time from
// the first attempt to the start of the last one. Without a deadline there
// is no limit (0); with one too near, the smallest limit (no retry at all).
func elapsedBudget(ctx context.Context, minAttempt time.Duration) time.Duration {
	deadline, ok := ctx.Deadline()
	if !ok {
		return 0
	}
	return max(time.Until(deadline)-minAttempt, time.Nanosecond)
}

// fullJitter is exponential backoff with "full jitter": a uniformly random
// wait between 0 and the exponential ceiling.
type fullJitter struct {
	base, max time.Duration
	n         int
}

func (b *fullJitter) Reset() { b.n = 0 }

func (b *fullJitter) NextBackOff() time.Duration {
	ceiling := b.max
	if b.n < 32 && b.base<<b.n > 0 && b.base<<b.n < b.max {
		ceiling = b.base << b.n
	}
	b.n++
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

package retry

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errAgain = errors.New("try again")

func fast(attempts int) Policy {
	return Policy{Attempts: attempts, Base: time.Millisecond, Max: 2 * time.Millisecond}
}

func TestDo(t *testing.T) {
	permanent := errors.New("refused")
	cases := []struct {
		name         string
		policy       Policy
		failures     int   // op fails this many times, then succeeds
		final        error // or returns this (wrapped in Permanent) on its first call
		wantAttempts int
		wantStop     Stop
		wantErr      error
	}{
		{name: "first try", policy: fast(3), wantAttempts: 1, wantStop: Done},
		{name: "succeeds on the last attempt", policy: fast(3), failures: 2, wantAttempts: 3, wantStop: Done},
		{name: "attempts run out", policy: fast(3), failures: 5, wantAttempts: 3, wantStop: Exhausted, wantErr: errAgain},
		{name: "a permanent error is not retried", policy: fast(3), final: permanent, wantAttempts: 1, wantStop: Done, wantErr: permanent},
		{name: "zero attempts still tries once", policy: fast(0), failures: 5, wantAttempts: 1, wantStop: Exhausted, wantErr: errAgain},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var notified []int
			attempts, stop, err := Do(context.Background(), tc.policy, func(n int) error {
				if tc.final != nil {
					return Permanent(tc.final)
				}
				if n <= tc.failures {
					return errAgain
				}
				return nil
			}, func(n int, err error, wait time.Duration) {
				assert.ErrorIs(t, err, errAgain)
				assert.LessOrEqual(t, wait, tc.policy.Max)
				notified = append(notified, n)
			})
			assert.Equal(t, tc.wantAttempts, attempts)
			assert.Equal(t, tc.wantStop, stop)
			assert.Equal(t, tc.wantErr, err)
			for i, n := range notified {
				assert.Equal(t, i+1, n, "each retry is announced with the attempt that failed")
			}
			assert.Len(t, notified, attempts-1, "one notice before each retry")
		})
	}
}

// No attempt starts when the deadline leaves less than MinAttempt after
// the wait: the caller gets its answer while it can still use it.
func TestDoStopsBeforeTheDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	p := Policy{Attempts: 100, Base: 50 * time.Millisecond, Max: 50 * time.Millisecond, MinAttempt: 200 * time.Millisecond}
	start := time.Now()
	attempts, stop, err := Do(ctx, p, func(int) error { return errAgain }, nil)

	assert.Equal(t, NoTimeLeft, stop)
	assert.ErrorIs(t, err, errAgain, "the operation's own error, not the context's")
	assert.Less(t, attempts, 100)
	assert.Less(t, time.Since(start), 300*time.Millisecond, "returned before the deadline")
	require.NoError(t, ctx.Err())
}

func TestDoWithTheDeadlineAlreadyTooNearTriesOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	attempts, stop, _ := Do(ctx, Policy{Attempts: 5, Base: time.Millisecond, Max: time.Millisecond, MinAttempt: time.Second},
		func(int) error { return errAgain }, nil)
	assert.Equal(t, 1, attempts)
	assert.Equal(t, NoTimeLeft, stop)
}

func TestDoStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	attempts, stop, err := Do(ctx, Policy{Attempts: 5, Base: time.Hour, Max: time.Hour}, func(n int) error {
		cancel()
		return errAgain
	}, nil)
	assert.Equal(t, 1, attempts)
	assert.Equal(t, Cancelled, stop)
	assert.ErrorIs(t, err, errAgain)
}

// Full jitter: every wait lies between 0 and a ceiling that doubles from
// Base up to Max.
func TestFullJitterStaysUnderTheDoublingCeiling(t *testing.T) {
	b := &fullJitter{base: 10 * time.Millisecond, max: 80 * time.Millisecond}
	ceilings := []time.Duration{10, 20, 40, 80, 80, 80}
	for round := 0; round < 200; round++ {
		b.Reset()
		for _, c := range ceilings {
			w := b.NextBackOff()
			assert.GreaterOrEqual(t, w, time.Duration(0))
			assert.LessOrEqual(t, w, c*time.Millisecond)
		}
	}
	b = &fullJitter{base: time.Second, max: time.Minute}
	for range 100 {
		assert.LessOrEqual(t, b.NextBackOff(), time.Minute, "no overflow after many attempts")
	}
}

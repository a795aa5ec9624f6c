package fcemulator

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/syncbuf"
)

func waitIdle(t *testing.T, e *Emulator) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, e.WaitIdle(ctx))
}

func TestAsyncRetriesUntilSuccess(t *testing.T) {
	var rec attempts
	cfg := testConfig(t, &syncbuf.Buffer{})
	cfg.OnResult = rec.onResult
	cfg.OnFailure = rec.onFailure
	e := start(t, cfg)

	id, err := e.InvokeAsync(payload(t, map[string]any{"action": "failUntilRetry", "succeedAtRetry": 2}), AsyncOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, id)
	waitIdle(t, e)

	all, failures := rec.snapshot()
	assert.Empty(t, failures)
	require.Len(t, all, 3, "failed twice, then succeeded")
	for i, a := range all {
		assert.True(t, a.Async)
		assert.Equal(t, id, a.RequestID, "retries keep the request id")
		assert.Equal(t, i, a.RetryCount)
		assert.Equal(t, i+1, a.Number)
	}
	for i, a := range all[:2] {
		require.NotNil(t, a.Error)
		assert.Equal(t, fmt.Sprintf("transient failure at retry %d", i), a.Error.Message)
		assert.True(t, a.WillRetry)
		assert.Equal(t, cfg.RetryBackoff<<i, a.RetryIn, "backoff doubles")
		next := all[i+1]
		assert.GreaterOrEqual(t, next.Started.Sub(a.Started.Add(a.Duration)), a.RetryIn, "the retry waits for the backoff")
	}
	last := all[2]
	assert.False(t, last.WillRetry)
	r := decodeReply(t, last.Result)
	assert.Equal(t, 2, r.RetryCount, "x-fc-retry-count reaches fccontext")
	assert.Equal(t, id, r.RequestID)
}

func TestAsyncFinalFailure(t *testing.T) {
	cases := []struct {
		name         string
		maxRetries   int
		timeout      time.Duration
		request      map[string]any
		wantAttempts int
		wantType     string
		wantMsg      string
		newInstances bool
	}{
		{
			name:         "function error, FC's default of 3 retries",
			maxRetries:   0,
			request:      map[string]any{"action": "fail", "message": "permanently broken"},
			wantAttempts: 4,
			wantType:     "errorString",
			wantMsg:      "permanently broken",
		},
		{
			name:         "timeouts, 2 retries, each on a fresh instance",
			maxRetries:   2,
			timeout:      200 * time.Millisecond,
			request:      map[string]any{"action": "sleep", "sleepMs": 60000},
			wantAttempts: 3,
			wantType:     ErrorTypeTimeout,
			wantMsg:      "Function timed out after 0.2 seconds",
			newInstances: true,
		},
		{
			name:         "no retries",
			maxRetries:   NoRetries,
			request:      map[string]any{"action": "fail", "message": "once"},
			wantAttempts: 1,
			wantType:     "errorString",
			wantMsg:      "once",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rec attempts
			cfg := testConfig(t, &syncbuf.Buffer{})
			cfg.MaxAsyncRetryAttempts = tc.maxRetries
			cfg.OnResult = rec.onResult
			cfg.OnFailure = rec.onFailure
			e := start(t, cfg)

			event := payload(t, tc.request)
			id, err := e.InvokeAsync(event, AsyncOptions{RequestID: "evt-1", Timeout: tc.timeout})
			require.NoError(t, err)
			assert.Equal(t, "evt-1", id)
			waitIdle(t, e)

			all, failures := rec.snapshot()
			require.Len(t, all, tc.wantAttempts)
			pids := map[int]bool{}
			for i, a := range all {
				assert.Equal(t, i, a.RetryCount)
				require.NotNil(t, a.Error)
				assert.Equal(t, tc.wantType, a.Error.Type)
				assert.Equal(t, i < tc.wantAttempts-1, a.WillRetry)
				pids[a.PID] = true
			}
			if tc.newInstances {
				assert.Len(t, pids, tc.wantAttempts)
			} else {
				assert.Len(t, pids, 1)
			}

			require.Len(t, failures, 1)
			f := failures[0]
			assert.Equal(t, "evt-1", f.RequestID)
			assert.Equal(t, tc.wantAttempts, f.Attempts)
			assert.Equal(t, event, f.Payload)
			require.NotNil(t, f.Error)
			assert.Equal(t, tc.wantMsg, f.Error.Message)
			assert.Equal(t, all[len(all)-1].Result, f.LastResult)
			assert.Equal(t, "acs:fc:cn-shanghai:1122334455667788:functions/echo-fn", f.FunctionArn)
			assert.False(t, f.FailedAt.Before(f.EnqueuedAt))

			dest, err := json.Marshal(f.Destination())
			require.NoError(t, err)
			var msg map[string]any
			require.NoError(t, json.Unmarshal(dest, &msg))
			assert.Equal(t, map[string]any{
				"requestId":              "evt-1",
				"functionArn":            "acs:fc:cn-shanghai:1122334455667788:functions/echo-fn",
				"condition":              "RetriesExhausted",
				"approximateInvokeCount": float64(tc.wantAttempts),
			}, msg["requestContext"])
			assert.Equal(t, string(event), msg["requestPayload"])
			assert.Equal(t, map[string]any{"statusCode": float64(200), "functionError": tc.wantType}, msg["responseContext"])
			assert.Contains(t, msg["responsePayload"], tc.wantMsg)
			assert.NotEmpty(t, msg["timestamp"])
		})
	}
}

func TestAsyncDeliversInOrder(t *testing.T) {
	var rec attempts
	cfg := testConfig(t, &syncbuf.Buffer{})
	cfg.OnResult = rec.onResult
	e := start(t, cfg)

	requests := []map[string]any{
		{"action": "echo", "n": 0},
		{"action": "failUntilRetry", "succeedAtRetry": 1, "n": 1},
		{"action": "echo", "n": 2},
		{"action": "sleep", "sleepMs": 20, "n": 3},
		{"action": "echo", "n": 4},
	}
	ids := make([]string, len(requests))
	for i, r := range requests {
		var err error
		ids[i], err = e.InvokeAsync(payload(t, r), AsyncOptions{})
		require.NoError(t, err)
	}
	waitIdle(t, e)

	type step struct {
		id    string
		retry int
		ok    bool
	}
	want := []step{
		{ids[0], 0, true},
		{ids[1], 0, false},
		{ids[1], 1, true}, // the retry comes before the next event
		{ids[2], 0, true},
		{ids[3], 0, true},
		{ids[4], 0, true},
	}
	all, _ := rec.snapshot()
	got := make([]step, len(all))
	for i, a := range all {
		got[i] = step{a.RequestID, a.RetryCount, a.OK()}
	}
	assert.Equal(t, want, got)

	// Idle again: WaitIdle returns at once; new events are delivered.
	waitIdle(t, e)
	_, err := e.InvokeAsync(payload(t, map[string]any{}), AsyncOptions{})
	require.NoError(t, err)
	waitIdle(t, e)
	all, _ = rec.snapshot()
	assert.Len(t, all, len(want)+1)
}

func TestWaitIdleHonoursContext(t *testing.T) {
	e := start(t, testConfig(t, &syncbuf.Buffer{}))
	_, err := e.InvokeAsync(payload(t, map[string]any{"action": "sleep", "sleepMs": 60000}), AsyncOptions{Timeout: 30 * time.Second})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, e.WaitIdle(ctx), context.Canceled)
}

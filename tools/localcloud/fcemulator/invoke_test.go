package fcemulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/syncbuf"
)

func TestInvokeRoundTrip(t *testing.T) {
	out := &syncbuf.Buffer{}
	cfg := testConfig(t, out)
	e := start(t, cfg)
	ctx := context.Background()

	cases := []struct {
		name        string
		opts        InvokeOptions
		wantCreds   Credentials
		wantTimeout time.Duration
		wantCold    bool
	}{
		{
			name:        "explicit request id, config credentials and timeout",
			opts:        InvokeOptions{RequestID: "req-explicit-1"},
			wantCreds:   testCreds,
			wantTimeout: cfg.Timeout,
			wantCold:    true,
		},
		{
			name:        "generated request id, per-invocation credentials, retry count and timeout",
			opts:        InvokeOptions{RetryCount: 2, Credentials: otherCreds, Timeout: 2500 * time.Millisecond},
			wantCreds:   otherCreds,
			wantTimeout: 2500 * time.Millisecond,
		},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := payload(t, map[string]any{"action": "echo", "n": i, "text": "行驶证"})
			res, err := e.Invoke(ctx, in, tc.opts)
			require.NoError(t, err)
			r := decodeReply(t, res)
			inst, ok := e.Instance()
			require.True(t, ok)

			if tc.opts.RequestID != "" {
				assert.Equal(t, tc.opts.RequestID, res.RequestID)
			} else {
				assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, res.RequestID)
			}
			assert.JSONEq(t, string(in), string(r.Payload))
			assert.Equal(t, res.RequestID, r.RequestID)
			assert.Equal(t, tc.opts.RetryCount, r.RetryCount)
			assert.Equal(t, tc.opts.RetryCount, res.RetryCount)
			assert.Equal(t, "cn-shanghai", r.Region)
			assert.Equal(t, "1122334455667788", r.AccountID)
			assert.Equal(t, tc.wantCreds.AccessKeyID, r.AccessKeyID)
			assert.Equal(t, digest(tc.wantCreds), r.SecretDigest, "secret and token arrive in fccontext")
			assert.Equal(t, "echo-fn", r.FunctionName)
			assert.Equal(t, "main", r.Handler)
			assert.Equal(t, "256", r.Memory)
			assert.Equal(t, timeoutSeconds(tc.wantTimeout), r.TimeoutSec)
			assert.Equal(t, "prod", r.Qualifier)
			assert.Equal(t, res.Started.Add(tc.wantTimeout).UnixMilli(), r.DeadlineMS, "the handler's ctx deadline is Started + timeout")

			// The process and the environment FC gives it at start.
			assert.Equal(t, inst.PID, r.PID)
			assert.Equal(t, inst.PID, res.PID)
			assert.Equal(t, inst.ID, res.InstanceID)
			assert.Equal(t, inst.RuntimeAPI, r.Env["FC_RUNTIME_API"])
			assert.Regexp(t, `^127\.0\.0\.1:\d+$`, r.Env["FC_RUNTIME_API"])
			assert.Equal(t, "cn-shanghai", r.Env["FC_REGION"])
			assert.Equal(t, "1122334455667788", r.Env["FC_ACCOUNT_ID"])
			assert.Equal(t, "echo-fn", r.Env["FC_FUNCTION_NAME"])
			assert.Equal(t, "main", r.Env["FC_FUNCTION_HANDLER"])
			assert.Equal(t, "256", r.Env["FC_FUNCTION_MEMORY_SIZE"])
			assert.Equal(t, inst.ID, r.Env["FC_INSTANCE_ID"])
			assert.NotEmpty(t, r.Env["FC_FUNC_CODE_PATH"])
			assert.Equal(t, "custom-value", r.Env["ECHOFN_CUSTOM"], "Config.Env reaches the function")
			assert.Equal(t, testCreds.AccessKeyID, r.Env["ALIBABA_CLOUD_ACCESS_KEY_ID"])
			assert.Equal(t, digest(testCreds), r.EnvKeyDigest, "start-time credentials are the config's")

			// Timings and bookkeeping.
			assert.Equal(t, tc.wantCold, res.ColdStart)
			assert.False(t, res.TimedOut)
			assert.False(t, res.Crashed)
			assert.True(t, res.OK())
			assert.Positive(t, res.Duration)
			assert.Less(t, res.Duration, 10*time.Second)
			assert.False(t, res.Started.Before(inst.FirstPoll), "work is handed out on a poll")
			assert.Equal(t, i+1, inst.Invocations)
			// The function's log reaches Stdout (through a pipe, so it may lag).
			waitFor(t, "the function's log line", func() bool {
				return strings.Contains(out.String(), "FC Invoke Start RequestId: "+res.RequestID)
			})
		})
	}
	require.Len(t, e.Instances(), 1, "one instance serves invocations in turn")
}

func TestInvokeFunctionError(t *testing.T) {
	e := start(t, testConfig(t, &syncbuf.Buffer{}))
	ctx := context.Background()
	warm, err := e.Invoke(ctx, payload(t, map[string]any{}), InvokeOptions{})
	require.NoError(t, err)
	require.True(t, warm.OK())

	cases := []struct {
		name      string
		request   map[string]any
		wantType  string
		wantMsg   string
		wantStack bool
	}{
		{
			name:     "handler returns an error",
			request:  map[string]any{"action": "fail", "message": "boom: transient"},
			wantType: "errorString",
			wantMsg:  "boom: transient",
		},
		{
			name:      "handler panics and the SDK recovers",
			request:   map[string]any{"action": "panic"},
			wantType:  "string",
			wantMsg:   "echofn: panic requested",
			wantStack: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := e.Invoke(ctx, payload(t, tc.request), InvokeOptions{})
			require.NoError(t, err, "a function error is a result, not an error")
			require.NotNil(t, res.Error)
			assert.False(t, res.OK())
			assert.Equal(t, tc.wantType, res.Error.Type)
			assert.Equal(t, tc.wantMsg, res.Error.Message)
			assert.Equal(t, tc.wantStack, len(res.Error.StackTrace) > 0)
			assert.False(t, res.TimedOut)
			assert.False(t, res.Crashed)
			assert.Contains(t, string(res.Payload), `"errorMessage"`, "Payload keeps the raw error JSON")

			// The instance lives on and serves the next invocation warm.
			next, err := e.Invoke(ctx, payload(t, map[string]any{}), InvokeOptions{})
			require.NoError(t, err)
			require.True(t, next.OK())
			assert.Equal(t, warm.PID, res.PID)
			assert.Equal(t, warm.PID, next.PID)
			assert.False(t, next.ColdStart)
		})
	}
}

func TestInvokeTimeoutRestartsInstance(t *testing.T) {
	e := start(t, testConfig(t, &syncbuf.Buffer{}))
	ctx := context.Background()

	const timeout = 300 * time.Millisecond
	res, err := e.Invoke(ctx, payload(t, map[string]any{"action": "sleep", "sleepMs": 60000}), InvokeOptions{Timeout: timeout})
	require.NoError(t, err)
	assert.True(t, res.TimedOut)
	assert.False(t, res.Crashed)
	require.NotNil(t, res.Error)
	assert.Equal(t, ErrorTypeTimeout, res.Error.Type)
	assert.Equal(t, "Function timed out after 0.3 seconds", res.Error.Message)
	assert.JSONEq(t, `{"errorMessage":"Function timed out after 0.3 seconds","errorType":"FunctionTimeout"}`, string(res.Payload))
	assert.GreaterOrEqual(t, res.Duration, timeout)
	assert.Less(t, res.Duration, 10*time.Second)
	assert.True(t, processGone(res.PID), "the instance that overran is killed before Invoke returns")

	insts := e.Instances()
	require.Len(t, insts, 1)
	assert.False(t, insts[0].Running())
	assert.Equal(t, "signal: killed", insts[0].ExitStatus)

	next, err := e.Invoke(ctx, payload(t, map[string]any{"action": "echo"}), InvokeOptions{})
	require.NoError(t, err)
	r := decodeReply(t, next)
	assert.NotEqual(t, res.PID, next.PID, "a fresh process serves the next invocation")
	assert.Equal(t, next.PID, r.PID)
	assert.True(t, next.ColdStart)
	require.Len(t, e.Instances(), 2)
	assert.True(t, e.Instances()[1].Running())
}

func TestInvokeProcessExitRecovers(t *testing.T) {
	cases := []struct {
		name       string
		request    map[string]any
		wantStatus string
	}{
		{name: "os.Exit", request: map[string]any{"action": "exit", "exitCode": 3}, wantStatus: "exit status 3"},
		{name: "unrecoverable panic", request: map[string]any{"action": "crash"}, wantStatus: "exit status 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, testConfig(t, &syncbuf.Buffer{}))
			ctx := context.Background()
			res, err := e.Invoke(ctx, payload(t, tc.request), InvokeOptions{})
			require.NoError(t, err)
			assert.True(t, res.Crashed)
			assert.False(t, res.TimedOut)
			require.NotNil(t, res.Error)
			assert.Equal(t, ErrorTypeProcessExited, res.Error.Type)
			assert.Equal(t, "Process exited unexpectedly before completing request ("+tc.wantStatus+")", res.Error.Message)
			assert.Positive(t, res.Duration)
			assert.True(t, processGone(res.PID))

			next, err := e.Invoke(ctx, payload(t, map[string]any{"action": "echo"}), InvokeOptions{})
			require.NoError(t, err)
			decodeReply(t, next)
			assert.NotEqual(t, res.PID, next.PID)
			assert.True(t, next.ColdStart)
		})
	}
}

func TestInstanceThatCannotStart(t *testing.T) {
	cases := []struct {
		name     string
		env      string
		wantMsg  string
		wantLogs string
	}{
		{
			name:     "exits before polling",
			env:      "ECHOFN_EXIT_AT_START=1",
			wantMsg:  "Function instance exited before it was ready (exit status 1)",
			wantLogs: "refusing to start",
		},
		{
			name:    "never polls",
			env:     "ECHOFN_HANG_AT_START=1",
			wantMsg: "Function instance was not ready within 300ms",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := &syncbuf.Buffer{}
			cfg := testConfig(t, out)
			cfg.Env = append(cfg.Env, tc.env)
			cfg.StartTimeout = 300 * time.Millisecond
			e := start(t, cfg)

			res, err := e.Invoke(context.Background(), payload(t, map[string]any{}), InvokeOptions{})
			require.NoError(t, err)
			require.NotNil(t, res.Error)
			assert.Equal(t, ErrorTypeStartFailed, res.Error.Type)
			assert.Equal(t, tc.wantMsg, res.Error.Message)
			assert.True(t, res.Started.IsZero(), "the work was never handed out")
			assert.True(t, processGone(res.PID))
			// The process has been reaped and its output drained.
			assert.Contains(t, out.String(), tc.wantLogs)

			// The next attempt starts another instance, which fails the same way.
			_, err = e.WaitReady(context.Background())
			require.Error(t, err)
		})
	}

	t.Run("binary missing", func(t *testing.T) {
		cfg := testConfig(t, &syncbuf.Buffer{})
		cfg.BinaryPath = "/nonexistent/fcemulator-test-binary"
		_, err := Start(cfg)
		require.ErrorContains(t, err, "/nonexistent/fcemulator-test-binary")
	})
	t.Run("binary path not set", func(t *testing.T) {
		_, err := Start(Config{})
		require.ErrorContains(t, err, "BinaryPath")
	})
}

func TestInvokeContextCancelled(t *testing.T) {
	e := start(t, testConfig(t, &syncbuf.Buffer{}))
	first, err := e.WaitReady(context.Background())
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := e.Invoke(ctx, payload(t, map[string]any{"action": "sleep", "sleepMs": 60000}), InvokeOptions{})
		done <- outcome{res, err}
	}()
	waitFor(t, "the invocation to be handed out", func() bool {
		inst, _ := e.Instance()
		return inst.Invocations == 1
	})
	cancel()
	o := <-done
	require.ErrorIs(t, o.err, context.Canceled)
	assert.Equal(t, first.PID, o.res.PID)
	assert.True(t, processGone(first.PID), "an abandoned invocation's instance is killed")

	next, err := e.Invoke(context.Background(), payload(t, map[string]any{}), InvokeOptions{})
	require.NoError(t, err)
	decodeReply(t, next)
	assert.NotEqual(t, first.PID, next.PID)
}

func TestInvocationsAreSerialized(t *testing.T) {
	var rec attempts
	cfg := testConfig(t, &syncbuf.Buffer{})
	cfg.OnResult = rec.onResult
	e := start(t, cfg)
	ctx := context.Background()

	const syncCalls, asyncCalls = 4, 2
	var wg sync.WaitGroup
	errs := make(chan error, syncCalls)
	for i := 0; i < syncCalls; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Invoke(ctx, payload(t, map[string]any{"action": "sleep", "sleepMs": 50}), InvokeOptions{})
			errs <- err
		}()
	}
	for i := 0; i < asyncCalls; i++ {
		_, err := e.InvokeAsync(payload(t, map[string]any{"action": "sleep", "sleepMs": 50}), AsyncOptions{})
		require.NoError(t, err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, e.WaitIdle(ctx))

	all, _ := rec.snapshot()
	require.Len(t, all, syncCalls+asyncCalls)
	sort.Slice(all, func(i, j int) bool { return all[i].Started.Before(all[j].Started) })
	for i, a := range all {
		require.True(t, a.OK(), "attempt %d: %v", i, a.Error)
		assert.Equal(t, all[0].PID, a.PID, "one instance serves them all")
		if i > 0 {
			prevEnd := all[i-1].Started.Add(all[i-1].Duration)
			assert.True(t, a.Started.After(prevEnd), "invocation %d started before invocation %d ended", i, i-1)
		}
	}
}

func TestColdStartTimestamps(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	before := time.Now()
	e := start(t, testConfig(t, &syncbuf.Buffer{}))
	info, err := e.WaitReady(context.Background())
	require.NoError(t, err)

	assert.False(t, info.Started.Before(before))
	assert.True(t, info.FirstPoll.After(info.Started), "first poll after start")
	assert.Positive(t, info.ColdStart())
	assert.Less(t, info.ColdStart(), 15*time.Second)
	assert.Equal(t, info.FirstPoll.Sub(info.Started), info.ColdStart())
	assert.True(t, info.Running())
	assert.Zero(t, info.Invocations)

	// The PID is the function binary itself: what benchmarks read.
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", info.PID))
	require.NoError(t, err)
	assert.Contains(t, string(stat), fmt.Sprintf("%d (echofn) ", info.PID))
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", info.PID))
	require.NoError(t, err)
	assert.Contains(t, string(status), "VmHWM:")

	res, err := e.Invoke(context.Background(), payload(t, map[string]any{}), InvokeOptions{})
	require.NoError(t, err)
	assert.True(t, res.ColdStart, "first invocation of the instance")
	assert.Equal(t, info.PID, res.PID)
	assert.True(t, res.Started.After(info.FirstPoll))

	again, ok := e.Instance()
	require.True(t, ok)
	assert.Equal(t, info.FirstPoll, again.FirstPoll, "the first poll is recorded once")
	assert.Equal(t, 1, again.Invocations)
}

func TestCloseLeavesNothingBehind(t *testing.T) {
	cases := []struct {
		name string
		// during runs against the emulator before Close; it returns a
		// function to call after Close (to collect what it started).
		during     func(t *testing.T, e *Emulator) (after func(t *testing.T))
		env        string
		wantStatus string
	}{
		{
			name:       "idle instance",
			during:     func(*testing.T, *Emulator) func(*testing.T) { return func(*testing.T) {} },
			wantStatus: "signal: terminated",
		},
		{
			name: "invocation in progress and events queued",
			during: func(t *testing.T, e *Emulator) func(*testing.T) {
				errc := make(chan error, 1)
				go func() {
					_, err := e.Invoke(context.Background(), payload(t, map[string]any{"action": "sleep", "sleepMs": 60000}), InvokeOptions{})
					errc <- err
				}()
				waitFor(t, "the invocation to be handed out", func() bool {
					inst, _ := e.Instance()
					return inst.Invocations == 1
				})
				for i := 0; i < 3; i++ {
					_, err := e.InvokeAsync(payload(t, map[string]any{"action": "fail"}), AsyncOptions{})
					require.NoError(t, err)
				}
				return func(t *testing.T) { require.ErrorIs(t, <-errc, ErrClosed) }
			},
			wantStatus: "signal: terminated",
		},
		{
			name:       "function ignoring SIGTERM",
			during:     func(*testing.T, *Emulator) func(*testing.T) { return func(*testing.T) {} },
			env:        "ECHOFN_IGNORE_SIGTERM=1",
			wantStatus: "signal: killed",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			baseline := runtime.NumGoroutine()
			var rec attempts
			cfg := testConfig(t, &syncbuf.Buffer{})
			cfg.StopGracePeriod = 300 * time.Millisecond
			cfg.OnFailure = rec.onFailure
			if tc.env != "" {
				cfg.Env = append(cfg.Env, tc.env)
			}
			e, err := Start(cfg)
			require.NoError(t, err)
			t.Cleanup(func() { _ = e.Close() }) // if the test fails early
			info, err := e.WaitReady(context.Background())
			require.NoError(t, err)
			after := tc.during(t, e)

			require.NoError(t, e.Close())
			after(t)
			assert.True(t, processGone(info.PID), "no child left")
			for _, inst := range e.Instances() {
				assert.False(t, inst.Running())
				assert.True(t, processGone(inst.PID))
			}
			last, _ := e.Instance()
			assert.Equal(t, tc.wantStatus, last.ExitStatus)
			_, failures := rec.snapshot()
			assert.Empty(t, failures, "dropped events do not reach the failure destination")

			// Everything refuses work afterwards; Close is idempotent.
			_, err = e.Invoke(context.Background(), nil, InvokeOptions{})
			assert.ErrorIs(t, err, ErrClosed)
			_, err = e.InvokeAsync(nil, AsyncOptions{})
			assert.ErrorIs(t, err, ErrClosed)
			_, err = e.WaitReady(context.Background())
			assert.ErrorIs(t, err, ErrClosed)
			assert.NoError(t, e.Close())

			requireGoroutinesBackTo(t, baseline)
		})
	}
}

func TestRuntimeAPIRejectsUnknownRequests(t *testing.T) {
	e := start(t, testConfig(t, &syncbuf.Buffer{}))
	info, err := e.WaitReady(context.Background())
	require.NoError(t, err)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	base := "http://" + info.RuntimeAPI + "/2020-11-11/runtime/invocation/"

	cases := []struct {
		method, path string
		want         int
	}{
		{http.MethodPost, "no-such-request/response", http.StatusNotFound},
		{http.MethodPost, "no-such-request/error", http.StatusNotFound},
		{http.MethodPost, "no-such-request/other", http.StatusNotFound},
		{http.MethodDelete, "next", http.StatusMethodNotAllowed},
		{http.MethodGet, "no-such-request/response", http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, base+tc.path, strings.NewReader(`{"errorMessage":"x"}`))
			require.NoError(t, err)
			resp, err := client.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tc.want, resp.StatusCode)
		})
	}

	// The function's own poll is undisturbed.
	res, err := e.Invoke(context.Background(), payload(t, map[string]any{}), InvokeOptions{})
	require.NoError(t, err)
	decodeReply(t, res)
}

func TestCredentialsNeverPrinted(t *testing.T) {
	cfg := Config{BinaryPath: "fn", Credentials: testCreds}
	inJSON, err := json.Marshal(struct{ C Credentials }{testCreds})
	require.NoError(t, err)

	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", testCreds),
		"%+v":  fmt.Sprintf("%+v", testCreds),
		"%#v":  fmt.Sprintf("%#v", testCreds),
		"%s":   fmt.Sprintf("%s", testCreds),
		"%q":   fmt.Sprintf("%q", testCreds),
		"%x":   fmt.Sprintf("%x", testCreds),
		"%d":   fmt.Sprintf("%d", testCreds),
		"&%v":  fmt.Sprintf("%v", &testCreds),
		"cfg":  fmt.Sprintf("%+v", cfg),
		"cfg#": fmt.Sprintf("%#v", cfg),
		"json": string(inJSON),
	}
	for name, s := range outputs {
		t.Run(name, func(t *testing.T) {
			requireNoSecrets(t, s)
			assert.Contains(t, s, testCreds.AccessKeyID)
		})
	}
	assert.Equal(t, "Credentials{AccessKeyID: STS.test-key-id, AccessKeySecret: <redacted>, SecurityToken: <redacted>}", testCreds.String())
	assert.Equal(t, "Credentials{AccessKeyID: , AccessKeySecret: <empty>, SecurityToken: <empty>}", Credentials{}.String())
}

func TestHelpers(t *testing.T) {
	t.Run("timeout header and message", func(t *testing.T) {
		cases := []struct {
			d       time.Duration
			seconds int
			message string
		}{
			{60 * time.Second, 60, "60"},
			{3 * time.Second, 3, "3"},
			{2500 * time.Millisecond, 3, "2.5"},
			{300 * time.Millisecond, 1, "0.3"},
			{time.Millisecond, 1, "0.001"},
		}
		for _, tc := range cases {
			assert.Equal(t, tc.seconds, timeoutSeconds(tc.d), "%s", tc.d)
			assert.Equal(t, tc.message, formatSeconds(tc.d), "%s", tc.d)
		}
	})
	t.Run("error decoding", func(t *testing.T) {
		cases := []struct {
			body string
			want FunctionError
		}{
			{`{"errorMessage":"boom","errorType":"errorString"}`, FunctionError{Message: "boom", Type: "errorString"}},
			{`{"errorMessage":"p","errorType":"string","stackTrace":[{"path":"a.go","line":3,"label":"f"}]}`,
				FunctionError{Message: "p", Type: "string", StackTrace: []StackFrame{{Path: "a.go", Line: 3, Label: "f"}}}},
			{`not json`, FunctionError{Message: "not json"}},
			{`{}`, FunctionError{Message: "{}"}},
		}
		for _, tc := range cases {
			assert.Equal(t, &tc.want, decodeFunctionError([]byte(tc.body)), tc.body)
		}
		assert.Equal(t, "errorString: boom", (&FunctionError{Message: "boom", Type: "errorString"}).Error())
		assert.Equal(t, "boom", (&FunctionError{Message: "boom"}).Error())
	})
}

package fcemulator

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Error types of the errors the emulator itself reports, in place of a
// response from the function.
const (
	// ErrorTypeTimeout: no response by the deadline; the instance was killed.
	ErrorTypeTimeout = "FunctionTimeout"
	// ErrorTypeProcessExited: the process exited while serving the invocation.
	ErrorTypeProcessExited = "ProcessExited"
	// ErrorTypeStartFailed: the instance exited, or did not poll within
	// Config.StartTimeout, before it could be given the invocation.
	ErrorTypeStartFailed = "InstanceStartFailed"
	// ErrorTypeEmulator: an asynchronous attempt could not be made at all
	// (the binary could not be started); reported to OnResult/OnFailure only.
	ErrorTypeEmulator = "EmulatorError"
)

// InvokeOptions are the per-invocation settings of Invoke.
type InvokeOptions struct {
	// RequestID is x-fc-request-id; a random UUID if empty.
	RequestID string
	// Timeout is the function timeout for this invocation; Config.Timeout
	// if zero.
	Timeout time.Duration
	// RetryCount is x-fc-retry-count (what fccontext's RetryCount reads).
	RetryCount int
	// Credentials handed to the function; Config.Credentials if zero.
	Credentials Credentials
}

// Result is the outcome of one invocation.
type Result struct {
	RequestID  string
	RetryCount int

	// Payload is the body the function posted: the response, or the raw
	// error JSON when Error is set. For the errors the emulator reports
	// itself (timeout, process exit, start failure) it is Error as JSON.
	Payload []byte
	// Error is set when the invocation failed: the function's error
	// (decoded from the SDK's errorMessage/errorType/stackTrace JSON), or one
	// of the emulator's ErrorType* errors.
	Error *FunctionError
	// TimedOut: no response arrived by the deadline; the instance was
	// killed and the next invocation starts a new one.
	TimedOut bool
	// Crashed: the process exited before answering (during the invocation,
	// or before it became ready); the next invocation starts a new one.
	Crashed bool

	// ColdStart: this was the first invocation handed to its instance.
	ColdStart  bool
	PID        int    // process that served (or was to serve) the invocation
	InstanceID string // its FC_INSTANCE_ID

	// Started is when a waiting GET .../next was given the invocation (zero
	// if it never was); the function's deadline is Started + timeout.
	Started time.Time
	// Duration runs from Started to the arrival of the function's response
	// or error POST, or to the deadline, or to the observed process exit.
	Duration time.Duration
}

// OK reports whether the invocation succeeded.
func (r Result) OK() bool { return r.Error == nil }

// FunctionError is an invocation's error, in the JSON form the SDK posts
// to .../error.
type FunctionError struct {
	Message    string       `json:"errorMessage"`
	Type       string       `json:"errorType,omitempty"`
	StackTrace []StackFrame `json:"stackTrace,omitempty"`
}

// StackFrame is one frame of a panic's stack trace, as the SDK reports it.
type StackFrame struct {
	Path  string `json:"path"`
	Line  int32  `json:"line"`
	Label string `json:"label"`
}

func (e *FunctionError) Error() string {
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

// decodeFunctionError reads the SDK's error JSON; a body that is not that
// JSON becomes the message as is.
func decodeFunctionError(body []byte) *FunctionError {
	var fe FunctionError
	if err := json.Unmarshal(body, &fe); err != nil || (fe.Message == "" && fe.Type == "") {
		return &FunctionError{Message: string(body)}
	}
	return &fe
}

// Attempt is what Config.OnResult receives for every invocation attempt.
type Attempt struct {
	Result
	// Async: the attempt delivered an InvokeAsync event.
	Async bool
	// Number counts the attempts of one event from 1 (RetryCount + 1).
	Number int
	// WillRetry: the attempt failed and will be retried after RetryIn.
	WillRetry bool
	RetryIn   time.Duration
}

// Invoke runs one synchronous invocation and waits for its result. Only one
// invocation runs at a time: Invoke first waits for the one in progress (and
// for the asynchronous worker's current attempt), then, if there is no
// running instance, starts one (a cold start).
//
// The function's failures are in the Result, not the error: an error
// response sets Result.Error; no response by the deadline sets TimedOut and
// kills the instance; a process exit sets Crashed. The error is non-nil only
// when no result could be had: ctx ended (if the function was already
// running, its instance is killed, since its state is unknown), the emulator
// was closed (ErrClosed), or the binary could not be started. ctx does not
// shorten the function's deadline.
func (e *Emulator) Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (Result, error) {
	res, err := e.invoke(ctx, payload, opts)
	if err == nil {
		e.report(Attempt{Result: res, Number: res.RetryCount + 1})
	}
	return res, err
}

func (e *Emulator) report(a Attempt) {
	if e.cfg.OnResult != nil {
		e.cfg.OnResult(a)
	}
}

// maxIdleRespawns bounds how often an invocation moves on to a fresh
// instance because the ready one exited before it could take the work.
const maxIdleRespawns = 3

func (e *Emulator) invoke(ctx context.Context, payload []byte, opts InvokeOptions) (Result, error) {
	inv := &invocation{
		id:         opts.RequestID,
		payload:    payload,
		timeout:    opts.Timeout,
		retryCount: opts.RetryCount,
		creds:      opts.Credentials,
		handed:     make(chan struct{}),
		done:       make(chan completion, 1),
	}
	if inv.id == "" {
		inv.id = uuid.NewString()
	}
	if inv.timeout <= 0 {
		inv.timeout = e.cfg.Timeout
	}
	if inv.creds.IsZero() {
		inv.creds = e.cfg.Credentials
	}
	res := Result{RequestID: inv.id, RetryCount: inv.retryCount}

	if err := e.acquire(ctx); err != nil {
		return res, err
	}
	defer e.release()

	in, failure, err := e.handOut(ctx, inv, &res)
	if err != nil || failure {
		return res, err
	}
	return e.await(ctx, in, inv, res)
}

// handOut gives inv to a poll of a ready instance. failure reports that res
// already holds the outcome (the instance could not be started).
func (e *Emulator) handOut(ctx context.Context, inv *invocation, res *Result) (in *instance, failure bool, err error) {
	for respawns := 0; ; respawns++ {
		in, err = e.ensureInstance()
		if err != nil {
			return nil, false, err
		}
		res.PID, res.InstanceID = in.pid, in.id

		var startTimeout <-chan time.Time
		if !in.polled() {
			t := time.NewTimer(time.Until(in.started.Add(e.cfg.StartTimeout)))
			startTimeout = t.C
			defer t.Stop()
		}
		select {
		case in.work <- inv:
			<-inv.handed // the poll sets the start time, then closes it at once
			return in, false, nil
		case <-in.exited:
			if in.polled() && respawns < maxIdleRespawns {
				// It was serving and died while idle: FC would route the
				// request to another instance, and so do we.
				continue
			}
			res.Crashed = true
			msg := "Function instance exited before it was ready (%s)"
			if in.polled() {
				msg = "Function instance exited before it could take the request (%s)"
			}
			e.fail(res, ErrorTypeStartFailed, fmt.Sprintf(msg, in.exitStatus()))
			return in, true, nil
		case <-startTimeout:
			e.logf("fcemulator: instance %s (pid %d) did not poll within %s; killing it", in.id, in.pid, e.cfg.StartTimeout)
			in.kill()
			e.fail(res, ErrorTypeStartFailed, fmt.Sprintf("Function instance was not ready within %s", e.cfg.StartTimeout))
			return in, true, nil
		case <-ctx.Done():
			return in, false, ctx.Err()
		case <-e.closing:
			return in, false, ErrClosed
		}
	}
}

// await waits for the outcome of an invocation handed to in.
func (e *Emulator) await(ctx context.Context, in *instance, inv *invocation, res Result) (Result, error) {
	res.Started = inv.start
	res.ColdStart = inv.cold
	timer := time.NewTimer(inv.timeout - time.Since(inv.start))
	defer timer.Stop()

	completed := func(c completion) Result {
		res.Payload = c.body
		res.Duration = c.at.Sub(inv.start)
		if c.isError {
			res.Error = decodeFunctionError(c.body)
		}
		return res
	}
	select {
	case c := <-inv.done:
		return completed(c), nil
	case <-timer.C:
		select {
		case c := <-inv.done:
			return completed(c), nil
		default:
		}
		res.Duration = time.Since(inv.start)
		res.TimedOut = true
		e.fail(&res, ErrorTypeTimeout, "Function timed out after "+formatSeconds(inv.timeout)+" seconds")
		e.logf("fcemulator: request %s timed out after %s; killing instance %s (pid %d)", inv.id, inv.timeout, in.id, in.pid)
		in.kill()
		return res, nil
	case <-in.exited:
		select {
		case c := <-inv.done:
			return completed(c), nil
		default:
		}
		info := in.info()
		res.Duration = info.Exited.Sub(inv.start)
		res.Crashed = true
		e.fail(&res, ErrorTypeProcessExited, "Process exited unexpectedly before completing request ("+info.ExitStatus+")")
		return res, nil
	case <-ctx.Done():
		e.logf("fcemulator: request %s abandoned (%v); killing instance %s (pid %d)", inv.id, ctx.Err(), in.id, in.pid)
		in.kill()
		res.Duration = time.Since(inv.start)
		return res, ctx.Err()
	case <-e.closing:
		res.Duration = time.Since(inv.start)
		return res, ErrClosed
	}
}

// fail sets an error the emulator reports itself.
func (e *Emulator) fail(res *Result, typ, msg string) {
	res.Error = &FunctionError{Message: msg, Type: typ}
	res.Payload, _ = json.Marshal(res.Error)
}

// formatSeconds writes d in seconds, as FC's timeout message does: "3", or
// "0.25" for a sub-second test timeout.
func formatSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

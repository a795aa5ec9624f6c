package fcemulator

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// AsyncOptions are the per-event settings of InvokeAsync.
type AsyncOptions struct {
	// RequestID identifies the event; every attempt carries it (as FC's
	// retries do). A random UUID if empty.
	RequestID string
	// Timeout is the function timeout of each attempt; Config.Timeout if
	// zero.
	Timeout time.Duration
	// Credentials handed to the function; Config.Credentials if zero.
	Credentials Credentials
}

// FailureRecord is what the failure destination (Config.OnFailure) receives
// for an event whose last attempt failed.
type FailureRecord struct {
	RequestID string
	// FunctionArn is acs:fc:<region>:<account>:functions/<name>.
	FunctionArn string
	Qualifier   string
	// Payload is the event as it was queued.
	Payload []byte
	// Attempts is 1 + the number of retries made.
	Attempts int
	// Error is the last attempt's error; LastResult the whole last attempt.
	Error      *FunctionError
	LastResult Result
	EnqueuedAt time.Time
	FailedAt   time.Time
}

// DestinationEvent is the message FC's onFailure destination receives,
// following the shape FC documents for asynchronous-invocation destinations:
// a timestamp, the request context, the request payload, and the response
// context and payload. Condition is the emulator's wording; the field names
// are FC's.
type DestinationEvent struct {
	Timestamp       string                     `json:"timestamp"`
	RequestContext  DestinationRequestContext  `json:"requestContext"`
	RequestPayload  string                     `json:"requestPayload"`
	ResponseContext DestinationResponseContext `json:"responseContext"`
	ResponsePayload string                     `json:"responsePayload"`
}

// DestinationRequestContext is DestinationEvent.requestContext.
type DestinationRequestContext struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

// DestinationResponseContext is DestinationEvent.responseContext.
type DestinationResponseContext struct {
	StatusCode    int    `json:"statusCode"`
	FunctionError string `json:"functionError"`
}

// Destination returns the record as the message an onFailure destination
// (MNS queue, function, EventBridge) would receive; marshal it with
// encoding/json.
func (f FailureRecord) Destination() DestinationEvent {
	fnErr := "UnhandledInvocationError"
	if f.Error != nil && f.Error.Type != "" {
		fnErr = f.Error.Type
	}
	return DestinationEvent{
		Timestamp: f.FailedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		RequestContext: DestinationRequestContext{
			RequestID:              f.RequestID,
			FunctionArn:            f.FunctionArn,
			Condition:              "RetriesExhausted",
			ApproximateInvokeCount: f.Attempts,
		},
		RequestPayload:  string(f.Payload),
		ResponseContext: DestinationResponseContext{StatusCode: 200, FunctionError: fnErr},
		ResponsePayload: string(f.LastResult.Payload),
	}
}

type asyncEvent struct {
	id       string
	payload  []byte
	opts     AsyncOptions
	enqueued time.Time
}

// InvokeAsync queues an event and returns its request id at once. The
// worker delivers queued events one at a time, in order, each with its
// retries (see the package documentation); every attempt goes to
// Config.OnResult, and an event whose last attempt failed goes to
// Config.OnFailure. The payload is copied.
func (e *Emulator) InvokeAsync(payload []byte, opts AsyncOptions) (requestID string, err error) {
	select {
	case <-e.closing:
		return "", ErrClosed
	default:
	}
	ev := &asyncEvent{
		id:       opts.RequestID,
		payload:  append([]byte(nil), payload...),
		opts:     opts,
		enqueued: time.Now(),
	}
	if ev.id == "" {
		ev.id = uuid.NewString()
	}
	e.mu.Lock()
	e.queue = append(e.queue, ev)
	if e.busy == 0 {
		e.idle = make(chan struct{})
	}
	e.busy++
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
	return ev.id, nil
}

// WaitIdle returns when no asynchronous event is queued or being delivered
// (retry backoffs included), or with ctx's error, or ErrClosed.
func (e *Emulator) WaitIdle(ctx context.Context) error {
	e.mu.Lock()
	idle := e.idle
	e.mu.Unlock()
	select {
	case <-idle:
		return nil
	default:
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-e.closing:
		return ErrClosed
	}
}

// worker delivers queued events until Close.
func (e *Emulator) worker() {
	defer close(e.workerDone)
	for {
		e.mu.Lock()
		var ev *asyncEvent
		if len(e.queue) > 0 {
			ev = e.queue[0]
			e.queue[0] = nil
			e.queue = e.queue[1:]
		}
		e.mu.Unlock()
		if ev == nil {
			select {
			case <-e.wake:
				continue
			case <-e.closing:
				return
			}
		}
		closed := e.deliver(ev)
		if closed {
			return
		}
		e.mu.Lock()
		e.busy--
		if e.busy == 0 {
			close(e.idle)
		}
		e.mu.Unlock()
	}
}

// deliver runs an event's attempts; it reports whether Close interrupted it.
func (e *Emulator) deliver(ev *asyncEvent) (closed bool) {
	maxRetries := e.cfg.MaxAsyncRetryAttempts
	for retry := 0; ; retry++ {
		res, err := e.invoke(context.Background(), ev.payload, InvokeOptions{
			RequestID:   ev.id,
			Timeout:     ev.opts.Timeout,
			RetryCount:  retry,
			Credentials: ev.opts.Credentials,
		})
		if errors.Is(err, ErrClosed) {
			return true
		}
		if err != nil {
			e.fail(&res, ErrorTypeEmulator, err.Error())
		}
		failed := res.Error != nil
		willRetry := failed && retry < maxRetries
		var backoff time.Duration
		if willRetry {
			backoff = e.cfg.RetryBackoff << retry
		}
		e.report(Attempt{Result: res, Async: true, Number: retry + 1, WillRetry: willRetry, RetryIn: backoff})
		if !failed {
			return false
		}
		if !willRetry {
			e.logf("fcemulator: request %s failed after %d attempt(s); sending it to the failure destination", ev.id, retry+1)
			if e.cfg.OnFailure != nil {
				e.cfg.OnFailure(FailureRecord{
					RequestID:   ev.id,
					FunctionArn: e.cfg.functionArn(),
					Qualifier:   e.cfg.Qualifier,
					Payload:     ev.payload,
					Attempts:    retry + 1,
					Error:       res.Error,
					LastResult:  res,
					EnqueuedAt:  ev.enqueued,
					FailedAt:    time.Now(),
				})
			}
			return false
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-e.closing:
			t.Stop()
			return true
		}
	}
}

package ossserver

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// Fault is a failure to inject into one request.
type Fault struct {
	// Delay holds the response back, before anything else is done. It uses
	// the real clock (not Config.Now) and ends early when the client goes
	// away or the server closes; then no response is written.
	Delay time.Duration
	// Status, when non-zero, is answered as an OSS error instead of handling
	// the request (after Delay); it should be a 4xx or 5xx status, and one
	// net/http cannot send becomes 500. With Status 0 the request proceeds
	// normally once the delay is over.
	Status int
	// Code is the OSS error code, e.g. "InternalError", "ServiceUnavailable";
	// empty means "InternalError".
	Code    string
	Message string
}

// FaultFunc decides, for each request, whether to inject a fault; nil means
// none. It runs before authentication and sees the request's Listener,
// Method, Bucket, Key, VirtualHosted, Operation, Query, Auth, RequestID
// and Time. It is called from
// concurrent handlers, so it must be safe for concurrent use.
type FaultFunc func(r Request) *Fault

// faults holds the current FaultFunc.
type faults struct {
	mu sync.RWMutex
	fn FaultFunc
}

// SetFault installs f for the requests that arrive from now on, on every
// listener; SetFault(nil) removes it.
func (s *Server) SetFault(f FaultFunc) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.fn = f
}

func (s *Server) faultFor(r Request) *Fault {
	s.faults.mu.RLock()
	fn := s.faults.fn
	s.faults.mu.RUnlock()
	if fn == nil {
		return nil
	}
	r.Query = slices.Clone(r.Query) // fn may keep or change its copy
	return fn(r)
}

// wait sleeps for d and reports false if the client or the server gave up
// first, so Close never waits for a long injected delay.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closing:
		return false
	}
}

func (f *Fault) err() *ossError {
	code := f.Code
	if code == "" {
		code = "InternalError"
	}
	status := f.Status
	if status < 100 || status > 999 { // http.ResponseWriter.WriteHeader would panic
		status = http.StatusInternalServerError
	}
	return &ossError{status: status, code: code, message: f.Message}
}

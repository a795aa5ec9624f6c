package bench

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
)

// standIn fronts the local cloud's recognition stand-in with a listener of
// its own that counts the calls in flight: from the arrival of a request to
// the end of its answer, delay and image fetch included. (Counting inside
// Decide would not do: Decide returns at once and the stand-in waits the
// delay of Success().After(d) afterwards.) The function is pointed at it
// through OCR_ENDPOINT.
type standIn struct {
	srv  *http.Server
	url  string
	next atomic.Pointer[ocrserver.Server]

	delay    atomic.Int64 // time.Duration of every Success reply
	inFlight atomic.Int64
	maxSeen  atomic.Int64
	calls    atomic.Int64
}

func startStandIn() (*standIn, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &standIn{url: "http://" + ln.Addr().String() + ocrserver.DefaultPath}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Decide is the stand-in's choice for every call: success, after the
// current delay.
func (s *standIn) Decide(ocrserver.Request) ocrserver.Reply {
	return ocrserver.Success().After(time.Duration(s.delay.Load()))
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	s.calls.Add(1)
	for {
		m := s.maxSeen.Load()
		if n <= m || s.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	next := s.next.Load()
	if next == nil {
		http.Error(w, "stand-in not ready", http.StatusServiceUnavailable)
		return
	}
	next.ServeHTTP(w, r)
}

// reset sets the delay of the next calls and forgets the counts.
func (s *standIn) reset(delay time.Duration) {
	s.delay.Store(int64(delay))
	s.maxSeen.Store(0)
	s.calls.Store(0)
}

func (s *standIn) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

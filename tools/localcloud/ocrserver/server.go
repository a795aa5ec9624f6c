package ocrserver

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// Server is the stand-in. Use it either through Start/URL/Close, which
// listen on a real loopback port, or as an http.Handler mounted elsewhere
// (e.g. httptest.NewServer(s)). Its methods are safe for concurrent use.
type Server struct {
	cfg     Config
	journal journal
	nonces  nonceMemory // signature nonces seen, against replays
	// ctx ends when the server closes, so that delayed replies and image
	// fetches stop instead of holding Close up.
	ctx    context.Context
	cancel context.CancelFunc

	http *http.Server
	url  string
}

// New returns a server that is not listening yet. It panics if neither
// cfg.AppCode nor cfg.AppKey with cfg.AppSecret is set, a setup mistake no
// test should run with.
func New(cfg Config) *Server {
	if (cfg.AppKey == "") != (cfg.AppSecret == "") {
		panic("ocrserver: Config.AppKey and Config.AppSecret go together")
	}
	if cfg.AppCode == "" && cfg.AppKey == "" {
		panic("ocrserver: Config.AppCode is required (or AppKey and AppSecret)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{cfg: cfg.withDefaults(), ctx: ctx, cancel: cancel}
}

// Start listens on Config.Addr and serves in the background. A server
// starts once; after Close it cannot be started again.
func (s *Server) Start() error {
	if s.http != nil || s.ctx.Err() != nil {
		return errors.New("ocrserver: Start called twice or after Close")
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
	}
	s.url = "http://" + ln.Addr().String() + s.cfg.Path
	go func() { _ = s.http.Serve(ln) }() // returns ErrServerClosed on Close
	return nil
}

// URL is the full endpoint URL to configure as OCR_ENDPOINT, e.g.
// "http://127.0.0.1:41234/vehicle-license"; "" before Start.
func (s *Server) URL() string { return s.url }

// Close stops delayed replies and fetches in flight, then shuts the
// listener down and waits (briefly) for handlers to finish, so that Calls
// afterwards is complete.
func (s *Server) Close() error {
	s.cancel()
	if s.http == nil {
		return nil
	}
	// Delayed replies were cancelled above, so handlers end at once; what
	// Shutdown would still wait for is a client's connection that never
	// sent a request (net/http gives those 5 s), which no test should pay.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		return s.http.Close()
	}
	return nil
}

// Calls returns every call so far, in the order they were answered.
func (s *Server) Calls() []Call { return s.journal.snapshot() }

// Billed counts the calls answered with HTTP 200, which is what the
// gateway bills.
func (s *Server) Billed() int { return s.journal.billed() }

// ServeHTTP answers one call: the gateway's checks, the vendor's form
// rules, then the reply Decide picks (see the package documentation).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := Call{At: time.Now()}
	w.Header().Set(HeaderRequestID, uuid.NewString())

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()

	reply, data := s.decide(ctx, w, r, &call)
	call.Reply = reply
	if ctx.Err() != nil {
		// The client went away or the server is closing. Returning would
		// make net/http send an empty 200; dropping the connection is what
		// a backend cut off mid-call looks like.
		reply = Disconnect()
	}
	// Record before answering, so that a test that has its answer also
	// finds the call in Calls.
	call.Status = reply.Status()
	s.journal.add(call)
	write(w, reply, data)
}

// decide works out the reply to a call, filling call as it learns more.
// Data is set only for a Success whose image was usable.
func (s *Server) decide(ctx context.Context, w http.ResponseWriter, r *http.Request, call *Call) (Reply, *Data) {
	// The gateway matches the API by method and path before anything
	// else; a mismatch is its 400 "Invalid Url".
	if r.Method != http.MethodPost || r.URL.Path != s.cfg.Path {
		return GatewayError(http.StatusBadRequest, "Invalid Url"), nil
	}
	authReply := s.checkAuth(r)
	call.AuthOK = authReply == nil

	// The body is read even for a refused AppCode, only so that the
	// record shows which image the refused call was about.
	f, formReply := readForm(w, r)
	call.ImgURL, call.ImagePath, call.CardSide, call.Source = f.imgURL, f.imagePath, f.cardSide, f.source
	if authReply != nil {
		return *authReply, nil
	}
	if formReply != nil {
		return *formReply, nil
	}

	req := Request{ImgURL: f.imgURL, ImagePath: f.imagePath, CardSide: f.cardSide, Source: f.source}
	req.Attempt = s.journal.nextAttempt(req.ImagePath)
	call.Attempt = req.Attempt
	reply := s.cfg.Decide(req)

	if !sleep(ctx, reply.delay) || reply.kind != kindSuccess {
		return reply, nil
	}
	image := f.image
	if f.source == "imgUrl" {
		var failed *Reply
		if image, failed = fetchImage(ctx, s.cfg.Fetch, f.imgURL, call); failed != nil {
			return failed.After(reply.delay), nil
		}
	}
	if imageFormat(image) == "" {
		return BusinessError(CodeBadImageFormat, MsgBadImageFormat).After(reply.delay), nil
	}
	data := Recognize(image, f.cardSide)
	return reply, &data
}

// sleep waits d, or less if ctx ends first; it reports whether the full
// wait happened.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

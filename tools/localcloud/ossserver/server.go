package ossserver

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Config configures a Server.
type Config struct {
	// Region is the region V4 signatures must be scoped to, e.g.
	// "cn-hangzhou" (what the client passes to oss.Region). Empty means
	// "cn-hangzhou".
	Region string
	// Now is the server's clock for request-time checks, URL expiry,
	// credential expiry, Last-Modified and the request log. Tests move it to
	// expire signed URLs without sleeping. nil means time.Now.
	Now func() time.Time
	// AccountID is the account that owns every bucket, shown as the Owner
	// of listed objects when a listing asks for it (fetch-owner=true).
	// Empty means DefaultAccountID.
	AccountID string
}

// DefaultAccountID is the bucket owner when Config.AccountID is empty: 16
// digits, the shape of an Alibaba Cloud account ID.
const DefaultAccountID = "1000000000000000"

// Server is an in-memory OSS store served on any number of named listeners.
// Its methods are safe for concurrent use.
type Server struct {
	region    string
	now       func() time.Time
	accountID string

	store   store
	uploads uploads // multipart uploads in progress
	keys    keyring
	log     requestLog
	faults  faults
	notify  notifier

	mu       sync.Mutex
	servers  map[string]*http.Server
	serving  sync.WaitGroup // one per Serve goroutine
	closed   bool
	closing  chan struct{}  // closed by Close, ends injected delays
	inflight int            // handlers running, guarded by mu
	idle     *sync.Cond     // signalled when inflight drops to 0
	accepted map[string]int // TCP connections accepted per listener, guarded by mu
}

// New returns a Server with no listeners, no buckets and no accepted
// credentials.
func New(cfg Config) *Server {
	s := &Server{
		region:    cfg.Region,
		now:       cfg.Now,
		accountID: cfg.AccountID,
		servers:   make(map[string]*http.Server),
		closing:   make(chan struct{}),
	}
	if s.region == "" {
		s.region = "cn-hangzhou"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.accountID == "" {
		s.accountID = DefaultAccountID
	}
	s.idle = sync.NewCond(&s.mu)
	s.notify.init()
	return s
}

// Listen starts serving the store on addr (e.g. "127.0.0.1:0" for a free
// port) and returns the endpoint to give the SDK, e.g.
// "http://127.0.0.1:34567". name (e.g. "internal", "public") identifies the
// listener in the request log and must be unique.
func (s *Server) Listen(name, addr string) (endpoint string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", errors.New("ossserver: Listen after Close")
	}
	if _, dup := s.servers[name]; dup {
		return "", fmt.Errorf("ossserver: a listener named %q already exists", name)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("ossserver: listen %q on %s: %w", name, addr, err)
	}
	srv := &http.Server{
		Handler:           listenerHandler{s: s, name: name},
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, state http.ConnState) {
			if state == http.StateNew {
				s.mu.Lock()
				if s.accepted == nil {
					s.accepted = map[string]int{}
				}
				s.accepted[name]++
				s.mu.Unlock()
			}
		},
	}
	s.servers[name] = srv
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		_ = srv.Serve(ln) // returns http.ErrServerClosed once Close runs
	}()
	return "http://" + ln.Addr().String(), nil
}

// Connections returns how many TCP connections the named listener has
// accepted: what tells a client that keeps its connections alive from one
// that dials for every request.
func (s *Server) Connections(listener string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted[listener]
}

// Close stops every listener, cuts open connections, ends injected delays
// and waits until every handler has returned (and been logged) and every
// ObjectCreated event of the uploads they completed has been delivered.
// The store stays readable. Calling Close again does nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	servers := make([]*http.Server, 0, len(s.servers))
	for _, srv := range s.servers {
		servers = append(servers, srv)
	}
	s.mu.Unlock()

	var errs []error
	for _, srv := range servers {
		if err := srv.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	s.serving.Wait()
	// http.Server.Close does not wait for running handlers; this does.
	s.mu.Lock()
	for s.inflight > 0 {
		s.idle.Wait()
	}
	s.mu.Unlock()
	s.notify.drain()
	return errors.Join(errs...)
}

// enter registers a running handler; false once Close has begun.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inflight++
	return true
}

func (s *Server) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	if s.inflight == 0 {
		s.idle.Broadcast()
	}
}

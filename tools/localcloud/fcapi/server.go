package fcapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
)

// APIVersion is the OpenAPI version whose InvokeFunction is served.
const APIVersion = "2023-03-30"

// Invoker runs a function: *fcemulator.Emulator is one.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte, opts fcemulator.InvokeOptions) (fcemulator.Result, error)
	InvokeAsync(payload []byte, opts fcemulator.AsyncOptions) (requestID string, err error)
}

// Function is one function the server knows.
type Function struct {
	Name string
	// AsyncTask is fc3's asyncInvokeConfig.asyncTask: only then are
	// x-fc-async-task-id headers accepted.
	AsyncTask bool
	Invoker   Invoker
}

// Config configures a Server.
type Config struct {
	// Region and AccountID make the functions' ARNs
	// (acs:fc:<region>:<account>:functions/<name>), as in FC's AsyncTask.
	Region    string
	AccountID string
	// Now is the clock x-acs-date is checked against; nil means time.Now.
	Now func() time.Time
	// OnRequest, if set, hears every request once it is answered (from the
	// handler's goroutine; it must be safe for concurrent use).
	OnRequest func(Request)
}

// Request is one entry of the request log. It holds no header value, no
// signature and no payload.
type Request struct {
	Method      string
	Path        string
	Function    string // "" when the path names none
	Qualifier   string
	Type        string // "Sync" or "Async" once read, else ""
	TaskID      string // the task id accepted, or refused
	AccessKeyID string // the AccessKey claimed, "" when none could be read
	RequestID   string // x-fc-request-id of the answer
	Status      int
	ErrorCode   string // "" on success
	Time        time.Time
}

// Task is an asynchronous task the server accepted.
type Task struct {
	ID          string
	Function    string
	FunctionArn string
	RequestID   string
	Time        time.Time
}

// Server serves InvokeFunction for the functions added to it. Its methods
// are safe for concurrent use.
type Server struct {
	cfg Config

	ctx    context.Context // handlers' base context, cancelled by Close
	cancel context.CancelFunc

	mu        sync.Mutex
	functions map[string]Function
	keys      map[string]Credentials
	tasks     map[string]Task
	taskOrder []string
	log       []Request
	srv       *http.Server
	served    chan struct{} // closed when Serve returned
	closed    bool
	handlers  sync.WaitGroup
}

// New returns a Server with no function, no accepted AccessKey and no
// listener.
func New(cfg Config) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		cfg: cfg, ctx: ctx, cancel: cancel,
		functions: map[string]Function{},
		keys:      map[string]Credentials{},
		tasks:     map[string]Task{},
	}
}

func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// AddFunction makes f invocable by its name (replacing one of that name).
func (s *Server) AddFunction(f Function) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.functions[f.Name] = f
}

// AllowCredentials makes the server accept requests signed with c.
func (s *Server) AllowCredentials(c Credentials) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[c.AccessKeyID] = c
}

func (s *Server) lookup(accessKeyID string) (Credentials, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.keys[accessKeyID]
	return c, ok
}

func (s *Server) function(name string) (Function, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.functions[name]
	return f, ok
}

// Listen serves on addr (e.g. "127.0.0.1:0") and returns the endpoint as a
// URL, e.g. "http://127.0.0.1:34567"; the SDK's openapi.Config.Endpoint
// wants its host:port. A Server has one listener.
func (s *Server) Listen(addr string) (endpoint string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", errors.New("fcapi: Listen after Close")
	}
	if s.srv != nil {
		return "", errors.New("fcapi: already listening")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("fcapi: listen on %s: %w", addr, err)
	}
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
	}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln) // http.ErrServerClosed once Close runs
	}()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the listener, cancels the synchronous invocations in progress
// (their instances are killed, as the emulator does for an abandoned
// invocation) and waits for every handler to return. Queued asynchronous
// invocations belong to the Invoker. Calling Close again does nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv, served := s.srv, s.served
	s.mu.Unlock()

	s.cancel()
	var err error
	if srv != nil {
		err = srv.Close()
		<-served
	}
	s.handlers.Wait()
	return err
}

// enter registers a running handler; false once Close has begun.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.handlers.Add(1)
	return true
}

// Requests returns a copy of the request log, in the order the answers
// were written.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// Tasks returns the asynchronous tasks accepted so far, oldest first.
func (s *Server) Tasks() []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Task, len(s.taskOrder))
	for i, id := range s.taskOrder {
		out[i] = s.tasks[id]
	}
	return out
}

// reserveTask records a task id; false if it exists ("Task deduplication":
// an id is accepted once).
func (s *Server) reserveTask(t Task) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.tasks[t.ID]; dup {
		return false
	}
	s.tasks[t.ID] = t
	s.taskOrder = append(s.taskOrder, t.ID)
	return true
}

// releaseTask forgets a task that could not be queued after all.
func (s *Server) releaseTask(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tasks, id)
	s.taskOrder = slices.DeleteFunc(s.taskOrder, func(x string) bool { return x == id })
}

func (s *Server) record(rec Request) {
	s.mu.Lock()
	s.log = append(s.log, rec)
	s.mu.Unlock()
	if s.cfg.OnRequest != nil {
		s.cfg.OnRequest(rec)
	}
}

func (s *Server) functionArn(name string) string {
	return "acs:fc:" + s.cfg.Region + ":" + s.cfg.AccountID + ":functions/" + name
}

package fcemulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

const (
	apiPrefix = "/2020-11-11/runtime/invocation/"
	// maxResultBytes bounds what the runtime API accepts in a response or
	// error POST (FC 3.0 limits synchronous payloads to 32 MB).
	maxResultBytes = 32 << 20
)

// InstanceInfo describes one function instance (one child process).
type InstanceInfo struct {
	ID         string // FC_INSTANCE_ID
	PID        int    // the function binary's own process id
	RuntimeAPI string // FC_RUNTIME_API given to it: 127.0.0.1:port, no scheme
	// Started is taken immediately before the fork/exec of the binary.
	Started time.Time
	// FirstPoll is when the instance's first GET .../next reached the
	// runtime API; zero until then.
	FirstPoll time.Time
	// Exited is when the emulator observed the process's exit (after it was
	// reaped and its output drained); zero while it runs.
	Exited time.Time
	// ExitStatus describes how the process ended ("exit status 1",
	// "signal: killed"); empty while it runs.
	ExitStatus string
	// Invocations counts the invocations handed to the instance.
	Invocations int
}

// ColdStart is FirstPoll - Started: from launching the binary to the
// function being ready for work. Zero if the instance never polled.
func (i InstanceInfo) ColdStart() time.Duration {
	if i.FirstPoll.IsZero() {
		return 0
	}
	return i.FirstPoll.Sub(i.Started)
}

// Running reports whether the process had not exited when the snapshot was
// taken.
func (i InstanceInfo) Running() bool { return i.Exited.IsZero() }

// instance is one child process and its runtime API server.
type instance struct {
	cfg     *Config
	id      string
	addr    string
	cmd     *exec.Cmd
	pid     int
	started time.Time
	logf    func(string, ...any)

	srv       *http.Server
	serveDone chan struct{}
	handlers  sync.WaitGroup

	work   chan *invocation // unbuffered: a send succeeds when a poll takes it
	ready  chan struct{}    // closed at the first poll
	exited chan struct{}    // closed when the process has been reaped
	quit   chan struct{}    // closed when the runtime API shuts down
	gone   chan struct{}    // closed when the process and the API are both gone

	mu        sync.Mutex
	stopping  bool
	firstPoll time.Time
	inflight  *invocation
	served    int
	exitedAt  time.Time
	exitState string
}

// completion is what the function posted for an invocation.
type completion struct {
	body    []byte
	isError bool
	at      time.Time
}

// invocation is one attempt handed to an instance.
type invocation struct {
	id         string
	payload    []byte
	timeout    time.Duration
	retryCount int
	creds      Credentials

	handed chan struct{} // closed by the poll that took it, after start is set
	start  time.Time
	cold   bool
	done   chan completion // buffered 1
}

// launch starts the runtime API server and the child process.
func launch(cfg *Config, logf func(string, ...any)) (*instance, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fcemulator: runtime API listener: %w", err)
	}
	in := &instance{
		cfg:       cfg,
		id:        "c-" + randomHex(12),
		addr:      ln.Addr().String(),
		logf:      logf,
		serveDone: make(chan struct{}),
		work:      make(chan *invocation),
		ready:     make(chan struct{}),
		exited:    make(chan struct{}),
		quit:      make(chan struct{}),
		gone:      make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"next", in.handleNext)
	mux.HandleFunc("POST "+apiPrefix+"{id}/response", func(w http.ResponseWriter, r *http.Request) { in.handleResult(w, r, false) })
	mux.HandleFunc("POST "+apiPrefix+"{id}/error", func(w http.ResponseWriter, r *http.Request) { in.handleResult(w, r, true) })
	in.srv = &http.Server{
		Handler:           in.track(mux),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(logWriter(logf), "fcemulator: runtime API: ", 0),
	}
	go func() {
		defer close(in.serveDone)
		_ = in.srv.Serve(ln)
	}()

	cmd := exec.Command(cfg.BinaryPath)
	cmd.Dir = cfg.WorkDir
	cmd.Env = in.env()
	cmd.Stdout = cfg.Stdout
	cmd.Stderr = cfg.Stderr
	// If the function leaves a descendant holding its output open, do not
	// wait for it for ever once the function itself has exited.
	cmd.WaitDelay = time.Second
	setProcAttrs(cmd)
	in.cmd = cmd

	in.started = time.Now()
	if err := cmd.Start(); err != nil {
		in.stopAPI()
		close(in.exited)
		close(in.gone)
		return nil, fmt.Errorf("fcemulator: start %s: %w", cfg.BinaryPath, err)
	}
	in.pid = cmd.Process.Pid
	logf("fcemulator: instance %s started (pid %d, runtime API %s)", in.id, in.pid, in.addr)
	go in.wait()
	return in, nil
}

// env is the child's environment: Config.Env, then FC's system variables.
func (in *instance) env() []string {
	c := in.cfg
	env := append([]string(nil), c.Env...)
	env = append(env,
		"FC_RUNTIME_API="+in.addr,
		"FC_REGION="+c.Region,
		"FC_ACCOUNT_ID="+c.AccountID,
		"FC_FUNCTION_NAME="+c.FunctionName,
		"FC_FUNCTION_HANDLER="+c.Handler,
		"FC_FUNCTION_MEMORY_SIZE="+strconv.Itoa(c.MemoryMB),
		"FC_INSTANCE_ID="+in.id,
		"FC_FUNC_CODE_PATH="+c.WorkDir,
	)
	if !c.Credentials.IsZero() {
		env = append(env,
			"ALIBABA_CLOUD_ACCESS_KEY_ID="+c.Credentials.AccessKeyID,
			"ALIBABA_CLOUD_ACCESS_KEY_SECRET="+c.Credentials.AccessKeySecret,
			"ALIBABA_CLOUD_SECURITY_TOKEN="+c.Credentials.SecurityToken,
		)
	}
	return env
}

// wait reaps the process, then shuts its runtime API down.
func (in *instance) wait() {
	err := in.cmd.Wait()
	status := ""
	if in.cmd.ProcessState != nil {
		status = in.cmd.ProcessState.String()
	} else if err != nil {
		status = err.Error()
	}
	in.mu.Lock()
	in.exitedAt = time.Now()
	in.exitState = status
	in.mu.Unlock()
	close(in.exited)
	in.logf("fcemulator: instance %s (pid %d) exited: %s", in.id, in.pid, status)
	in.stopAPI()
	close(in.gone)
}

// stopAPI closes the server and its connections and waits for every
// handler and the serve loop to return.
func (in *instance) stopAPI() {
	in.mu.Lock()
	in.stopping = true
	in.mu.Unlock()
	close(in.quit)
	_ = in.srv.Close()
	<-in.serveDone
	in.handlers.Wait()
}

// track counts running handlers so stopAPI can wait for them; a request that
// arrives once the server is stopping is refused.
func (in *instance) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.mu.Lock()
		if in.stopping {
			in.mu.Unlock()
			writeAPIError(w, http.StatusServiceUnavailable, "instance is stopping")
			return
		}
		in.handlers.Add(1)
		in.mu.Unlock()
		defer in.handlers.Done()
		h.ServeHTTP(w, r)
	})
}

// handleNext holds the poll until an invocation is handed to this instance.
func (in *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	in.mu.Lock()
	if in.firstPoll.IsZero() {
		in.firstPoll = now
		close(in.ready)
	}
	in.mu.Unlock()

	select {
	case inv := <-in.work:
		start := time.Now()
		in.mu.Lock()
		in.inflight = inv
		in.served++
		inv.cold = in.served == 1
		in.mu.Unlock()
		inv.start = start
		close(inv.handed)

		h := w.Header()
		in.setHeaders(h, inv, start.Add(inv.timeout))
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Length", strconv.Itoa(len(inv.payload)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
		// The function went away (or the server is closing).
	case <-in.quit:
		writeAPIError(w, http.StatusServiceUnavailable, "instance is stopping")
	}
}

func (in *instance) setHeaders(h http.Header, inv *invocation, deadline time.Time) {
	c := in.cfg
	set := func(k, v string) {
		if v != "" {
			h.Set(k, v)
		}
	}
	set("x-fc-request-id", inv.id)
	set("x-fc-function-deadline", strconv.FormatInt(deadline.UnixMilli(), 10))
	set("x-fc-function-timeout", strconv.Itoa(timeoutSeconds(inv.timeout)))
	set("x-fc-retry-count", strconv.Itoa(inv.retryCount))
	set("x-fc-access-key-id", inv.creds.AccessKeyID)
	set("x-fc-access-key-secret", inv.creds.AccessKeySecret)
	set("x-fc-security-token", inv.creds.SecurityToken)
	set("x-fc-region", c.Region)
	set("x-fc-account-id", c.AccountID)
	set("x-fc-function-name", c.FunctionName)
	set("x-fc-function-handler", c.Handler)
	set("x-fc-function-memory", strconv.Itoa(c.MemoryMB))
	set("x-fc-qualifier", c.Qualifier)
}

// handleResult records the response or error of the invocation in flight.
func (in *instance) handleResult(w http.ResponseWriter, r *http.Request, isError bool) {
	at := time.Now()
	id := r.PathValue("id")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxResultBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "result exceeds the payload limit")
			return
		}
		writeAPIError(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	in.mu.Lock()
	inv := in.inflight
	if inv == nil || inv.id != id {
		in.mu.Unlock()
		writeAPIError(w, http.StatusNotFound, "no invocation in flight with request id "+strconv.Quote(id))
		return
	}
	in.inflight = nil
	in.mu.Unlock()
	inv.done <- completion{body: body, isError: isError, at: at}
	w.WriteHeader(http.StatusOK)
}

func writeAPIError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": msg, "errorType": http.StatusText(status)})
}

// signal sends sig to the process unless it has already been reaped.
func (in *instance) signal(sig os.Signal) {
	select {
	case <-in.exited:
		return
	default:
	}
	// os.Process.Signal is safe against the process having been reaped in
	// the meantime (it never signals a recycled pid).
	_ = in.cmd.Process.Signal(sig)
}

// kill stops the instance at once (SIGKILL) and waits until the process and
// its runtime API are gone.
func (in *instance) kill() {
	in.signal(syscall.SIGKILL)
	<-in.gone
}

// terminate asks the process to stop (SIGTERM), kills it after grace, and
// waits until the process and its runtime API are gone.
func (in *instance) terminate(grace time.Duration) {
	in.signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-in.exited:
	case <-t.C:
		in.logf("fcemulator: instance %s (pid %d) still running %s after SIGTERM; sending SIGKILL", in.id, in.pid, grace)
		in.signal(syscall.SIGKILL)
	}
	<-in.gone
}

func (in *instance) hasExited() bool {
	select {
	case <-in.exited:
		return true
	default:
		return false
	}
}

func (in *instance) polled() bool {
	select {
	case <-in.ready:
		return true
	default:
		return false
	}
}

func (in *instance) exitStatus() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.exitState
}

func (in *instance) info() InstanceInfo {
	in.mu.Lock()
	defer in.mu.Unlock()
	return InstanceInfo{
		ID:          in.id,
		PID:         in.pid,
		RuntimeAPI:  in.addr,
		Started:     in.started,
		FirstPoll:   in.firstPoll,
		Exited:      in.exitedAt,
		ExitStatus:  in.exitState,
		Invocations: in.served,
	}
}

// timeoutSeconds is x-fc-function-timeout: whole seconds, rounded up, at
// least 1.
func timeoutSeconds(d time.Duration) int {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return s
}

// logWriter adapts logf to the io.Writer of a log.Logger.
type logWriter func(string, ...any)

func (l logWriter) Write(p []byte) (int, error) {
	l("%s", string(p))
	return len(p), nil
}

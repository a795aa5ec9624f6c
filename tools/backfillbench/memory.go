package backfillbench

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

const memoryPrefix = "memory/"

// Memory is what the memory scenario measured.
type Memory struct {
	Keys, Images int
	Concurrency  string // the CLI's CONCURRENCY, which a backfill without --concurrency uses
	Run          ChildRun
	Planned      int // images the dry run's summary says it would recognise
	Calls        int // recognition calls, which a dry run must not make
	// ListPages and ListTime are the ListObjectsV2 requests the CLI made and
	// the time the local OSS server took to answer them, timed at a proxy
	// in front of it: the part of the run that is the server's, not the
	// CLI's.
	ListPages int
	ListTime  time.Duration
}

// KeysPerSecond is the listing rate: keys ÷ the CLI's wall-clock time.
func (m *Memory) KeysPerSecond() float64 { return perSecond(m.Keys, m.Run.Duration) }

// OwnKeysPerSecond is the listing rate without the local server's answer
// time: what the CLI itself gets through.
func (m *Memory) OwnKeysPerSecond() float64 { return perSecond(m.Keys, m.Run.Duration-m.ListTime) }

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func runMemory(ctx context.Context, opts Options, bins binaries, progress func(string, ...any)) (*Memory, error) {
	r, err := startRig(opts.Delay)
	if err != nil {
		return nil, err
	}
	defer r.close()
	progress("memory: seeding %d keys", opts.Keys)
	start := time.Now()
	m := &Memory{Keys: opts.Keys, Images: seedMix(r.oss, memoryPrefix, opts.Keys), Concurrency: "4, its default"}
	if c, ok := opts.Env["CONCURRENCY"]; ok {
		m.Concurrency = c
	}
	progress("memory: seeded in %s", time.Since(start).Round(time.Millisecond))

	timer, err := startListTimer(r.internal)
	if err != nil {
		return nil, err
	}
	defer timer.close()
	// The default page size (1,000) and concurrency: the operator's command.
	args := []string{"backfill", "--bucket", bucket, "--prefix", memoryPrefix, "--dry-run"}
	progress("memory: vlicense %s", strings.Join(args, " "))
	if m.Run, err = runCLI(ctx, bins, r.env(timer.url, opts.Env), args, opts.Progress); err != nil {
		return nil, err
	}
	if err := usable(m.Run); err != nil {
		return nil, err
	}
	m.Planned = summaryCounts(m.Run.Stdout)["planned"]
	m.Calls = len(r.ocr.Calls())
	m.ListPages, m.ListTime = timer.totals()
	return m, nil
}

// listTimer is a reverse proxy in front of the local OSS server's internal
// listener that times the ListObjectsV2 requests through it. It keeps the
// client's Host header, so signatures still match.
type listTimer struct {
	srv   *http.Server
	url   string
	proxy *httputil.ReverseProxy

	mu    sync.Mutex
	pages int
	busy  time.Duration
}

func startListTimer(target string) (*listTimer, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &listTimer{url: "http://" + ln.Addr().String(), proxy: httputil.NewSingleHostReverseProxy(u)}
	l.proxy.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	l.srv = &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = l.srv.Serve(ln) }()
	return l, nil
}

func (l *listTimer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Query().Get("list-type") != "2" {
		l.proxy.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	l.proxy.ServeHTTP(w, r)
	d := time.Since(start)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pages++
	l.busy += d
}

func (l *listTimer) totals() (int, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pages, l.busy
}

func (l *listTimer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = l.srv.Shutdown(ctx)
}

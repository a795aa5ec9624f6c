package soak

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"encoding/json"
	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// Fault kinds, as counted in Report.Faults.
const (
	FaultOCR503       = "recognition 503"
	FaultOCR502       = "recognition 502"
	FaultOCRThrottled = "recognition throttled (403 Flow Control)"
	FaultOCRSlow      = "recognition slower than OCR_TIMEOUT"
	FaultOCRReject    = "recognition refused (400 1009, final)"
	FaultOCROutage    = "recognition outage 503 (whole invocations)"
	FaultPut500       = "result PUT 500 InternalError"
	FaultPut503       = "result PUT 503 ServiceUnavailable"
)

// How a version came to be uploaded.
const (
	howUpload    = "upload"
	howReupload  = "re-upload"
	howMidFlight = "re-upload during recognition"
)

// version is one uploaded image version (one ETag of one key).
type version struct {
	key  string
	n    int // 1 for the first upload of the key
	body []byte
	etag string // unquoted upper-case hex, as events and documents carry it
	side string
	how  string
	ev   *ossserver.ObjectCreated // the upload's event, once triggered
}

// action is something the driver does once it has made step uploads.
type action struct {
	step int
	kind string // "duplicate", "replay", "reupload"
	key  string
	ev   ossserver.ObjectCreated
}

// attemptRecord is what the soak keeps of one invocation attempt.
type attemptRecord struct {
	requestID  string
	retryCount int
	started    time.Time
	duration   time.Duration
	failed     bool
	willRetry  bool
	timedOut   bool
	crashed    bool
	// replaced lists the keys the function declined to write because the
	// image changed while the vendor recognised it (from its summary).
	replaced []string
}

// wiring is what the run learns from the started cloud.
type wiring struct {
	cloud        *localcloud.Cloud
	client       *oss.Bucket
	bucket       string
	prefix       string
	suffix       string // the trigger's suffix (.jpg)
	resultSuffix string
	ocrAttempts  int // OCR_MAX_ATTEMPTS
	fcRetries    int // maxAsyncRetryAttempts
}

// wired returns the wiring; the callbacks read it through here because the
// cloud calls them from its own goroutines.
func (r *run) wired() wiring {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.wiring
}

// run is the state of one soak run, shared by the driver and the cloud's
// callbacks.
type run struct {
	opts Options
	dice dice
	out  io.Writer
	logs *logCounter

	samples map[string][]byte // by card side, read-only

	mu         sync.Mutex
	wiring     // set once, before the first upload
	keys       []string
	versions   map[string][]*version
	nextGlobal int
	midFlight  map[string]bool
	step       int
	actions    []action
	queued     int
	completed  int
	changed    chan struct{}
	attempts   []attemptRecord
	failedReqs []string
	faults     map[string]int
	puts       map[string]int
	uploads    map[string]int // by how
	duplicates int
	dupsAtOnce int
	replays    int
	docs       []docObservation
	unobserved int
	ignored    int
	asyncErrs  []error
}

// Run drives the real function binary through the local cloud with
// injected faults, then checks its promises. The error is for a run that
// could not be made; broken promises are in Report.Invariants (see
// Report.OK).
func Run(ctx context.Context, opts Options) (Report, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return Report{}, err
	}
	start := time.Now()
	goroutinesBefore := runtime.NumGoroutine()

	r := &run{
		opts:      opts,
		dice:      dice{seed: opts.Seed},
		out:       opts.Out,
		logs:      &logCounter{tee: opts.FunctionOutput},
		versions:  map[string][]*version{},
		midFlight: map[string]bool{},
		changed:   make(chan struct{}),
		faults:    map[string]int{},
		puts:      map[string]int{},
		uploads:   map[string]int{},
	}
	if r.out == nil {
		r.out = io.Discard
	}
	r.samples = map[string][]byte{}
	for side, name := range map[string]string{ocrserver.Front: "front.jpg", ocrserver.Back: "back.jpg"} {
		b, err := localcloud.Sample(name)
		if err != nil {
			return Report{}, err
		}
		r.samples[side] = b
	}

	cloud, err := localcloud.Start(localcloud.Config{
		BinaryPath:     opts.BinaryPath,
		SpecPath:       opts.SpecPath,
		Env:            map[string]string{"OCR_TIMEOUT": opts.OCRTimeout.String()},
		RetryBackoff:   opts.RetryBackoff,
		Decide:         r.decide,
		FunctionOutput: r.logs,
		Observer: localcloud.Observer{
			Triggered: r.triggered,
			Ignored:   r.ignoredUpload,
			Attempt:   r.attempt,
			Failed:    r.failed,
		},
	})
	if err != nil {
		return Report{}, err
	}
	closed := false
	defer func() {
		if !closed {
			_ = cloud.Close()
		}
	}()
	trigger := cloud.Function.Triggers[0]
	if opts.Versioned {
		cloud.OSS.EnableVersioning(trigger.Bucket)
	}
	client, err := cloud.Bucket(trigger.Bucket)
	if err != nil {
		return Report{}, err
	}
	w := wiring{cloud: cloud, client: client, bucket: trigger.Bucket, prefix: trigger.Prefix, suffix: trigger.Suffix,
		resultSuffix: cloud.Function.Env["RESULT_SUFFIX"]}
	if w.resultSuffix == "" {
		w.resultSuffix = ".json"
	}
	w.ocrAttempts, w.fcRetries = 3, cloud.Function.MaxAsyncRetryAttempts
	if n, err := strconv.Atoi(cloud.Function.Env["OCR_MAX_ATTEMPTS"]); err == nil && n > 0 {
		w.ocrAttempts = n
	}
	r.mu.Lock()
	r.wiring = w
	r.mu.Unlock()
	cloud.OSS.SetFault(r.ossFault)

	mem := newMemorySampler()
	sampleCtx, stopSampling := context.WithCancel(ctx)
	samplerDone := make(chan struct{})
	go func() {
		defer close(samplerDone)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			mem.sample(cloud.FC.Instances())
			select {
			case <-t.C:
			case <-sampleCtx.Done():
				return
			}
		}
	}()
	stopSampler := func() {
		stopSampling()
		<-samplerDone
	}

	fmt.Fprintf(r.out, "soak: %d images, seed %d, OCR_TIMEOUT %s, function %s (%d MB, timeout %s, FC retries %d)\n",
		opts.Images, opts.Seed, opts.OCRTimeout, cloud.Function.Name, cloud.Function.MemoryMB, cloud.Function.Timeout, cloud.Function.MaxAsyncRetryAttempts)
	if err := r.drive(ctx); err != nil {
		stopSampler()
		return Report{}, err
	}
	settled := time.Now()
	mem.sample(cloud.FC.Instances())
	stopSampler()

	rep := r.report(mem.result(cloud.FC.Instances()))
	rep.Elapsed = settled.Sub(start)
	rep.GoroutinesBefore = goroutinesBefore

	closed = true
	closeErr := cloud.Close()
	if closeErr != nil {
		r.asyncError(fmt.Errorf("closing the local cloud: %w", closeErr))
	}
	// Connections the servers cut take a moment to be noticed by the
	// clients' read loops.
	deadline := time.Now().Add(5 * time.Second)
	for {
		rep.GoroutinesAfter = runtime.NumGoroutine()
		if rep.GoroutinesAfter <= goroutinesBefore || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if rep.GoroutinesAfter > goroutinesBefore {
		rep.LeftoverStacks = goroutineStacks()
	}
	rep.addGoroutineInvariant()
	rep.addAsyncErrors(r.asyncErrors())
	return rep, nil
}

// drive uploads the images with their re-uploads, duplicates and replays,
// then waits for the cloud to settle.
func (r *run) drive(ctx context.Context) error {
	o := r.opts
	spread := 3 * o.Window
	started := time.Now()
	for i := range o.Images {
		if err := r.waitWindow(ctx); err != nil {
			return err
		}
		w := r.wired()
		key := fmt.Sprintf("%ssoak-%05d%s", w.prefix, i, w.suffix)
		r.mu.Lock()
		r.step = i
		r.keys = append(r.keys, key)
		switch {
		case r.dice.below(o.MidFlightRate, "mid-flight", key):
			r.midFlight[key] = true
		case r.dice.below(o.ReuploadRate, "reupload", key):
			r.actions = append(r.actions, action{step: i + r.dice.upTo(spread, "reupload-lag", key), kind: "reupload", key: key})
		}
		r.mu.Unlock()
		if err := r.upload(key, howUpload); err != nil {
			return err
		}
		if err := r.runActions(r.dueActions(i)); err != nil {
			return err
		}
		if n := i + 1; n%max(1, o.Images/10) == 0 || n == o.Images {
			r.progress(fmt.Sprintf("uploaded %d/%d", n, o.Images), started)
		}
	}
	// Settle, then deliver what was scheduled past the last upload (and what
	// the last events scheduled), until nothing is left.
	ctx, cancel := context.WithTimeout(ctx, o.SettleTimeout)
	defer cancel()
	for {
		if err := r.wired().cloud.Settle(ctx); err != nil {
			return fmt.Errorf("settling: %w", err)
		}
		r.mu.Lock()
		pending := r.actions
		r.actions = nil
		r.mu.Unlock()
		if len(pending) == 0 {
			break
		}
		sort.SliceStable(pending, func(i, j int) bool { return pending[i].step < pending[j].step })
		if err := r.runActions(pending); err != nil {
			return err
		}
	}
	r.progress("settled", started)
	return nil
}

func (r *run) progress(what string, started time.Time) {
	r.mu.Lock()
	done, queued, invocations, cloud := r.completed, r.queued, len(r.attempts), r.cloud
	r.mu.Unlock()
	fmt.Fprintf(r.out, "soak: %-14s events %d/%d done, %d invocations, %d recognition calls, %d billed, %s\n",
		what, done, queued, invocations, len(cloud.OCR.Calls()), cloud.OCR.Billed(), time.Since(started).Round(100*time.Millisecond))
}

// waitWindow waits until at most Window events are queued or in delivery.
func (r *run) waitWindow(ctx context.Context) error {
	for {
		r.mu.Lock()
		outstanding, changed := r.queued-r.completed, r.changed
		r.mu.Unlock()
		if outstanding <= r.opts.Window {
			return nil
		}
		select {
		case <-changed:
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// signal wakes waitWindow; r.mu is held.
func (r *run) signal() {
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *run) dueActions(step int) []action {
	r.mu.Lock()
	defer r.mu.Unlock()
	var due, later []action
	for _, a := range r.actions {
		if a.step <= step {
			due = append(due, a)
		} else {
			later = append(later, a)
		}
	}
	r.actions = later
	return due
}

func (r *run) runActions(actions []action) error {
	for _, a := range actions {
		switch a.kind {
		case "reupload":
			if err := r.upload(a.key, howReupload); err != nil {
				return err
			}
			r.mu.Lock()
			n := len(r.versions[a.key])
			if r.dice.below(0.2, "reupload-again", a.key, n) {
				r.actions = append(r.actions, action{step: r.step + 1 + r.dice.upTo(3*r.opts.Window, "reupload-lag", a.key, n), kind: "reupload", key: a.key})
			}
			r.mu.Unlock()
		case "duplicate", "replay":
			if err := r.inject(a.ev, a.kind); err != nil {
				return err
			}
		}
	}
	return nil
}

// upload puts a new version of key through the user's SDK client on the
// public endpoint, so that OSS notifies and the trigger fires. Every
// version has a size no other version of the key has (the sample image
// with 1+g trailing bytes, g counting versions), so the size the vendor
// fetched tells which version it recognised.
func (r *run) upload(key, how string) error {
	r.mu.Lock()
	n := len(r.versions[key]) + 1
	g := r.nextGlobal
	r.nextGlobal++
	side := ocrserver.Front
	if r.dice.below(0.2, "back", key) {
		side = ocrserver.Back
	}
	base := r.samples[side]
	body := make([]byte, len(base), len(base)+1+g)
	copy(body, base)
	for j := 0; j <= g; j++ {
		body = append(body, byte(r.dice.upTo(255, "pad", g, j)))
	}
	sum := md5.Sum(body)
	v := &version{key: key, n: n, body: body, etag: strings.ToUpper(hex.EncodeToString(sum[:])), side: side, how: how}
	r.versions[key] = append(r.versions[key], v)
	r.uploads[how]++
	client := r.client
	r.mu.Unlock()

	var opts []oss.Option
	if side == ocrserver.Back {
		opts = append(opts, oss.Meta("card-side", "BACK"))
	}
	if err := client.PutObject(key, bytes.NewReader(body), opts...); err != nil {
		return fmt.Errorf("uploading %s (%s): %w", key, how, err)
	}
	return nil
}

// inject delivers ev again, as OSS does when it delivers an event twice or
// replays it late: the same payload, a new FC request.
func (r *run) inject(ev ossserver.ObjectCreated, kind string) error {
	r.mu.Lock()
	r.queued++
	switch kind {
	case "duplicate":
		r.duplicates++
	case "replay":
		r.replays++
	}
	cloud := r.cloud
	r.mu.Unlock()
	if _, err := cloud.FC.InvokeAsync(ossserver.EventPayload(ev, localcloud.AccountID), fcemulator.AsyncOptions{}); err != nil {
		return fmt.Errorf("delivering a %s of %s: %w", kind, ev.Key, err)
	}
	return nil
}

// triggered hears an upload's event being queued for the function, and
// schedules its duplicate and the replay of the key's previous event.
func (r *run) triggered(ev ossserver.ObjectCreated, _ string, _ string) {
	var now []ossserver.ObjectCreated
	defer func() {
		for _, e := range now {
			if err := r.inject(e, "duplicate"); err != nil {
				r.asyncError(err)
			}
		}
	}()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queued++
	v := r.find(ev.Key, ev.ETag)
	if v == nil {
		r.asyncErrs = append(r.asyncErrs, fmt.Errorf("an event for %s with ETag %s, a version the soak never uploaded", ev.Key, ev.ETag))
		return
	}
	if v.ev != nil {
		r.asyncErrs = append(r.asyncErrs, fmt.Errorf("OSS notified twice for %s version %d", ev.Key, v.n))
		return
	}
	e := ev
	v.ev = &e
	spread := 3 * r.opts.Window
	if r.dice.below(r.opts.DuplicateRate, "duplicate", v.key, v.n) {
		if r.dice.below(0.5, "duplicate-at-once", v.key, v.n) {
			r.dupsAtOnce++
			now = append(now, ev)
		} else {
			r.actions = append(r.actions, action{step: r.step + 1 + r.dice.upTo(spread, "duplicate-lag", v.key, v.n), kind: "duplicate", key: v.key, ev: ev})
		}
	}
	if v.n >= 2 && r.dice.below(r.opts.ReplayRate, "replay", v.key, v.n) {
		if prev := r.versions[v.key][v.n-2].ev; prev != nil {
			r.actions = append(r.actions, action{step: r.step + r.dice.upTo(spread, "replay-lag", v.key, v.n), kind: "replay", key: v.key, ev: *prev})
		}
	}
}

// find returns the version of key with etag; r.mu is held.
func (r *run) find(key, etag string) *version {
	for _, v := range r.versions[key] {
		if v.etag == etag {
			return v
		}
	}
	return nil
}

// attempt hears every invocation attempt.
func (r *run) attempt(a fcemulator.Attempt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := attemptRecord{
		requestID: a.RequestID, retryCount: a.RetryCount, started: a.Started, duration: a.Duration,
		failed: a.Error != nil, willRetry: a.WillRetry, timedOut: a.TimedOut, crashed: a.Crashed,
	}
	var summary handler.Summary
	if a.Error == nil && json.Unmarshal(a.Payload, &summary) == nil {
		for _, rr := range summary.Records {
			if strings.Contains(rr.Reason, "replaced during recognition") {
				rec.replaced = append(rec.replaced, rr.Key)
			}
		}
	}
	r.attempts = append(r.attempts, rec)
	if a.Async && !a.WillRetry {
		r.completed++
		r.signal()
	}
}

// failed hears an event reaching FC's failure destination.
func (r *run) failed(f fcemulator.FailureRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failedReqs = append(r.failedReqs, f.RequestID)
}

// ignoredUpload hears uploads no trigger matches: the function's result
// documents. Each is read as it was written, before a later write replaces
// it, so that documents later superseded are checked too.
func (r *run) ignoredUpload(ev ossserver.ObjectCreated) {
	r.mu.Lock()
	r.ignored++
	w := r.wiring
	r.mu.Unlock()
	if !strings.HasSuffix(ev.Key, w.resultSuffix) {
		return
	}
	obj, ok := w.cloud.OSS.Object(ev.Bucket, ev.Key)
	if !ok || strings.Trim(obj.ETag, `"`) != ev.ETag {
		r.mu.Lock()
		r.unobserved++
		r.mu.Unlock()
		return
	}
	imageKey := strings.TrimSuffix(ev.Key, w.resultSuffix)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.docs = append(r.docs, r.observe(imageKey, obj))
}

// decide is the recognition stand-in's Decide: the vendor refuses the
// RejectRate keys on every call; the OutageRate keys get 503 for every call
// of their first invocation (so FC's retry is what recognises them), the
// LastAttemptRate keys for every call up to FC's last attempt (which then
// writes a failed "transient" document); other calls fail transiently with
// OCRFailureRate, decided per (key, call number).
func (r *run) decide(req ocrserver.Request) ocrserver.Reply {
	r.mu.Lock()
	key := strings.TrimPrefix(req.ImagePath, "/"+r.bucket+"/")
	reupload := req.Attempt == 1 && r.midFlight[key]
	delete(r.midFlight, key)
	outage := 0
	switch o := r.opts; {
	case r.dice.below(o.LastAttemptRate, "outage-to-the-last", key):
		outage = (1 + r.fcRetries) * r.ocrAttempts
	case r.dice.below(o.OutageRate, "outage", key):
		outage = r.ocrAttempts
	}
	r.mu.Unlock()
	if reupload {
		// The function has read the image's ETag and signed its URL; the
		// vendor has not fetched it yet.
		if err := r.upload(key, howMidFlight); err != nil {
			r.asyncError(err)
		}
	}
	if r.rejected(key) {
		r.count(FaultOCRReject)
		return ocrserver.BusinessError(ocrserver.CodeIllegalParam, ocrserver.MsgIllegalParam)
	}
	if req.Attempt <= outage {
		r.count(FaultOCROutage)
		return ocrserver.HTTPStatus(http.StatusServiceUnavailable)
	}
	o := r.opts
	u := r.dice.unit("ocr", key, req.Attempt)
	share := (o.OCRFailureRate - o.SlowRate) / 3
	switch {
	case u < o.SlowRate:
		r.count(FaultOCRSlow)
		// Twice OCR_TIMEOUT: the function's client always gives up first,
		// so the answer is never sent (nor billed).
		return ocrserver.Success().After(2 * o.OCRTimeout)
	case u < o.SlowRate+share:
		r.count(FaultOCR503)
		return ocrserver.HTTPStatus(http.StatusServiceUnavailable)
	case u < o.SlowRate+2*share:
		r.count(FaultOCR502)
		return ocrserver.HTTPStatus(http.StatusBadGateway)
	case u < o.OCRFailureRate:
		r.count(FaultOCRThrottled)
		return ocrserver.Throttled()
	}
	return ocrserver.Success()
}

func (r *run) rejected(key string) bool { return r.dice.below(r.opts.RejectRate, "reject", key) }

// ossFault fails PutFailureRate of the function's result PUTs, decided per
// (result key, PUT number), before anything is stored.
func (r *run) ossFault(req ossserver.Request) *ossserver.Fault {
	if req.Listener != "internal" || req.Method != http.MethodPut || !strings.HasSuffix(req.Key, r.wired().resultSuffix) {
		return nil
	}
	r.mu.Lock()
	r.puts[req.Key]++
	n := r.puts[req.Key]
	r.mu.Unlock()
	if !r.dice.below(r.opts.PutFailureRate, "put", req.Key, n) {
		return nil
	}
	if r.dice.below(0.5, "put-status", req.Key, n) {
		r.count(FaultPut500)
		return &ossserver.Fault{Status: http.StatusInternalServerError, Code: "InternalError", Message: "injected by the soak test"}
	}
	r.count(FaultPut503)
	return &ossserver.Fault{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "injected by the soak test"}
}

func (r *run) count(kind string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults[kind]++
}

func (r *run) asyncError(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asyncErrs = append(r.asyncErrs, err)
}

func (r *run) asyncErrors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.asyncErrs...)
}

// goroutineStacks is the dump of every goroutine, for a report of a leak.
func goroutineStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// logCounter counts the function's log lines and passes them on.
type logCounter struct {
	mu      sync.Mutex
	tee     io.Writer
	partial []byte
	lines   int
	errors  int
	panics  int
}

func (l *logCounter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tee != nil {
		_, _ = l.tee.Write(p)
	}
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := l.partial[:i]
		l.lines++
		if bytes.Contains(line, []byte(`"level":"ERROR"`)) {
			l.errors++
		}
		if bytes.Contains(line, []byte("panic")) {
			l.panics++
		}
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

func (l *logCounter) counts() (lines, errs, panics int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lines, l.errors, l.panics
}

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vlicense/fc-vehicle-license/tools/fnbuild"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
	"github.com/vlicense/fc-vehicle-license/tools/procfs"
)

// Options say what to measure.
type Options struct {
	Root string // module root (go.mod, s.yaml)
	// Function is the binary to measure, normally the one `make build`
	// made; empty builds it the same way into a temporary directory.
	Function    string
	ColdStarts  int           // fresh processes measured per function
	Warmup      int           // one-image invocations before measuring
	Invocations int           // measured one-image invocations, sequential
	Records     int           // records of the batch event
	Concurrency int           // CONCURRENCY given to the function
	Delay       time.Duration // the stand-in's answer time in the batch event
	Node        bool          // also measure the Node.js baseline, if installed
	// Env is extra environment for the functions (the Go one and the
	// Node.js one), e.g. GOMAXPROCS=1 to try a setting without a release.
	Env      map[string]string
	Progress io.Writer // progress lines; nil discards them
}

// DefaultOptions are the sizes of docs/performance.md's table.
func DefaultOptions(root string) Options {
	return Options{
		Root:        root,
		ColdStarts:  15,
		Warmup:      20,
		Invocations: 200,
		Records:     100,
		Concurrency: 16,
		Delay:       300 * time.Millisecond,
		Node:        true,
	}
}

// Measurement is what was measured of one function.
type Measurement struct {
	Name      string
	ColdStart Distribution
	// FirstInvocation is the round trip of the first invocation a fresh
	// instance serves (connections still to be opened).
	FirstInvocation time.Duration
	// RoundTrip is Emulator.Invoke as the caller sees it; FunctionTime is
	// the emulator's Result.Duration (work handed out to response posted).
	RoundTrip    Distribution
	FunctionTime Distribution
	// CPU is utime+stime of the function's process over the measured
	// one-image invocations.
	CPU              procfs.CPUTimes
	CPUPerInvocation time.Duration
	Event            EventResult
	PeakRSS          int64 // VmHWM after the batch event, bytes
}

// EventResult is the batch event: Records images, the stand-in answering
// each after Delay, at most Concurrency records at once.
type EventResult struct {
	Records, Concurrency int
	Delay                time.Duration
	Duration             time.Duration // Result.Duration of the invocation
	Ideal                time.Duration // IdealBatch(Records, Concurrency, Delay)
	MaxInFlight          int           // most calls in flight at the stand-in at once
	Calls                int           // calls the stand-in received
	Succeeded            int           // records the function reported succeeded
}

// Ratio is Duration / Ideal.
func (e EventResult) Ratio() float64 {
	if e.Ideal <= 0 {
		return 0
	}
	return float64(e.Duration) / float64(e.Ideal)
}

// Machine identifies where the numbers come from.
type Machine struct {
	CPU       string // model name of /proc/cpuinfo
	CPUs      int
	Kernel    string
	GoVersion string
	Date      time.Time
}

// Report is everything Run measured.
type Report struct {
	Machine Machine
	Options Options

	Go Measurement
	// MinimalColdStart is testdata/minimalfn (fc.Start with a trivial
	// handler), sampled alternately with the function.
	MinimalColdStart Distribution
	// EmptyStart is testdata/emptyprog from fork/exec to the byte it writes
	// first thing in main: the least a Go process costs to start here.
	EmptyStart   Distribution
	BinaryBytes  int64 // the stripped function binary
	MinimalBytes int64
	EmptyBytes   int64

	// GoRuntimeEnv is the Go runtime's variables (GODEBUG, GOGC,
	// GOMAXPROCS, GOMEMLIMIT) in the function process's environment, as
	// s.yaml and -env set them, "KEY=VALUE" sorted.
	GoRuntimeEnv []string

	Node        *Measurement // nil when not measured
	NodeInfo    NodeBaseline
	NodeSkipped string // why Node was not measured
}

// Run builds the binaries, measures them and, if asked and installed, the
// Node.js baseline. Nothing it started is left running when it returns.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if err := fnbuild.CheckPlatform(); err != nil {
		return nil, err
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	progress := func(format string, args ...any) { fmt.Fprintf(opts.Progress, "bench: "+format+"\n", args...) }
	rep := &Report{Options: opts, Machine: ReadMachine()}

	tmp, err := os.MkdirTemp("", "fc-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	progress("building the baselines like `make build` (linux/amd64, CGO_ENABLED=0, -trimpath, -ldflags \"-s -w\")")
	fn := opts.Function
	minimal := filepath.Join(tmp, "minimal", "main")
	empty := filepath.Join(tmp, "empty", "main")
	builds := []struct {
		pkg, out string
	}{{"./" + minimalPkg, minimal}, {"./" + emptyPkg, empty}}
	if fn == "" {
		progress("building the function like `make build`")
		fn = filepath.Join(tmp, "function", "main")
		builds = append(builds, struct{ pkg, out string }{".", fn})
	}
	for _, b := range builds {
		if err := fnbuild.Build(ctx, opts.Root, b.pkg, b.out); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		path string
		size *int64
	}{{fn, &rep.BinaryBytes}, {minimal, &rep.MinimalBytes}, {empty, &rep.EmptyBytes}} {
		if *f.size, err = fileSize(f.path); err != nil {
			return nil, err
		}
	}

	goRig, err := startRig(ctx, "go", fn, opts, []string{minimal})
	if err != nil {
		return nil, fmt.Errorf("go function: %w", err)
	}
	defer goRig.close()
	rigs := []*rig{goRig}
	if !opts.Node {
		rep.NodeSkipped = "not asked for (-node=false)"
	} else if node, err := FindNode(opts.Root); err != nil {
		rep.NodeSkipped = err.Error()
	} else {
		rep.NodeInfo = node
		launcher, err := node.Launcher(tmp)
		if err != nil {
			return nil, err
		}
		nodeRig, err := startRig(ctx, "node", launcher, opts, nil)
		if err != nil {
			return nil, fmt.Errorf("node function: %w", err)
		}
		defer nodeRig.close()
		rigs = append(rigs, nodeRig)
	}

	if err := measure(ctx, rigs, opts, progress); err != nil {
		return nil, err
	}
	rep.Go = goRig.m
	rep.MinimalColdStart = goRig.baselineCold[0]
	rep.GoRuntimeEnv = GoRuntimeEnv(goRig.env)

	progress("go: %d starts of a program that does nothing", opts.ColdStarts)
	runs, err := StartToFirstOutput(ctx, empty, opts.ColdStarts)
	if err != nil {
		return nil, err
	}
	rep.EmptyStart = Summarize(runs)
	if len(rigs) > 1 {
		rep.Node = &rigs[1].m
	}
	return rep, nil
}

// The baselines of the cold start, relative to the module root.
const (
	minimalPkg = "tools/bench/testdata/minimalfn"
	emptyPkg   = "tools/bench/testdata/emptyprog"
)

// rig is one function under measurement: a local cloud of its own (OSS,
// recognition stand-in, FC emulator running the function) and the
// emulators of its cold-start baselines, which run with the function's
// environment.
type rig struct {
	name      string
	si        *standIn
	cloud     *localcloud.Cloud
	seeder    *seeder
	out       *tailBuffer
	baselines []*fcemulator.Emulator
	closers   []func()
	env       []string // the function process's environment, less FC's per-instance variables

	pid          int // the measured instance, once the cold starts are done
	images       int // one-image invocations so far (each on a new image)
	m            Measurement
	baselineCold []Distribution
}

func startRig(ctx context.Context, name, binary string, opts Options, baselines []string) (r *rig, err error) {
	r = &rig{name: name, out: &tailBuffer{max: 64 << 10}, m: Measurement{Name: name}}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	if r.si, err = startStandIn(); err != nil {
		return nil, err
	}
	r.closers = append(r.closers, func() { _ = r.si.close() })
	env := map[string]string{}
	for k, v := range opts.Env {
		env[k] = v
	}
	env["OCR_ENDPOINT"] = r.si.url
	env["CONCURRENCY"] = strconv.Itoa(opts.Concurrency)
	r.cloud, err = localcloud.Start(localcloud.Config{
		BinaryPath:     binary,
		SpecPath:       filepath.Join(opts.Root, "s.yaml"),
		Env:            env,
		Decide:         r.si.Decide,
		FunctionOutput: r.out,
	})
	if err != nil {
		return nil, err
	}
	r.closers = append(r.closers, func() { _ = r.cloud.Close() })
	r.si.next.Store(r.cloud.OCR)
	if r.seeder, err = newSeeder(r.cloud, r.cloud.UploadPrefix()+"bench/"+name+"/"); err != nil {
		return nil, err
	}
	first, err := r.cloud.FC.WaitReady(ctx)
	if err != nil {
		return nil, r.withOutput(err)
	}
	if r.env, err = functionEnv(first.PID); err != nil {
		return nil, err
	}
	for _, b := range baselines {
		e, err := fcemulator.Start(fcemulator.Config{BinaryPath: b, Env: r.env, Region: r.cloud.Region, Stdout: r.out, Stderr: r.out})
		if err != nil {
			return nil, err
		}
		r.baselines = append(r.baselines, e)
		r.closers = append(r.closers, func() { _ = e.Close() })
	}
	return r, nil
}

// close stops what the rig started, the last started first.
func (r *rig) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
	r.closers = nil
}

// withOutput adds the function's last output to an error.
func (r *rig) withOutput(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w\nlast function output:\n%s", r.name, err, r.out.String())
}

// emulators are the function's emulator, then its baselines'.
func (r *rig) emulators() []*fcemulator.Emulator {
	return append([]*fcemulator.Emulator{r.cloud.FC}, r.baselines...)
}

// invokeOne sends a one-image event for a new image and checks that it was
// recognised on the measured instance.
func (r *rig) invokeOne(ctx context.Context) (rt, fnTime time.Duration, err error) {
	payload := r.seeder.payload([]string{fmt.Sprintf("one-%04d.jpg", r.images)})
	r.images++
	start := time.Now()
	res, err := r.cloud.FC.Invoke(ctx, payload, fcemulator.InvokeOptions{})
	rt = time.Since(start)
	if err == nil {
		err = checkResult(res, r.pid, 1)
	}
	return rt, res.Duration, r.withOutput(err)
}

// oneImageInvocations measures opts.Invocations sequential one-image
// invocations after opts.Warmup, and the CPU the instance spent on them.
func (r *rig) oneImageInvocations(ctx context.Context, opts Options) error {
	r.si.reset(0)
	for i := range max(opts.Warmup, 1) {
		rt, _, err := r.invokeOne(ctx)
		if err != nil {
			return err
		}
		if i == 0 {
			r.m.FirstInvocation = rt
		}
	}
	before, err := procfs.ProcessCPU(r.pid)
	if err != nil {
		return err
	}
	rts := make([]time.Duration, 0, opts.Invocations)
	fnTimes := make([]time.Duration, 0, opts.Invocations)
	for range opts.Invocations {
		rt, fnTime, err := r.invokeOne(ctx)
		if err != nil {
			return err
		}
		rts, fnTimes = append(rts, rt), append(fnTimes, fnTime)
	}
	after, err := procfs.ProcessCPU(r.pid)
	if err != nil {
		return err
	}
	r.m.RoundTrip, r.m.FunctionTime = Summarize(rts), Summarize(fnTimes)
	r.m.CPU = procfs.CPUTimes{UserTicks: after.UserTicks - before.UserTicks, SystemTicks: after.SystemTicks - before.SystemTicks}
	if opts.Invocations > 0 {
		r.m.CPUPerInvocation = r.m.CPU.Total() / time.Duration(opts.Invocations)
	}
	return nil
}

// batchEvent sends one event of opts.Records images with the stand-in
// answering each after opts.Delay, then reads the instance's peak RSS.
func (r *rig) batchEvent(ctx context.Context, opts Options) error {
	keys := make([]string, opts.Records)
	for i := range keys {
		keys[i] = fmt.Sprintf("event-%03d.jpg", i)
	}
	payload := r.seeder.payload(keys)
	r.si.reset(opts.Delay)
	res, err := r.cloud.FC.Invoke(ctx, payload, fcemulator.InvokeOptions{})
	if err == nil {
		err = checkResult(res, r.pid, opts.Records)
	}
	if err != nil {
		return r.withOutput(err)
	}
	r.m.Event = EventResult{
		Records:     opts.Records,
		Concurrency: opts.Concurrency,
		Delay:       opts.Delay,
		Duration:    res.Duration,
		Ideal:       IdealBatch(opts.Records, opts.Concurrency, opts.Delay),
		MaxInFlight: int(r.si.maxSeen.Load()),
		Calls:       int(r.si.calls.Load()),
		Succeeded:   opts.Records,
	}
	r.m.PeakRSS, err = procfs.PeakRSS(r.pid)
	return err
}

// measure measures the rigs side by side: the cold starts round by round
// over every emulator (each sample kills the instance it replaces, so no
// two programs run at once), then, one function after the other, the
// one-image invocations and the batch event.
func measure(ctx context.Context, rigs []*rig, opts Options, progress func(string, ...any)) error {
	names := make([]string, len(rigs))
	var emus []*fcemulator.Emulator
	for i, r := range rigs {
		names[i] = r.name
		emus = append(emus, r.emulators()...)
	}
	who := strings.Join(names, " and ")

	// Cold starts: the instances started with the clouds warmed the page
	// cache and are not counted.
	progress("%s: %d cold starts each, alternately (with the Go baselines)", who, opts.ColdStarts)
	cold, err := coldStarts(ctx, emus, opts.ColdStarts)
	if err != nil {
		return err
	}
	for _, r := range rigs {
		r.m.ColdStart = Summarize(cold[0])
		for _, c := range cold[1 : 1+len(r.baselines)] {
			r.baselineCold = append(r.baselineCold, Summarize(c))
		}
		cold = cold[1+len(r.baselines):]
		for _, e := range r.baselines {
			_ = e.Close()
		}
		info, _ := r.cloud.FC.Instance()
		r.pid = info.PID
	}

	// One-image invocations on the fresh instances, one function after the
	// other: invocations interleaved across functions would measure each
	// with the other's leftovers (Node.js's GC and compiler threads keep
	// running after it answers), which no instance in FC shares.
	for _, r := range rigs {
		progress("%s: %d warm-up + %d one-image invocations", r.name, opts.Warmup, opts.Invocations)
		if err := r.oneImageInvocations(ctx, opts); err != nil {
			return err
		}
	}

	for _, r := range rigs {
		progress("%s: one %d-record event, stand-in answering after %s, CONCURRENCY=%d", r.name, opts.Records, opts.Delay, opts.Concurrency)
		if err := r.batchEvent(ctx, opts); err != nil {
			return err
		}
	}
	return nil
}

// functionEnv is the environment of the running function process, less
// what the FC emulator sets for each instance: what a baseline needs to
// start exactly as the function does.
func functionEnv(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		return nil, err
	}
	var env []string
	for kv := range bytes.SplitSeq(b, []byte{0}) {
		if len(kv) == 0 || bytes.HasPrefix(kv, []byte("FC_RUNTIME_API=")) || bytes.HasPrefix(kv, []byte("FC_INSTANCE_ID=")) {
			continue
		}
		env = append(env, string(kv))
	}
	return env, nil
}

// GoRuntimeEnv picks the Go runtime's variables out of an environment,
// sorted.
func GoRuntimeEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GODEBUG", "GOGC", "GOMAXPROCS", "GOMEMLIMIT":
			out = append(out, kv)
		}
	}
	slices.Sort(out)
	return out
}

// coldStarts samples n cold starts of each emulator's function, round by
// round: each sample kills the running instance and starts a fresh one.
// The instances running on entry are waited for but not counted.
func coldStarts(ctx context.Context, emus []*fcemulator.Emulator, n int) ([][]time.Duration, error) {
	out := make([][]time.Duration, len(emus))
	for round := 0; round <= n; round++ {
		for i, e := range emus {
			if round > 0 {
				if err := killInstance(ctx, e); err != nil {
					return nil, err
				}
			}
			info, err := e.WaitReady(ctx)
			if err != nil {
				return nil, err
			}
			if round > 0 {
				out[i] = append(out[i], info.ColdStart())
			}
		}
	}
	return out, nil
}

// killInstance SIGKILLs the emulator's running instance (a process this
// program started) and waits until the emulator has seen it exit, so that
// the next WaitReady starts a new one.
func killInstance(ctx context.Context, e *fcemulator.Emulator) error {
	info, ok := e.Instance()
	if !ok || !info.Running() {
		return nil
	}
	p, err := os.FindProcess(info.PID)
	if err != nil {
		return err
	}
	if err := p.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		now, _ := e.Instance()
		if now.PID != info.PID || !now.Running() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("instance %d did not exit after SIGKILL", info.PID)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Microsecond):
		}
	}
}

// checkResult makes sure a measured invocation did the work: it succeeded,
// on the instance being measured, with every record recognised.
func checkResult(res fcemulator.Result, pid, succeeded int) error {
	if !res.OK() {
		return fmt.Errorf("invocation %s failed: %v", res.RequestID, res.Error)
	}
	if res.PID != pid {
		return fmt.Errorf("invocation %s ran on instance %d, not the measured %d (was it restarted?)", res.RequestID, res.PID, pid)
	}
	var s struct {
		Counts map[string]int `json:"counts"`
	}
	if err := json.Unmarshal(res.Payload, &s); err != nil {
		return fmt.Errorf("invocation %s: response is not a summary: %w", res.RequestID, err)
	}
	if got := s.Counts["succeeded"]; got != succeeded {
		return fmt.Errorf("invocation %s: %d records succeeded, want %d: %.80s", res.RequestID, got, succeeded, res.Payload)
	}
	return nil
}

// seeder stores sample images in the local OSS (directly, so that no
// trigger fires) and builds the OSS trigger payloads FC would deliver.
type seeder struct {
	cloud  *localcloud.Cloud
	bucket string
	prefix string
	image  []byte
}

func newSeeder(cloud *localcloud.Cloud, prefix string) (*seeder, error) {
	img, err := localcloud.Sample("front.jpg")
	if err != nil {
		return nil, err
	}
	if len(cloud.Buckets) == 0 {
		return nil, errors.New("s.yaml names no bucket")
	}
	return &seeder{cloud: cloud, bucket: cloud.Buckets[0], prefix: prefix, image: img}, nil
}

// payload uploads one image per name and returns one event with a record
// for each, in order.
func (s *seeder) payload(names []string) []byte {
	var records []json.RawMessage
	for _, name := range names {
		key := s.prefix + name
		etag := s.cloud.OSS.PutObject(s.bucket, key, s.image, "image/jpeg", nil)
		one := ossserver.EventPayload(ossserver.ObjectCreated{
			EventName: ossserver.EventPutObject,
			Bucket:    s.bucket,
			Key:       key,
			Size:      int64(len(s.image)),
			DeltaSize: int64(len(s.image)),
			ETag:      strings.Trim(etag, `"`),
			Time:      time.Now().UTC(),
			Region:    s.cloud.Region,
		}, localcloud.AccountID)
		var ev struct {
			Events []json.RawMessage `json:"events"`
		}
		if err := json.Unmarshal(one, &ev); err != nil {
			panic(err) // EventPayload always writes {"events":[...]}
		}
		records = append(records, ev.Events...)
	}
	b, err := json.Marshal(map[string][]json.RawMessage{"events": records})
	if err != nil {
		panic(err)
	}
	return b
}

// tailBuffer keeps the last max bytes written to it: the function's output,
// shown when something fails.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.buf))
}

// ReadMachine describes this machine.
func ReadMachine() Machine {
	m := Machine{CPU: "unknown CPU", CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), Date: time.Now()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPU = CPUModel(b)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	return m
}

// CPUModel returns the first "model name" of /proc/cpuinfo.
func CPUModel(cpuinfo []byte) string {
	for line := range bytes.SplitSeq(cpuinfo, []byte("\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && string(bytes.TrimSpace(name)) == "model name" {
			return string(bytes.TrimSpace(value))
		}
	}
	return "unknown CPU"
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

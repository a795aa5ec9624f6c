package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vlicense/fc-vehicle-license/tools/procfs"
)

// The performance goals (docs/performance.md). Ratios are Node.js / Go; the
// absolute values are what they come to on a 2-core machine, and decide
// when Node.js was not measured.
const (
	goalColdStartRatio = 50
	goalColdStart      = 5 * time.Millisecond
	goalLatencyRatio   = 4
	goalCPURatio       = 10
	goalCPU            = time.Millisecond
	goalRSSRatio       = 6
	goalRSS            = 16 << 20
	goalEventRatio     = 1.05
	goalBinary         = 12 << 20
)

// modulePath is shortened away in package names.
const modulePath = "github.com/vlicense/fc-vehicle-license"

// Row is one line of the table.
type Row struct {
	Metric, Go, Node, Advantage, Goal, Met, Method string
}

// Rows are the table's lines, in order.
func (r *Report) Rows() []Row {
	g, n := r.Go, r.Node
	nodeCell := func(f func(Measurement) string) string {
		if n == nil {
			return "not measured"
		}
		return f(*n)
	}
	// compare is Node.js ÷ Go on one measure, and how the table shows it.
	compare := func(of func(Measurement) float64) (float64, string) {
		if n == nil || of(g) <= 0 {
			return 0, "—"
		}
		x := of(*n) / of(g)
		return x, fmtRatio(x)
	}
	shown := func(of func(Measurement) float64) string {
		_, s := compare(of)
		return s
	}
	met := func(ok bool, basis string) string {
		s := "no"
		if ok {
			s = "yes"
		}
		if basis != "" {
			s += " (" + basis + ")"
		}
		return s
	}
	// judge compares Node.js with Go on one measure against a ratio goal.
	// Without Node.js the absolute goal, if one is given, decides.
	judge := func(of func(Measurement) float64, goalRatio float64, absoluteMet ...bool) (adv, verdict string) {
		if n == nil {
			if len(absoluteMet) == 0 {
				return "—", "— (needs Node.js)"
			}
			return "—", met(absoluteMet[0], "absolute")
		}
		x, adv := compare(of)
		return adv, met(x >= goalRatio, "")
	}
	var rows []Row

	// Cold start.
	coldAdv, coldMet := judge(func(m Measurement) float64 { return float64(m.ColdStart.P50) }, goalColdStartRatio,
		g.ColdStart.P50 <= goalColdStart)
	rows = append(rows, Row{
		Metric:    fmt.Sprintf("cold start, p50 / p90 (%d fresh processes)", g.ColdStart.N),
		Go:        fmtDur(g.ColdStart.P50) + " / " + fmtDur(g.ColdStart.P90),
		Node:      nodeCell(func(m Measurement) string { return fmtDur(m.ColdStart.P50) + " / " + fmtDur(m.ColdStart.P90) }),
		Advantage: coldAdv,
		Goal:      fmt.Sprintf("≥ %d× (≈ %s or less)", goalColdStartRatio, fmtDur(goalColdStart)),
		Met:       coldMet,
		Method:    "process start (just before fork/exec) → its first GET …/invocation/next at the emulator's runtime API; each sample SIGKILLs the previous instance and starts a new one; the first instance is not counted",
	})

	mc := r.MinimalColdStart
	rows = append(rows, Row{
		Metric:    fmt.Sprintf("cold start of a minimal go1 function, p50 / p90 (%d)", mc.N),
		Go:        fmtDur(mc.P50) + " / " + fmtDur(mc.P90),
		Node:      "—",
		Advantage: "function − minimal: " + fmtSignedDur(g.ColdStart.P50-mc.P50),
		Goal:      "— (the floor on this machine)",
		Met:       "—",
		Method:    fmt.Sprintf("testdata/minimalfn: fc.Start with a trivial handler (%s stripped), built and sampled the same way", fmtBytes(r.MinimalBytes)),
	})
	es := r.EmptyStart
	rows = append(rows, Row{
		Metric:    fmt.Sprintf("start of a Go program that does nothing, p50 / p90 (%d)", es.N),
		Go:        fmtDur(es.P50) + " / " + fmtDur(es.P90),
		Node:      "—",
		Advantage: "—",
		Goal:      "— (no Go process starts faster here)",
		Met:       "—",
		Method:    fmt.Sprintf("testdata/emptyprog: main writes one byte to stdout, nothing else (%s stripped), built the same way; just before fork/exec → that byte read from the pipe, the first run not counted", fmtBytes(r.EmptyBytes)),
	})

	rows = append(rows, Row{
		Metric:    "first invocation of a fresh instance, round trip",
		Go:        fmtDur(g.FirstInvocation),
		Node:      nodeCell(func(m Measurement) string { return fmtDur(m.FirstInvocation) }),
		Advantage: shown(func(m Measurement) float64 { return float64(m.FirstInvocation) }),
		Goal:      "—",
		Met:       "—",
		Method:    "Emulator.Invoke of a one-image event, timed by the caller; connections are opened here",
	})

	// One-image invocations.
	latAdv, latMet := judge(func(m Measurement) float64 { return float64(m.RoundTrip.P50) }, goalLatencyRatio)
	rows = append(rows, Row{
		Metric:    fmt.Sprintf("one-image invocation round trip, p50 / p99 (%d sequential)", g.RoundTrip.N),
		Go:        fmtDur(g.RoundTrip.P50) + " / " + fmtDur(g.RoundTrip.P99),
		Node:      nodeCell(func(m Measurement) string { return fmtDur(m.RoundTrip.P50) + " / " + fmtDur(m.RoundTrip.P99) }),
		Advantage: latAdv,
		Goal:      fmt.Sprintf("p50 ≥ %d×", goalLatencyRatio),
		Met:       latMet,
		Method:    fmt.Sprintf("Emulator.Invoke timed by the caller, after %d warm-up invocations; each on a new image, through the function's whole flow (OSS HEADs, V4 URL signing, the POST — the stand-in fetches the signed URL and answers at once — and the PUT)", r.Options.Warmup),
	})
	rows = append(rows, Row{
		Metric:    "  of which in the function, p50",
		Go:        fmtDur(g.FunctionTime.P50),
		Node:      nodeCell(func(m Measurement) string { return fmtDur(m.FunctionTime.P50) }),
		Advantage: shown(func(m Measurement) float64 { return float64(m.FunctionTime.P50) }),
		Goal:      "—",
		Met:       "—",
		Method:    "the emulator's Result.Duration: the invocation handed to the waiting poll → the function's response POST arrives",
	})

	// CPU.
	cpuAdv, cpuMet := judge(func(m Measurement) float64 { return float64(m.CPUPerInvocation) }, goalCPURatio,
		g.CPUPerInvocation <= goalCPU)
	rows = append(rows, Row{
		Metric:    "CPU per one-image invocation",
		Go:        fmtDur(g.CPUPerInvocation),
		Node:      nodeCell(func(m Measurement) string { return fmtDur(m.CPUPerInvocation) }),
		Advantage: cpuAdv,
		Goal:      fmt.Sprintf("≥ %d× less (≈ %s or less)", goalCPURatio, fmtDur(goalCPU)),
		Met:       cpuMet,
		Method:    fmt.Sprintf("utime+stime of the function's process (all threads) from /proc/<pid>/stat across the %d invocations, ÷ %d (tick %s: ±%s per invocation)", g.RoundTrip.N, g.RoundTrip.N, fmtDur(time.Second/procfs.ClockTicksPerSecond), fmtDur(time.Second/procfs.ClockTicksPerSecond/time.Duration(max(g.RoundTrip.N, 1)))),
	})

	// Batch event.
	ev := g.Event
	rows = append(rows, Row{
		Metric: fmt.Sprintf("%d-record event, stand-in answering after %s, CONCURRENCY=%d", ev.Records, fmtDur(ev.Delay), ev.Concurrency),
		Go:     fmt.Sprintf("%s = %.3f× ideal", fmtDur(ev.Duration), ev.Ratio()),
		Node: nodeCell(func(m Measurement) string {
			return fmt.Sprintf("%s = %.3f× ideal", fmtDur(m.Event.Duration), m.Event.Ratio())
		}),
		Advantage: "—",
		Goal:      fmt.Sprintf("≤ %.2f× ideal (ceil(%d/%d) × %s = %s)", goalEventRatio, ev.Records, ev.Concurrency, fmtDur(ev.Delay), fmtDur(ev.Ideal)),
		Met:       met(ev.Ratio() <= goalEventRatio, ""),
		Method:    "the invocation's Result.Duration ÷ the ideal; every record must come back succeeded",
	})
	rows = append(rows, Row{
		Metric:    "  most recognition calls in flight at once",
		Go:        fmt.Sprintf("%d (of %d calls)", ev.MaxInFlight, ev.Calls),
		Node:      nodeCell(func(m Measurement) string { return fmt.Sprintf("%d (of %d calls)", m.Event.MaxInFlight, m.Event.Calls) }),
		Advantage: "—",
		Goal:      fmt.Sprintf("≤ %d", ev.Concurrency),
		Met:       met(ev.MaxInFlight <= ev.Concurrency && ev.MaxInFlight > 0, ""),
		Method:    "an atomic counter around every HTTP request at the stand-in (arrival → answer sent, delay and image fetch included)",
	})

	// Memory.
	rssAdv, rssMet := judge(func(m Measurement) float64 { return float64(m.PeakRSS) }, goalRSSRatio, g.PeakRSS <= goalRSS)
	rows = append(rows, Row{
		Metric:    "peak RSS after the event",
		Go:        fmtBytes(g.PeakRSS),
		Node:      nodeCell(func(m Measurement) string { return fmtBytes(m.PeakRSS) }),
		Advantage: rssAdv,
		Goal:      fmt.Sprintf("≥ %d× less (≈ %s or less)", goalRSSRatio, fmtBytes(goalRSS)),
		Met:       rssMet,
		Method:    "VmHWM of /proc/<pid>/status once the event has returned (the process's peak since it started)",
	})

	nodeSize := "not measured"
	if n != nil {
		nodeSize = "node_modules " + fmtBytes(r.NodeInfo.ModulesBytes) + " (+ runtime)"
	}
	rows = append(rows, Row{
		Metric:    "binary size (stripped, linux/amd64)",
		Go:        fmtBytes(r.BinaryBytes),
		Node:      nodeSize,
		Advantage: "—",
		Goal:      "≤ " + fmtBytes(goalBinary),
		Met:       met(r.BinaryBytes <= goalBinary, ""),
		Method:    "size of the file `make build` produces (GOOS=linux GOARCH=amd64 CGO_ENABLED=0, -trimpath -ldflags \"-s -w\")",
	})
	return rows
}

// Violations are the measured bounds the bench enforces: the event must
// never have more than CONCURRENCY calls in flight, in either function.
func (r *Report) Violations() []string {
	var v []string
	for _, m := range []*Measurement{&r.Go, r.Node} {
		if m == nil {
			continue
		}
		if m.Event.MaxInFlight > m.Event.Concurrency {
			v = append(v, fmt.Sprintf("%s: %d recognition calls in flight at once, more than CONCURRENCY=%d", m.Name, m.Event.MaxInFlight, m.Event.Concurrency))
		}
	}
	return v
}

// Markdown renders the machine, the table and the notes.
func (r *Report) Markdown() string {
	var b strings.Builder
	m := r.Machine
	fmt.Fprintf(&b, "Machine: %s, %d CPUs, %s, %s", m.CPU, m.CPUs, m.Kernel, m.GoVersion)
	if r.Node != nil {
		fmt.Fprintf(&b, ", Node.js %s with ali-oss %s", r.NodeInfo.Version, r.NodeInfo.AliOSSVersion)
	}
	fmt.Fprintf(&b, "; %s", m.Date.UTC().Format("2006-01-02 15:04 MST"))
	if len(r.Options.Env) > 0 {
		var kv []string
		for k, v := range r.Options.Env {
			kv = append(kv, k+"="+v)
		}
		slices.Sort(kv)
		fmt.Fprintf(&b, "; extra function environment: %s", strings.Join(kv, " "))
	}
	if len(r.GoRuntimeEnv) > 0 {
		fmt.Fprintf(&b, "; the function's Go runtime environment: %s", strings.Join(r.GoRuntimeEnv, " "))
	}
	b.WriteString("\n\n")

	b.WriteString("| metric | Go function | Node.js + ali-oss | comparison | goal | met | method |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, row := range r.Rows() {
		cells := []string{row.Metric, row.Go, row.Node, row.Advantage, row.Goal, row.Met, row.Method}
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\n")
	if r.Node == nil {
		b.WriteString(NodeNotMeasured + "\n")
		if r.NodeSkipped != "" {
			b.WriteString("(" + r.NodeSkipped + ")\n")
		}
	} else {
		b.WriteString("Node.js: tools/bench/node/index.js under the same emulator, local OSS and stand-in (a set of its own), measured the same way " +
			"and side by side: the cold starts of all four programs round by round, then each function's invocations on its own; " +
			"it signs requests with V4 (authorizationV4) and the URL with signatureUrlV4.\n")
	}
	return b.String()
}

func fmtRatio(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f×", x)
	case x >= 10:
		return fmt.Sprintf("%.1f×", x)
	}
	return fmt.Sprintf("%.2f×", x)
}

// fmtDur writes a duration with three significant digits in a unit a
// reader compares easily: µs below 1 ms, ms below 10 s.
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func fmtSignedDur(d time.Duration) string {
	if d < 0 {
		return "−" + fmtDur(-d)
	}
	return "+" + fmtDur(d)
}

func fmtBytes(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

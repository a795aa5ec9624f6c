package backfillbench

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The goals (docs/performance.md): the sustained rate within 5% of --qps,
// and a dry run over a million keys under 64 MiB resident.
const (
	goalRateTolerance = 0.05
	goalPeakRSS       = 64 << 20
)

// Row is one line of the table.
type Row struct {
	Metric, Value, Goal, Met, Method string
	// Failed is set on a row whose goal was not met.
	Failed bool
}

// Rows are the table's lines, in order.
func (r *Report) Rows() []Row {
	var rows []Row
	if p := r.Pacing; p != nil {
		rows = append(rows, p.rows()...)
	}
	if m := r.Memory; m != nil {
		rows = append(rows, m.rows()...)
	}
	return rows
}

func (p *Pacing) rows() []Row {
	w := p.Rate
	tol := p.QPS * goalRateTolerance
	steady := "the window is shorter than two 10-s stretches"
	if w.Stretches > 0 {
		steady = fmt.Sprintf("its %d 10-s stretches: %.1f to %.1f calls/s", w.Stretches, w.MinStretch, w.MaxStretch)
	}
	result := fmt.Sprintf("%s succeeded, %s result documents, exit %d", fmtInt(p.Succeeded), fmtInt(p.Results), p.Run.ExitCode)
	return []Row{
		judged(Row{
			Metric: fmt.Sprintf("pacing: sustained recognition call rate, --qps %s", fmtNum(p.QPS)),
			Value:  fmt.Sprintf("%.2f calls/s (%s calls in %s; %s)", w.Rate, fmtInt(w.InWindow), fmtDur(w.To-w.From), steady),
			Goal:   fmt.Sprintf("%s ± %s calls/s", fmtNum(p.QPS), fmtNum(tol)),
			Method: fmt.Sprintf("arrival times of the calls at the stand-in (ocrserver Call.At); the window runs from %s after the first call to %s before the last (%s of %s), leaving out the warm-up and the tail: calls arriving in it ÷ its length",
				fmtDur(w.From), fmtDur(w.Span-w.To), fmtDur(w.To-w.From), fmtDur(w.Span)),
		}, math.Abs(w.Rate-p.QPS) <= tol),
		{
			Metric: fmt.Sprintf("pacing: backfill of %s images, total", fmtInt(p.Images)),
			Value:  fmt.Sprintf("%s = %.3f× ideal", fmtDur(p.Run.Duration), float64(p.Run.Duration)/float64(p.Ideal())),
			Goal:   fmt.Sprintf("— (ideal %s ÷ %s/s = %s)", fmtInt(p.Images), fmtNum(p.QPS), fmtDur(p.Ideal())),
			Met:    "—",
			Method: fmt.Sprintf("the CLI process (`vlicense backfill --qps %s --concurrency %d`), start → exit, wall clock; the stand-in answers every call after %s",
				fmtNum(p.QPS), p.Concurrency, fmtDur(p.Delay)),
		},
		judged(Row{
			Metric: "pacing: recognition calls",
			Value:  fmt.Sprintf("%s for %s images", fmtInt(p.Rate.Calls), fmtInt(p.Images)),
			Goal:   "exactly one per image",
			Method: fmt.Sprintf("the stand-in's calls grouped by image path: %d images without a call, %d with more than one, %d calls for no seeded image", p.Missing, p.Repeated, p.Strays),
		}, p.OneCallEach()),
		judged(Row{
			Metric: "pacing: results",
			Value:  result,
			Goal:   "every image succeeded, exit 0",
			Method: "the CLI's summary, and <image>.json in the local OSS afterwards",
		}, p.Succeeded == p.Images && p.Results == p.Images && p.Run.ExitCode == 0),
		judged(Row{
			Metric: "pacing: most recognition calls in flight at once",
			Value:  strconv.Itoa(p.MaxInFlight),
			Goal:   fmt.Sprintf("≤ %d (--concurrency)", p.Concurrency),
			Method: fmt.Sprintf("a counter around every request at the stand-in (arrival → answer sent, delay and image fetch included); %s/s × %s comes to about %.0f", fmtNum(p.QPS), fmtDur(p.Delay), p.QPS*p.Delay.Seconds()),
		}, p.MaxInFlight > 0 && p.MaxInFlight <= p.Concurrency),
		{
			Metric: "pacing: peak RSS of the CLI",
			Value:  fmtBytes(p.Run.Peak()),
			Goal:   "—",
			Met:    "—",
			Method: fmt.Sprintf("as for the memory scenario: ru_maxrss through the wrapper, %s (the wrapper's own %s); VmHWM polled every %s, %s (%d samples)",
				fmtBytes(p.Run.PeakRSS), fmtBytes(p.Run.WrapperRSS), fmtDur(pollInterval), fmtBytes(p.Run.PolledRSS), p.Run.Samples),
		},
	}
}

func (m *Memory) rows() []Row {
	run := m.Run
	return []Row{
		judged(Row{
			Metric: fmt.Sprintf("memory: peak RSS of a dry run over %s keys", fmtInt(m.Keys)),
			Value:  fmtBytes(run.Peak()),
			Goal:   "< " + fmtBytes(goalPeakRSS),
			Method: rssMethod(run),
		}, run.Peak() > 0 && run.Peak() < goalPeakRSS),
		{
			Metric: "memory: listing rate",
			Value:  fmt.Sprintf("%s keys/s (%s keys in %s)", fmtInt(int(m.KeysPerSecond())), fmtInt(m.Keys), fmtDur(run.Duration)),
			Goal:   "—",
			Met:    "—",
			Method: fmt.Sprintf("keys ÷ the CLI process's wall-clock time (its OSS requests go through the timing proxy below); `vlicense backfill --dry-run` with the default --page-size (1000) and concurrency (CONCURRENCY: %s); %s images (1 key in %d) cost two HEADs each, the other keys are filtered by name (other file types, result documents)",
				m.Concurrency, fmtInt(m.Images), imageEvery),
		},
		{
			Metric: "  of which the local OSS server answering the listing",
			Value: fmt.Sprintf("%s for %s pages (%s a page); without it, the CLI's own rate: %s keys/s",
				fmtDur(m.ListTime), fmtInt(m.ListPages), fmtDur(m.ListTime/time.Duration(max(m.ListPages, 1))), fmtInt(int(m.OwnKeysPerSecond()))),
			Goal:   "—",
			Met:    "—",
			Method: "a reverse proxy in front of the in-process OSS server times every ListObjectsV2 (request in → answer out); the server keeps its keys sorted, so a page costs what it returns",
		},
		judged(Row{
			Metric: "memory: dry run",
			Value:  fmt.Sprintf("%s planned of %s images, %d recognition calls, exit %d", fmtInt(m.Planned), fmtInt(m.Images), m.Calls, run.ExitCode),
			Goal:   "every image planned, no call, exit 0",
			Method: "the CLI's summary; the stand-in's calls",
		}, m.Planned == m.Images && m.Calls == 0 && run.ExitCode == 0),
	}
}

func rssMethod(run ChildRun) string {
	exact := "below the CLI's, so this is the CLI's own"
	if !run.ExactPeak() {
		exact = "not below it, so this only bounds the CLI's"
	}
	return fmt.Sprintf("the larger of: ru_maxrss from wait4 after the CLI exited, %s, read by tools/backfillbench/peakrss, which starts the CLI (the wrapper's own peak, %s, is %s; this process cannot read it itself, as exec counts the address space it replaces, which os/exec's vfork shares with this process and the objects its OSS server holds); and VmHWM of /proc/<pid>/status polled every %s while it ran, %s (%d samples)",
		fmtBytes(run.PeakRSS), fmtBytes(run.WrapperRSS), exact, fmtDur(pollInterval), fmtBytes(run.PolledRSS), run.Samples)
}

func judged(r Row, ok bool) Row {
	r.Met, r.Failed = "yes", !ok
	if !ok {
		r.Met = "no"
	}
	return r
}

// Failed lists the goals not met.
func (r *Report) Failed() []string {
	var out []string
	for _, row := range r.Rows() {
		if row.Failed {
			out = append(out, fmt.Sprintf("%s: %s, goal %s", strings.TrimSpace(row.Metric), row.Value, row.Goal))
		}
	}
	return out
}

// Markdown renders the machine and the table.
func (r *Report) Markdown() string {
	var b strings.Builder
	m := r.Machine
	fmt.Fprintf(&b, "Machine: %s, %d CPUs, %s, %s; %s\n\n", m.CPU, m.CPUs, m.Kernel, m.GoVersion, m.Date.UTC().Format("2006-01-02 15:04 MST"))
	b.WriteString("| metric | value | goal | met | method |\n|---|---|---|---|---|\n")
	for _, row := range r.Rows() {
		cells := []string{row.Metric, row.Value, row.Goal, row.Met, row.Method}
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}

// fmtInt writes n with thousands separators: 1,000,000.
func fmtInt(n int) string {
	if n < 0 {
		return "-" + fmtInt(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// fmtNum writes a flag's value as given, 50 or 2.5, without the float
// noise of 50 × 0.05.
func fmtNum(x float64) string { return strconv.FormatFloat(math.Round(x*1000)/1000, 'f', -1, 64) }

func fmtDur(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func fmtBytes(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

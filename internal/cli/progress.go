package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

// progress shows a backfill advancing: a bar redrawn in place on a
// terminal, a plain line every few seconds otherwise (logs, CI).
type progress struct {
	mu        sync.Mutex
	w         io.Writer
	terminal  bool
	dryRun    bool
	start     time.Time
	lastDraw  time.Time
	interval  time.Duration
	nListed   int
	listDone  bool
	processed int
	counts    map[outcome.Outcome]int
}

func newProgress(w io.Writer, terminal, dryRun bool) *progress {
	interval := 5 * time.Second
	if terminal {
		interval = 100 * time.Millisecond
	}
	return &progress{w: w, terminal: terminal, dryRun: dryRun, start: time.Now(), interval: interval, counts: map[outcome.Outcome]int{}}
}

func (p *progress) listed(n int, last bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nListed += n
	p.listDone = last
	p.maybeDraw(false)
}

func (p *progress) done(o outcome.Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.processed++
	p.counts[o]++
	p.maybeDraw(false)
}

// finish draws the final state and ends the bar's line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.maybeDraw(true)
	if p.terminal {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) maybeDraw(force bool) {
	now := time.Now()
	if !force && now.Sub(p.lastDraw) < p.interval {
		return
	}
	p.lastDraw = now
	elapsed := now.Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.processed) / elapsed
	}
	total := fmt.Sprintf("%d", p.nListed)
	if !p.listDone {
		total += "+"
	}
	counts := p.countsText()
	if !p.terminal {
		fmt.Fprintf(p.w, "progress: %d/%s objects, %.1f/s, %s\n", p.processed, total, rate, counts)
		return
	}
	const width = 24
	filled := 0
	if p.nListed > 0 {
		filled = width * p.processed / p.nListed
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	fmt.Fprintf(p.w, "\r\x1b[K%s %d/%s %.1f/s %s", bar, p.processed, total, rate, counts)
}

func (p *progress) countsText() string {
	var parts []string
	for _, o := range []outcome.Outcome{outcome.Planned, outcome.Succeeded, outcome.Rejected, outcome.Skipped, outcome.Transient, outcome.Misconfigured} {
		if n := p.counts[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", o, n))
		}
	}
	if len(parts) == 0 {
		return "starting"
	}
	return strings.Join(parts, " · ")
}

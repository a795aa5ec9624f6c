package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

// progress shows a long listing being worked through (backfill, report): a
// bar redrawn in place on a terminal, a plain line every few seconds
// otherwise (logs, CI), with a count per label in the order given.
type progress struct {
	mu        sync.Mutex
	w         io.Writer
	terminal  bool
	labels    []string
	start     time.Time
	lastDraw  time.Time
	interval  time.Duration
	nListed   int
	listDone  bool
	processed int
	counts    map[string]int
}

func newProgress(w io.Writer, terminal bool, labels []string) *progress {
	interval := 5 * time.Second
	if terminal {
		interval = 100 * time.Millisecond
	}
	return &progress{w: w, terminal: terminal, labels: labels, start: time.Now(), interval: interval, counts: map[string]int{}}
}

// outcomeLabels are the labels of a backfill's progress.
var outcomeLabels = []string{string(outcome.Planned), string(outcome.Succeeded), string(outcome.Rejected),
	string(outcome.Skipped), string(outcome.Transient), string(outcome.Misconfigured)}

func (p *progress) listed(n int, last bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nListed += n
	p.listDone = last
	p.maybeDraw(false)
}

func (p *progress) done(label string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.processed++
	p.counts[label]++
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
	for _, l := range p.labels {
		if n := p.counts[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", l, n))
		}
	}
	if len(parts) == 0 {
		return "starting"
	}
	return strings.Join(parts, " · ")
}

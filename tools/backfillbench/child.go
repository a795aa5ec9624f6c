package backfillbench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vlicense/fc-vehicle-license/tools/fnbuild"
	"github.com/vlicense/fc-vehicle-license/tools/procfs"
)

// pollInterval is how often VmHWM is read while the CLI runs.
const pollInterval = 50 * time.Millisecond

// binaries are the programs the bench runs: the CLI as an operator builds
// it, and the wrapper that reads its peak RSS after it exits.
type binaries struct {
	vlicense, peakrss string
}

func build(ctx context.Context, root, dir string) (binaries, error) {
	b := binaries{vlicense: filepath.Join(dir, "vlicense"), peakrss: filepath.Join(dir, "peakrss")}
	for _, p := range []struct{ pkg, out string }{
		{"./cmd/vlicense", b.vlicense},
		{"./tools/backfillbench/peakrss", b.peakrss},
	} {
		cmd := exec.CommandContext(ctx, fnbuild.GoTool(), "build", "-o", p.out, p.pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return binaries{}, fmt.Errorf("go build -o %s %s: %w\n%s", p.out, p.pkg, err, out)
		}
	}
	return b, nil
}

// ChildRun is one run of the CLI.
type ChildRun struct {
	Args     []string
	ExitCode int
	// Duration is wall-clock time from just before the start to the exit.
	Duration time.Duration
	Stdout   string
	// StderrTail is the last lines the CLI wrote to stderr.
	StderrTail []string
	// PeakRSS is ru_maxrss of the CLI after it exited, as the peakrss
	// wrapper read it: max(the wrapper's own peak at exec, the CLI's).
	PeakRSS int64
	// WrapperRSS is the wrapper's own VmHWM: PeakRSS above it is the CLI's
	// exact peak, PeakRSS at or below it only bounds the CLI's from above.
	WrapperRSS int64
	// PolledRSS is the last VmHWM read from /proc/<pid>/status while the
	// CLI ran, every pollInterval; it misses at most the last interval.
	PolledRSS int64
	Samples   int
}

// Peak is the CLI's peak RSS as the table reports it: the larger of the
// two readings, since the polled one can only fall short and the wrapper's
// only exceed. (They have been seen to differ by 0.1 MiB either way: the
// kernel keeps RSS counters per CPU, and not every reader sums them.)
func (c ChildRun) Peak() int64 { return max(c.PeakRSS, c.PolledRSS) }

// ExactPeak reports whether Peak is the CLI's own, rather than the floor
// of the wrapper method.
func (c ChildRun) ExactPeak() bool { return c.PeakRSS > c.WrapperRSS }

// runCLI runs the CLI with args and env through the peakrss wrapper,
// forwarding its stderr lines (its progress) to progress. An error means
// it could not be run or was interrupted; an exit code other than 0 is in
// the result.
func runCLI(ctx context.Context, bins binaries, env, args []string, progress io.Writer) (ChildRun, error) {
	run := ChildRun{Args: args}
	report, reportW, err := os.Pipe()
	if err != nil {
		return run, err
	}
	defer report.Close()

	cmd := exec.CommandContext(ctx, bins.peakrss, append([]string{bins.vlicense}, args...)...)
	cmd.Env = env
	cmd.ExtraFiles = []*os.File{reportW} // fd 3 of the wrapper
	var stdout bytes.Buffer
	stderr := &lineTail{prefix: "  vlicense: ", w: progress, keep: 20}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	// Ctrl-C of the bench stops the CLI the way Ctrl-C stops it for an
	// operator: it finishes what is in flight. The wrapper passes it on.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	// A group of its own, so that a Ctrl-C at the terminal reaches the CLI
	// once, through the wrapper, rather than three times (a second one
	// makes it quit at once); killed with the bench.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		reportW.Close()
		return run, err
	}
	reportW.Close() // the wrapper holds its own copy

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		readReport(report, &run)
	}()
	waitErr := cmd.Wait()
	run.Duration = time.Since(start)
	wg.Wait()

	run.Stdout = stdout.String()
	run.StderrTail = stderr.tail()
	run.ExitCode = cmd.ProcessState.ExitCode()
	if ctx.Err() != nil {
		return run, ctx.Err()
	}
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return run, waitErr
	}
	return run, nil
}

// readReport reads the wrapper's lines (see peakrss) and polls the CLI's
// VmHWM from the moment its pid is known until the wrapper closes the pipe.
func readReport(r io.Reader, run *ChildRun) {
	stop := make(chan struct{})
	polled := make(chan struct{})
	started := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var pid int
		if _, err := fmt.Sscanf(sc.Text(), "pid %d", &pid); err == nil && !started {
			started = true
			go func() {
				defer close(polled)
				pollPeak(pid, stop, run)
			}()
			continue
		}
		fmt.Sscanf(sc.Text(), "maxrss %d self %d", &run.PeakRSS, &run.WrapperRSS)
	}
	close(stop)
	if started {
		<-polled
	}
}

// pollPeak keeps the last VmHWM it could read: VmHWM only grows, and once
// the process has exited there is nothing to read.
func pollPeak(pid int, stop <-chan struct{}, run *ChildRun) {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		if hwm, err := procfs.PeakRSS(pid); err == nil {
			run.PolledRSS = hwm
			run.Samples++
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// lineTail forwards whole lines to w with a prefix and keeps the last few.
type lineTail struct {
	prefix string
	w      io.Writer
	keep   int

	mu      sync.Mutex
	partial []byte
	lines   []string
}

func (l *lineTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		fmt.Fprintln(l.w, l.prefix+line)
		l.lines = append(l.lines, line)
		if len(l.lines) > l.keep {
			l.lines = l.lines[1:]
		}
	}
	return len(p), nil
}

func (l *lineTail) tail() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := append([]string(nil), l.lines...)
	if s := strings.TrimSpace(string(l.partial)); s != "" {
		out = append(out, s)
	}
	return out
}

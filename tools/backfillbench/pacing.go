package backfillbench

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const pacingPrefix = "pacing/"

// Pacing is what the pacing scenario measured.
type Pacing struct {
	Images      int
	QPS         float64
	Concurrency int
	Delay       time.Duration
	Run         ChildRun
	Rate        RateWindow
	// Missing, Repeated and Strays are images that got no call, images
	// that got more than one, and calls for no seeded image.
	Missing, Repeated, Strays int
	MaxInFlight               int
	Succeeded                 int // images the CLI's summary counts succeeded
	Results                   int // result documents found in the bucket afterwards
}

// Ideal is the least time the run can take at QPS calls a second.
func (p *Pacing) Ideal() time.Duration {
	return time.Duration(float64(p.Images) / p.QPS * float64(time.Second))
}

func runPacing(ctx context.Context, opts Options, bins binaries, progress func(string, ...any)) (*Pacing, error) {
	r, err := startRig(opts.Delay)
	if err != nil {
		return nil, err
	}
	defer r.close()
	progress("pacing: seeding %d images", opts.Images)
	keys := seedImages(r.oss, pacingPrefix, opts.Images)

	args := []string{"backfill", "--bucket", bucket, "--prefix", pacingPrefix,
		"--qps", strconv.FormatFloat(opts.QPS, 'f', -1, 64), "--concurrency", strconv.Itoa(opts.Concurrency)}
	progress("pacing: vlicense %s (the stand-in answers after %s; about %s)", strings.Join(args, " "), opts.Delay,
		time.Duration(float64(opts.Images)/opts.QPS*float64(time.Second)).Round(time.Second))
	run, err := runCLI(ctx, bins, r.env(r.internal, opts.Env), args, opts.Progress)
	if err != nil {
		return nil, err
	}
	if err := usable(run); err != nil {
		return nil, err
	}

	p := &Pacing{Images: opts.Images, QPS: opts.QPS, Concurrency: opts.Concurrency, Delay: opts.Delay, Run: run,
		MaxInFlight: r.standIn.max(), Succeeded: summaryCounts(run.Stdout)["succeeded"]}
	calls := r.ocr.Calls()
	arrivals := make([]time.Time, len(calls))
	perImage := make(map[string]int, len(keys))
	for _, k := range keys {
		perImage["/"+bucket+"/"+k] = 0
	}
	for i, c := range calls {
		arrivals[i] = c.At
		if _, ok := perImage[c.ImagePath]; !ok {
			p.Strays++
			continue
		}
		perImage[c.ImagePath]++
	}
	for _, n := range perImage {
		switch {
		case n == 0:
			p.Missing++
		case n > 1:
			p.Repeated++
		}
	}
	p.Rate = measureRate(arrivals)
	for _, k := range keys {
		if _, ok := r.oss.Object(bucket, k+".json"); ok {
			p.Results++
		}
	}
	return p, nil
}

// OneCallEach reports whether every image got exactly one call, and no
// call was for anything else.
func (p *Pacing) OneCallEach() bool {
	return p.Missing == 0 && p.Repeated == 0 && p.Strays == 0 && p.Rate.Calls == p.Images
}

// usable says whether a run measured something: exit 0, or 1 (some images
// failed, which the table shows). Anything else (a usage or configuration
// error, a signal) means the bench could not make the run.
func usable(run ChildRun) error {
	if run.ExitCode == 0 || run.ExitCode == 1 {
		return nil
	}
	return fmt.Errorf("vlicense %s exited %d:\n%s\n%s", strings.Join(run.Args, " "), run.ExitCode,
		strings.TrimSpace(run.Stdout), strings.Join(run.StderrTail, "\n"))
}

// summaryLine is a count line of the backfill's summary, e.g.
// "  succeeded     20000" or "  planned       50000   (recognition …)".
var summaryLine = regexp.MustCompile(`(?m)^\s+([a-z_]+)\s+(\d+)\b`)

func summaryCounts(stdout string) map[string]int {
	counts := map[string]int{}
	for _, m := range summaryLine.FindAllStringSubmatch(stdout, -1) {
		n, _ := strconv.Atoi(m[2])
		counts[m[1]] = n
	}
	return counts
}

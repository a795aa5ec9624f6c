package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/app"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

// backfillHere recognises on this machine, with the function's own handler.
func backfillHere(ctx context.Context, std IO, f backfillFlags, log *slog.Logger) int {
	// The bucket named on the command line is the one served, unless the
	// configuration restricts the function to others.
	var opts []app.Option
	if lim := f.limiter(); lim != nil {
		opts = append(opts, app.WithRecognitionPacer(lim))
	}
	a, code := buildApp(std, log, []string{f.bucket}, opts...)
	if a == nil {
		return code
	}
	if !slices.Contains(a.Config.SourceBuckets, f.bucket) {
		fmt.Fprintf(std.Stderr, "backfill: bucket %q is not in SOURCE_BUCKETS (%s): the function would refuse its images\n",
			f.bucket, strings.Join(a.Config.SourceBuckets, ","))
		return ExitUsage
	}
	workers := f.concurrency
	if workers == 0 {
		workers = a.Config.Concurrency
	}
	b := &backfill{
		handler: a.Handler, workers: workers, opts: handler.BackfillOptions{DryRun: f.dryRun, Redo: f.redo},
		listing: listing{store: a.Store, bucket: f.bucket, prefix: f.prefix, pageSize: f.pageSize,
			progress: newProgress(std.Stderr, std.IsTerminal, outcomeLabels)},
	}
	result := b.run(ctx)
	b.listing.progress.finish()
	printBackfillSummary(std, result, f.dryRun)
	return result.exitCode()
}

// backfill lists a prefix and feeds the objects to a pool of workers.
type backfill struct {
	listing
	handler *handler.Handler
	workers int
	opts    handler.BackfillOptions
}

type backfillResult struct {
	counts      map[outcome.Outcome]int
	failures    []handler.RecordResult
	listed      int
	interrupted bool
	listErr     error
	elapsed     time.Duration
}

func (r backfillResult) exitCode() int {
	switch {
	case r.listErr != nil && !errors.Is(r.listErr, context.Canceled):
		return ExitFailed
	case r.interrupted:
		return ExitInterrupted
	case len(r.failures) > 0:
		return ExitFailed
	}
	return ExitOK
}

// run returns when every listed object has been processed, or when ctx is
// cancelled and the objects in flight have finished.
func (b *backfill) run(ctx context.Context) backfillResult {
	start := time.Now()
	res := backfillResult{counts: map[outcome.Outcome]int{}}
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(b.workers)
	res.listed, res.listErr = b.each(ctx, func(o objectstore.ListedObject) {
		obj := handler.ObjectRef{Bucket: b.bucket, Key: o.Key, Size: o.Size, LastModified: o.LastModified}
		g.Go(func() error {
			// An image in flight finishes even after Ctrl-C: its result is
			// written whole or not at all.
			r := b.handler.ProcessObject(context.WithoutCancel(ctx), obj, b.opts)
			mu.Lock()
			defer mu.Unlock()
			res.counts[r.Outcome]++
			if r.Outcome.Retried() {
				res.failures = append(res.failures, r)
			}
			b.progress.done(string(r.Outcome))
			return nil
		})
	})
	_ = g.Wait()
	res.interrupted = ctx.Err() != nil
	res.elapsed = time.Since(start)
	return res
}

func printBackfillSummary(std IO, r backfillResult, dryRun bool) {
	w := std.Stdout
	title := "backfill"
	if dryRun {
		title = "backfill (dry run: nothing was recognised or billed)"
	}
	fmt.Fprintf(w, "%s: %d objects in %s\n", title, processed(r.counts), r.elapsed.Round(time.Millisecond))
	if dryRun {
		fmt.Fprintf(w, "  %-13s %d   (recognition calls it would make, and bill)\n", outcome.Planned, r.counts[outcome.Planned])
	}
	for _, o := range []outcome.Outcome{outcome.Succeeded, outcome.Rejected, outcome.Skipped, outcome.Transient, outcome.Misconfigured} {
		if n := r.counts[o]; n > 0 || !dryRun {
			fmt.Fprintf(w, "  %-13s %d\n", o, n)
		}
	}
	printFailures(w, r.failures)
	if r.listErr != nil && !errors.Is(r.listErr, context.Canceled) {
		fmt.Fprintf(w, "listing stopped: %v\n", r.listErr)
	}
	if r.interrupted {
		fmt.Fprintln(w, "interrupted: images in flight were finished; run the same command again to resume")
	}
}

// printFailures lists the images that failed, at most 20.
func printFailures(w interface{ Write([]byte) (int, error) }, failures []handler.RecordResult) {
	if len(failures) == 0 {
		return
	}
	sort.Slice(failures, func(i, j int) bool { return failures[i].Key < failures[j].Key })
	fmt.Fprintln(w, "failed (run the same command again to retry them):")
	for i, f := range failures {
		if i == 20 {
			fmt.Fprintf(w, "  … and %d more\n", len(failures)-20)
			break
		}
		fmt.Fprintf(w, "  %s: %s: %s\n", f.Key, f.Outcome, firstLine(f.Reason))
	}
}

func processed(counts map[outcome.Outcome]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/config"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

const backfillIntro = `Usage: vlicense backfill --bucket B [--prefix P] [--dry-run] [--concurrency N] [--log FILE] [--page-size N]

Recognises images uploaded before the trigger existed: lists the bucket under the
prefix and runs every object through the function's own filters and idempotency rule,
so images that already have a result for their current ETag are not paid for again.
Configuration and credentials come from the environment, as for "invoke".

--dry-run lists what would be recognised (and billed) without calling the API.
Ctrl-C stops listing and dispatching; images in flight finish and are written, nothing
is left half-done. Run the same command again to resume: done images are skipped and
failed ones are retried. Exit code 1 when some images failed, 130 when interrupted.`

func runBackfill(ctx context.Context, std IO, args []string) int {
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	bucket := fs.String("bucket", "", "bucket to list (required)")
	prefix := fs.String("prefix", "", "only keys starting with this prefix")
	dryRun := fs.Bool("dry-run", false, "show what would be recognised; call nothing that is billed")
	concurrency := fs.Int("concurrency", 0, "images processed at once (default: CONCURRENCY)")
	logFile := fs.String("log", "", "write the function's JSON log lines to this file")
	pageSize := fs.Int("page-size", 1000, "keys per listing request (1 to 1000)")
	if ok, code := parseFlags(fs, std, args, backfillIntro); !ok {
		return code
	}
	if *bucket == "" {
		fmt.Fprintln(std.Stderr, "backfill: --bucket is required")
		fs.Usage()
		return ExitUsage
	}
	if *concurrency < 0 || *concurrency > config.MaxConcurrency {
		fmt.Fprintf(std.Stderr, "backfill: --concurrency must be from 1 to %d\n", config.MaxConcurrency)
		return ExitUsage
	}
	if *pageSize < 1 || *pageSize > 1000 {
		fmt.Fprintln(std.Stderr, "backfill: --page-size must be from 1 to 1000")
		return ExitUsage
	}
	log := slog.New(slog.DiscardHandler)
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(std.Stderr, "backfill: %v\n", err)
			return ExitUsage
		}
		defer f.Close()
		log = slog.New(slog.NewJSONHandler(f, nil))
	}
	// The bucket named on the command line is the one served, unless the
	// configuration restricts the function to others.
	a, code := buildApp(std, log, []string{*bucket})
	if a == nil {
		return code
	}
	if !slices.Contains(a.Config.SourceBuckets, *bucket) {
		fmt.Fprintf(std.Stderr, "backfill: bucket %q is not in SOURCE_BUCKETS (%s): the function would refuse its images\n",
			*bucket, strings.Join(a.Config.SourceBuckets, ","))
		return ExitUsage
	}
	workers := *concurrency
	if workers == 0 {
		workers = a.Config.Concurrency
	}

	b := &backfill{
		store: a.Store, handler: a.Handler, bucket: *bucket, prefix: *prefix, dryRun: *dryRun, workers: workers, pageSize: *pageSize,
		progress: newProgress(std.Stderr, std.IsTerminal, outcomeLabels),
	}
	result := b.run(ctx)
	b.progress.finish()
	printBackfillSummary(std, result, *dryRun)
	switch {
	case result.listErr != nil && !errors.Is(result.listErr, context.Canceled):
		return ExitFailed
	case result.interrupted:
		return ExitInterrupted
	case result.counts[outcome.Transient]+result.counts[outcome.Misconfigured] > 0:
		return ExitFailed
	}
	return ExitOK
}

// backfill lists a prefix and feeds the objects to a pool of workers.
type backfill struct {
	store    *objectstore.Store
	handler  *handler.Handler
	bucket   string
	prefix   string
	dryRun   bool
	workers  int
	pageSize int
	progress *progress
}

type backfillResult struct {
	counts      map[outcome.Outcome]int
	failures    []handler.RecordResult
	listed      int
	interrupted bool
	listErr     error
	elapsed     time.Duration
}

// run returns when every listed object has been processed, or when ctx is
// cancelled and the objects in flight have finished.
func (b *backfill) run(ctx context.Context) backfillResult {
	start := time.Now()
	res := backfillResult{counts: map[outcome.Outcome]int{}}
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(b.workers)
	res.listed, res.listErr = b.list(ctx, func(obj handler.ObjectRef) {
		g.Go(func() error {
			// An image in flight finishes even after Ctrl-C: its result is
			// written whole or not at all.
			r := b.handler.ProcessObject(context.WithoutCancel(ctx), obj, b.dryRun)
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

// list pages through the prefix, handing each object to process (which
// waits for a free worker), until the listing ends or ctx is cancelled.
func (b *backfill) list(ctx context.Context, process func(handler.ObjectRef)) (int, error) {
	token, n := "", 0
	for {
		page, err := b.store.List(ctx, b.bucket, b.prefix, token, b.pageSize)
		if err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			return n, err
		}
		b.progress.listed(len(page.Objects), page.Next == "")
		for _, o := range page.Objects {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			process(handler.ObjectRef{Bucket: b.bucket, Key: o.Key, Size: o.Size, LastModified: o.LastModified})
			n++
		}
		if page.Next == "" {
			return n, nil
		}
		token = page.Next
	}
}

func printBackfillSummary(std IO, r backfillResult, dryRun bool) {
	w := std.Stdout
	title := "backfill"
	if dryRun {
		title = "backfill (dry run: nothing was recognised or billed)"
	}
	fmt.Fprintf(w, "%s: %d objects in %s\n", title, processed(r.counts), r.elapsed.Round(time.Millisecond))
	order := []outcome.Outcome{outcome.Planned, outcome.Succeeded, outcome.Rejected, outcome.Skipped, outcome.Transient, outcome.Misconfigured}
	for _, o := range order {
		if n := r.counts[o]; n > 0 || (o != outcome.Planned && !dryRun) || (o == outcome.Planned && dryRun) {
			fmt.Fprintf(w, "  %-13s %d\n", o, n)
		}
	}
	if len(r.failures) > 0 {
		sort.Slice(r.failures, func(i, j int) bool { return r.failures[i].Key < r.failures[j].Key })
		fmt.Fprintln(w, "failed (run the same command again to retry them):")
		for i, f := range r.failures {
			if i == 20 {
				fmt.Fprintf(w, "  … and %d more\n", len(r.failures)-20)
				break
			}
			fmt.Fprintf(w, "  %s: %s: %s\n", f.Key, f.Outcome, firstLine(f.Reason))
		}
	}
	if r.listErr != nil && !errors.Is(r.listErr, context.Canceled) {
		fmt.Fprintf(w, "listing stopped: %v\n", r.listErr)
	}
	if r.interrupted {
		fmt.Fprintln(w, "interrupted: images in flight were finished; run the same command again to resume")
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

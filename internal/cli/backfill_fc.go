package cli

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/internal/retry"
)

// backfillOnFC submits the images to the deployed function as asynchronous
// invocations: FC is the engine that runs, retries and scales them.
func backfillOnFC(ctx context.Context, std IO, f backfillFlags, log *slog.Logger) int {
	if f.redo != handler.RedoNone && !f.skipDone {
		fmt.Fprintln(std.Stderr, "backfill: --redo reads each image's result to choose, so it needs --skip-done (the default)")
		return ExitUsage
	}
	target, err := resolveFCTarget(std, f)
	if err != nil {
		fmt.Fprintf(std.Stderr, "backfill: %v\n", err)
		return ExitUsage
	}
	workers := f.concurrency
	if workers == 0 {
		workers = 16
	}
	cfg, store, code := operatorStore(std, "backfill", workers)
	if store == nil {
		return code
	}
	var invoker *fcInvoker
	if !f.dryRun {
		if invoker, err = newFCInvoker(std, target); err != nil {
			fmt.Fprintf(std.Stderr, "backfill: %v\n", err)
			return ExitUsage
		}
	}
	// The handler only plans here (object rules, dedupe): no recognizer.
	planner := handler.New(handler.Options{
		CardSide: "FRONT", ResultSuffix: cfg.ResultSuffix, ImageExtensions: cfg.ImageExtensions,
		SourceBuckets: []string{f.bucket}, SourcePrefix: std.Getenv("SOURCE_PREFIX"), Concurrency: workers,
	}, handler.Deps{Store: store, Logger: log})

	s := &submission{
		flags: f, target: target, planner: planner, invoker: invoker, limiter: f.limiter(), log: log,
		counts: map[string]int{},
		listing: listing{store: store, bucket: f.bucket, prefix: f.prefix, pageSize: f.pageSize,
			progress: newProgress(std.Stderr, std.IsTerminal, fcLabels)},
	}
	res := s.run(ctx, workers)
	s.progress.finish()
	s.printSummary(std, res)
	return res.exitCode()
}

// Labels of the progress of a submission.
const (
	labelQueued        = "queued"
	labelAlreadyQueued = "already queued"
	labelPlanned       = "planned"
	labelNotSubmitted  = "not submitted"
)

var fcLabels = []string{labelPlanned, labelQueued, labelAlreadyQueued, string(outcome.Skipped), string(outcome.Transient), string(outcome.Misconfigured), labelNotSubmitted}

// submission plans every listed object and submits the planned ones in
// events of up to --records-per-event records.
type submission struct {
	listing
	flags   backfillFlags
	target  fcTarget
	planner *handler.Handler
	invoker *fcInvoker
	limiter *rate.Limiter // nil: no --qps
	log     *slog.Logger

	mu       sync.Mutex
	counts   map[string]int // by label
	events   int            // invocations queued
	failures []handler.RecordResult
	refusal  error // FC's first refusal that only the operator can fix
}

// plannedImage is an image to submit, with what its record needs.
type plannedImage struct {
	obj  handler.ObjectRef
	etag string
	redo string
}

func (s *submission) run(ctx context.Context, workers int) backfillResult {
	start := time.Now()
	batches := make(chan []plannedImage, workers)

	// Submitters: each event is one invocation, retried on throttling.
	var submitters errgroup.Group
	for range workers {
		submitters.Go(func() error {
			for batch := range batches {
				s.submitBatch(ctx, batch)
			}
			return nil
		})
	}
	// The batcher groups planned images into events in listing order, so
	// that a re-run makes the same events, with the same task ids, and FC
	// refuses them as already queued. Each listed object gets a slot that
	// its planner fills; the slots queue up to the pool's size.
	slots := make(chan chan plannedImage, workers)
	batched := make(chan struct{})
	go func() {
		defer close(batched)
		var batch []plannedImage
		for slot := range slots {
			p, ok := <-slot
			if !ok {
				continue // not to be submitted
			}
			if batch = append(batch, p); len(batch) == s.flags.recordsPerEvent {
				batches <- batch
				batch = nil
			}
		}
		if len(batch) > 0 {
			batches <- batch
		}
	}()

	// Planners: the object rules and, unless --skip-done=false, the image
	// and its result read (dedupe, --redo), like the function's own look.
	res := backfillResult{counts: map[outcome.Outcome]int{}}
	res.listed, res.listErr = s.each(ctx, func(o objectstore.ListedObject) {
		obj := handler.ObjectRef{Bucket: s.bucket, Key: o.Key, Size: o.Size, LastModified: o.LastModified}
		slot := make(chan plannedImage, 1)
		slots <- slot
		go func() {
			defer close(slot)
			if p, ok := s.plan(ctx, obj, o.ETag); ok && !s.flags.dryRun && ctx.Err() == nil {
				slot <- p
			}
		}()
	})
	close(slots)
	<-batched
	close(batches)
	_ = submitters.Wait()

	res.interrupted = ctx.Err() != nil
	res.elapsed = time.Since(start)
	res.failures = s.failures
	return res
}

// plan decides whether obj is to be submitted.
func (s *submission) plan(ctx context.Context, obj handler.ObjectRef, listedETag string) (plannedImage, bool) {
	if !s.flags.skipDone {
		if reason := s.planner.FilterObject(obj); reason != "" {
			s.count(string(outcome.Skipped))
			return plannedImage{}, false
		}
		s.planned()
		return plannedImage{obj: obj, etag: listedETag}, true
	}
	p, r := s.planner.PlanObject(ctx, obj, s.flags.redo)
	switch {
	case r.Outcome == outcome.Planned:
		s.planned()
		return plannedImage{obj: obj, etag: p.ETag, redo: p.RedoResultETag}, true
	case r.Outcome.Retried():
		s.fail(r)
	default:
		s.count(string(r.Outcome))
	}
	return plannedImage{}, false
}

// submitBatch sends one event. After Ctrl-C, or once FC has refused a
// submission for a reason every other one shares (permissions, function
// name, account), nothing more is submitted.
func (s *submission) submitBatch(ctx context.Context, batch []plannedImage) {
	if ctx.Err() != nil || s.refused() != nil {
		s.countN(labelNotSubmitted, len(batch))
		return
	}
	payload, taskID, err := s.event(batch)
	if err == nil {
		_, _, err = retry.Do(ctx, retry.Policy{Attempts: 5, Base: 200 * time.Millisecond, Max: 5 * time.Second}, func(int) error {
			if s.limiter != nil {
				if err := s.limiter.Wait(ctx); err != nil {
					return retry.Permanent(err)
				}
			}
			err := s.invoker.submit(taskID, payload)
			var fe *fcError
			if errors.Is(err, errAlreadyQueued) || (errors.As(err, &fe) && !fe.retryable()) {
				return retry.Permanent(err)
			}
			return err
		}, func(attempt int, err error, wait time.Duration) {
			s.log.Warn("submission failed, retrying", "task_id", taskID, "attempt", attempt, "error", err.Error(), "retry_in_ms", wait.Milliseconds())
		})
	}
	switch {
	case err == nil:
		s.mu.Lock()
		s.events++
		s.mu.Unlock()
		s.countN(labelQueued, len(batch))
		s.log.Info("queued", "task_id", taskID, "records", len(batch), "function", s.target.function)
	case errors.Is(err, errAlreadyQueued):
		s.countN(labelAlreadyQueued, len(batch))
		s.log.Info("already queued", "task_id", taskID, "records", len(batch))
	default:
		kind, reason := outcome.Transient, "submitting to FC: "+err.Error()
		if fe := (*fcError)(nil); errors.As(err, &fe) && !fe.retryable() {
			kind = outcome.Misconfigured
			s.mu.Lock()
			s.refusal = cmp.Or(s.refusal, err)
			s.mu.Unlock()
			s.log.Error("FC refused the submission; submitting no more", "task_id", taskID, "error", err.Error())
		} else if ctx.Err() != nil {
			reason = "not submitted: interrupted"
		}
		for _, p := range batch {
			s.fail(handler.RecordResult{Bucket: p.obj.Bucket, Key: p.obj.Key, Outcome: kind, Reason: reason})
		}
	}
}

func (s *submission) refused() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusal
}

// event is the OSS-trigger-shaped payload of a batch, and its task id:
// derived from each image's bucket, key and ETag (and the result a redo
// replaces), so that the same backfill run again queues nothing twice.
func (s *submission) event(batch []plannedImage) ([]byte, string, error) {
	ev := handler.Event{Events: make([]handler.Record, len(batch))}
	h := sha256.New()
	for i, p := range batch {
		rec := handler.Record{
			EventName: handler.BackfillEventName, EventSource: "acs:oss", EventVersion: "1.0", Region: s.target.region,
			EventTime: p.obj.LastModified.UTC().Format(time.RFC3339),
			OSS: handler.OSSEntity{
				Bucket: handler.Bucket{Name: p.obj.Bucket, ARN: fmt.Sprintf("acs:oss:%s:%s:%s", s.target.region, s.target.accountID, p.obj.Bucket)},
				Object: handler.Object{Key: p.obj.Key, ETag: p.etag, Size: p.obj.Size},
			},
		}
		if p.redo != "" {
			rec.Redo = &handler.RecordRedo{ResultETag: p.redo}
		}
		ev.Events[i] = rec
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\n", p.obj.Bucket, p.obj.Key, p.etag, p.redo)
	}
	payload, err := json.Marshal(ev)
	return payload, taskID(h.Sum(nil)), err
}

// taskID renders a digest as an x-fc-async-task-id: letters, digits,
// hyphens, well within FC's length limit.
func taskID(digest []byte) string {
	return "vlicense-" + hex.EncodeToString(digest)[:40]
}

// planned counts an image to submit; in a dry run that is where it ends,
// otherwise its submission is what the progress shows.
func (s *submission) planned() {
	if s.flags.dryRun {
		s.count(labelPlanned)
		return
	}
	s.mu.Lock()
	s.counts[labelPlanned]++
	s.mu.Unlock()
}

func (s *submission) count(label string) { s.countN(label, 1) }

func (s *submission) countN(label string, n int) {
	s.mu.Lock()
	s.counts[label] += n
	s.mu.Unlock()
	for range n {
		s.progress.done(label)
	}
}

func (s *submission) fail(r handler.RecordResult) {
	s.mu.Lock()
	s.failures = append(s.failures, r)
	s.mu.Unlock()
	s.count(string(r.Outcome))
}

func (s *submission) printSummary(std IO, r backfillResult) {
	w := std.Stdout
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flags.dryRun {
		fmt.Fprintf(w, "backfill on FC (dry run: nothing was submitted or billed): %d objects in %s\n", r.listed, r.elapsed.Round(time.Millisecond))
		fmt.Fprintf(w, "  %-15s %d   (images it would submit to %s, and the recognition calls they would bill)\n", labelPlanned, s.counts[labelPlanned], s.target.function)
	} else {
		fmt.Fprintf(w, "backfill on FC: %d objects in %s, submitted to %s (%s)\n", r.listed, r.elapsed.Round(time.Millisecond), s.target.function, s.target.endpoint)
		fmt.Fprintf(w, "  %-15s %d   (in %d invocations; follow them with vlicense report)\n", labelQueued, s.counts[labelQueued], s.events)
		fmt.Fprintf(w, "  %-15s %d   (by an earlier run: not queued twice)\n", labelAlreadyQueued, s.counts[labelAlreadyQueued])
	}
	fmt.Fprintf(w, "  %-15s %d\n", outcome.Skipped, s.counts[string(outcome.Skipped)])
	if n := s.counts[labelNotSubmitted]; n > 0 {
		fmt.Fprintf(w, "  %-15s %d\n", labelNotSubmitted, n)
	}
	printFailures(w, r.failures)
	if r.listErr != nil && !errors.Is(r.listErr, context.Canceled) {
		fmt.Fprintf(w, "listing stopped: %v\n", r.listErr)
	}
	if s.refusal != nil {
		fmt.Fprintf(w, "stopped: %v\n  nothing more was submitted: fix what FC names (the function name and --region, the AccessKey's fc:InvokeFunction permission) and run the same command again\n", s.refusal)
	}
	if r.interrupted {
		fmt.Fprintln(w, "interrupted: nothing more was submitted; run the same command again to resume (queued images are not queued twice)")
	}
	if s.planner.ServesEverything() {
		fmt.Fprintln(w, "note: SOURCE_PREFIX is not set here: the function skips keys outside the prefix it serves (s.yaml's triggerPrefix); set SOURCE_PREFIX to it to check here")
	}
}

package handler

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"
	"golang.org/x/sync/errgroup"

	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/internal/vehicle"
)

// HandlePayload is the FC entry point: it decodes the raw payload itself so
// that a malformed one gets a clear error, then runs Handle.
func (h *Handler) HandlePayload(ctx context.Context, payload []byte) (Summary, error) {
	ev, err := DecodeEvent(payload)
	if err != nil {
		h.invocationLogger(fromFC(ctx)).Error("payload refused", "error", err.Error())
		return Summary{}, err
	}
	return h.Handle(ctx, ev)
}

// Handle processes every record of ev, at most Concurrency at once. It
// returns an *InvocationError, after every record has finished, if any
// record ended transient or misconfigured, so that FC retries the event;
// records already done are skipped on the retry by their result document.
func (h *Handler) Handle(ctx context.Context, ev Event) (Summary, error) {
	fc := fromFC(ctx)
	log := h.invocationLogger(fc)
	if err := ev.Validate(); err != nil {
		log.Error("payload refused", "error", err.Error())
		return Summary{}, err
	}
	h.useInvocationCredentials(fc)
	lastChance := h.isLastChance(fc)
	if lastChance {
		log.Warn("FC's last attempt at this event: records that fail now get a failed result document", "retry_count", fc.RetryCount)
	}

	// Records are independent: one failing never cancels the others.
	results := make([]RecordResult, len(ev.Events))
	var g errgroup.Group
	g.SetLimit(h.opts.Concurrency)
	for i, rec := range ev.Events {
		g.Go(func() error {
			results[i] = h.processRecord(ctx, log, rec, lastChance)
			return nil
		})
	}
	_ = g.Wait()

	summary := newSummary(fc.RequestID, results)
	log.Info("invocation finished",
		"succeeded", summary.Counts[outcome.Succeeded], "rejected", summary.Counts[outcome.Rejected], "skipped", summary.Counts[outcome.Skipped],
		"transient", summary.Counts[outcome.Transient], "misconfigured", summary.Counts[outcome.Misconfigured],
		"accepted", summary.ReviewCounts[vehicle.Accepted], "needs_review", summary.ReviewCounts[vehicle.NeedsReview])
	if summary.needsRetry() {
		return summary, &InvocationError{Summary: summary}
	}
	return summary, nil
}

// processRecord runs the pipeline for one record of an event. On FC's last
// attempt a record that failed gets a failed document instead of
// vanishing; a panic fails only its own record.
func (h *Handler) processRecord(ctx context.Context, invLog *slog.Logger, rec Record, lastChance bool) (res RecordResult) {
	img := imageOf(rec)
	log := invLog.With("bucket", img.bucket, "key", img.key)
	defer recoverRecord(log, img, &res)
	if reason := h.filterEvent(rec); reason != "" {
		return skip(log, img.result(), reason)
	}
	res = h.process(ctx, log, img)
	if lastChance && res.Outcome.Retried() {
		res = h.lastAttempt(ctx, log, img, res)
	}
	return res
}

// recoverRecord, deferred, turns a panic in one record into a transient
// failure of that record, so the others still finish and FC retries.
func recoverRecord(log *slog.Logger, img image, res *RecordResult) {
	if p := recover(); p != nil {
		log.Error("record panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		*res = img.result()
		res.Outcome, res.Reason = outcome.Transient, "internal error"
	}
}

// fromFC reads what FC tells the invocation (request id, retry count, STS
// credentials) once: fccontext.FromContext allocates a logger on every call
// and is not safe to call from the record goroutines. ok is false outside
// FC (tests, CLI).
func fromFC(ctx context.Context) fcInfo {
	fc, ok := fccontext.FromContext(ctx)
	if !ok {
		return fcInfo{}
	}
	return fcInfo{ok: true, RequestID: fc.RequestID, RetryCount: fc.RetryCount, Credentials: fc.Credentials}
}

type fcInfo struct {
	ok          bool
	RequestID   string
	RetryCount  int
	Credentials fccontext.Credentials
}

// invocationLogger tags every line with FC's request id.
func (h *Handler) invocationLogger(fc fcInfo) *slog.Logger {
	if fc.RequestID != "" {
		return h.deps.Logger.With("request_id", fc.RequestID)
	}
	return h.deps.Logger
}

// isLastChance reports whether FC will not retry this invocation: its
// x-fc-retry-count has reached the function's maxAsyncRetryAttempts.
// Outside FC (tests, CLI) the caller reports failures itself, so only FC
// invocations qualify.
func (h *Handler) isLastChance(fc fcInfo) bool {
	return fc.ok && fc.RetryCount >= h.opts.MaxAsyncRetryAttempts
}

// useInvocationCredentials hands this invocation's STS credentials to the
// OSS client. Invocations without any (the CLI, tests) keep what the
// instance started with.
func (h *Handler) useInvocationCredentials(fc fcInfo) {
	if h.deps.Credentials == nil || fc.Credentials.AccessKeyId == "" {
		return
	}
	h.deps.Credentials.SetCredentials(objectstore.Credentials{
		AccessKeyID:     fc.Credentials.AccessKeyId,
		AccessKeySecret: fc.Credentials.AccessKeySecret,
		SecurityToken:   fc.Credentials.SecurityToken,
	})
}

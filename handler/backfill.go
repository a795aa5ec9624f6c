package handler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/internal/vehicle"
)

// BackfillEventName is the eventName of images a backfill found by listing
// rather than an upload announcing them: in their documents, and in the
// events `vlicense backfill --on-fc` submits. It is not an OSS event name;
// it starts with "ObjectCreated:" so that those events pass the function's
// event rule like uploads, with no special case.
const BackfillEventName = "ObjectCreated:Backfill"

// ObjectRef is an object found by listing a bucket.
type ObjectRef struct {
	Bucket       string
	Key          string
	Size         int64
	LastModified time.Time
}

// Redo names the final results to recognise again on purpose (after a new
// vendor plan, a normaliser fix, ...): dedupe by ETag would skip them.
type Redo string

// Kinds of Redo.
const (
	RedoNone        Redo = ""
	RedoFailed      Redo = "failed"       // status failed: refusals and last-attempt failures
	RedoRejected    Redo = "rejected"     // outcome rejected
	RedoNeedsReview Redo = "needs_review" // review status needs_review
	RedoAll         Redo = "all"          // every result
)

// ParseRedo reads a --redo value.
func ParseRedo(s string) (Redo, error) {
	switch r := Redo(s); r {
	case RedoNone, RedoFailed, RedoRejected, RedoNeedsReview, RedoAll:
		return r, nil
	}
	return "", fmt.Errorf("must be one of failed, rejected, needs_review, all; got %q", s)
}

// Matches reports whether a result document, by its metadata, is one to
// redo.
func (r Redo) Matches(result objectstore.ObjectInfo) bool {
	switch r {
	case RedoFailed:
		return result.Meta[metaResultStatus] == DocumentFailed
	case RedoRejected:
		return result.Meta[metaOutcome] == string(outcome.Rejected)
	case RedoNeedsReview:
		return result.Meta[metaReviewStatus] == vehicle.NeedsReview
	case RedoAll:
		return true
	}
	return false
}

// BackfillOptions say how to treat an object found by listing.
type BackfillOptions struct {
	// DryRun stops before signing: an image that would be recognised (and
	// billed) comes back as outcome.Planned.
	DryRun bool
	// Redo recognises again the images whose final result matches.
	Redo Redo
}

// ProcessObject runs the pipeline for an object found by listing, with the
// same object rules and the same idempotency rule as uploads, so a backfill
// never pays again for an image already done (unless told to redo it) and
// can be re-run to resume.
func (h *Handler) ProcessObject(ctx context.Context, obj ObjectRef, opts BackfillOptions) (res RecordResult) {
	plan, res := h.PlanObject(ctx, obj, opts.Redo)
	if res.Outcome != outcome.Planned || opts.DryRun {
		return res
	}
	log := h.backfillLogger(obj)
	defer recoverRecord(log, plan.image, &res)
	res.Outcome = ""
	return h.recognise(ctx, log, plan.current, res)
}

// FilterObject says why an object found by listing is not one the function
// recognises (not an image, outside the prefix, ...), or "". It reads
// nothing.
func (h *Handler) FilterObject(obj ObjectRef) string {
	return h.filterObject(image{bucket: obj.Bucket, key: obj.Key, size: obj.Size})
}

// ServesEverything reports whether no SOURCE_PREFIX restricts the keys
// served.
func (h *Handler) ServesEverything() bool { return h.opts.SourcePrefix == "" }

// Plan is what PlanObject found of an object that is to be recognised.
type Plan struct {
	current
	// ETag and Size are the image's as OSS has them now.
	ETag string
	Size int64
	// RedoResultETag is the ETag of the final result to be replaced, when
	// the image is recognised again on purpose; empty otherwise.
	RedoResultETag string
}

// PlanObject runs the steps of the pipeline that cost no recognition call
// (object rules, the image and its result read, dedupe) and says whether
// the object is to be recognised: outcome.Planned, with the plan; or
// skipped or failed, with why. `vlicense backfill --on-fc` submits the
// planned ones to the deployed function.
func (h *Handler) PlanObject(ctx context.Context, obj ObjectRef, redo Redo) (plan Plan, res RecordResult) {
	img := image{bucket: obj.Bucket, key: obj.Key, size: obj.Size, redo: redo,
		eventName: BackfillEventName, eventTime: obj.LastModified.UTC().Format(time.RFC3339)}
	log := h.backfillLogger(obj)
	defer recoverRecord(log, img, &res)
	if reason := h.filterObject(img); reason != "" {
		return plan, skip(log, img.result(), reason)
	}
	cur, res, ok := h.look(ctx, log, img)
	if !ok {
		return plan, res
	}
	plan = Plan{current: cur, ETag: cur.info.ETag, Size: cur.info.Size, RedoResultETag: cur.replacesResult}
	log.Info("to recognise", "etag", cur.info.ETag, "card_side", cur.side, "redo", cur.replacesResult != "")
	res.Outcome = outcome.Planned
	return plan, res
}

func (h *Handler) backfillLogger(obj ObjectRef) *slog.Logger {
	return h.deps.Logger.With("bucket", obj.Bucket, "key", obj.Key, "backfill", true)
}

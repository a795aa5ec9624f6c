package handler

import (
	"context"
	"time"
)

// BackfillEventName is the eventName recorded in documents written by a
// backfill: no OSS event announced those images, a listing found them.
const BackfillEventName = "Backfill"

// Planned is the outcome of a dry run for an image that would be sent to
// the recognition API (and billed).
const Planned Outcome = "planned"

// ObjectRef is an object found by listing a bucket.
type ObjectRef struct {
	Bucket       string
	Key          string
	Size         int64
	LastModified time.Time
}

// ProcessObject runs the flow of an OSS event for an object found by
// listing, with the same filters and the same idempotency rule, so a
// backfill never pays again for an image already done and can be re-run to
// resume. With dryRun it stops before signing: images that would be
// recognised come back as Planned.
func (h *Handler) ProcessObject(ctx context.Context, obj ObjectRef, dryRun bool) (res RecordResult) {
	rec := Record{
		EventName: BackfillEventName,
		EventTime: obj.LastModified.UTC().Format(time.RFC3339),
		OSS:       OSSEntity{Bucket: Bucket{Name: obj.Bucket}, Object: Object{Key: obj.Key, Size: obj.Size}},
	}
	log := h.deps.Logger.With("bucket", obj.Bucket, "key", obj.Key, "backfill", true)
	defer h.recoverRecord(log, rec, &res)
	j, res, ok := h.prepare(ctx, log, rec)
	if !ok {
		return res
	}
	if dryRun {
		log.Info("would recognise (dry run)", "etag", j.image.ETag, "card_side", j.side)
		res.Outcome = Planned
		return res
	}
	return h.recognise(ctx, log, j, res)
}

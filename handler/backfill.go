package handler

import (
	"context"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

// BackfillEventName is the eventName recorded in documents written by a
// backfill: no OSS event announced those images, a listing found them.
const BackfillEventName = "Backfill"

// ObjectRef is an object found by listing a bucket.
type ObjectRef struct {
	Bucket       string
	Key          string
	Size         int64
	LastModified time.Time
}

// ProcessObject runs the pipeline for an object found by listing, with the
// same object rules and the same idempotency rule as uploads, so a
// backfill never pays again for an image already done and can be re-run to
// resume. With dryRun it stops before signing: images that would be
// recognised come back as outcome.Planned.
func (h *Handler) ProcessObject(ctx context.Context, obj ObjectRef, dryRun bool) (res RecordResult) {
	img := image{bucket: obj.Bucket, key: obj.Key, size: obj.Size,
		eventName: BackfillEventName, eventTime: obj.LastModified.UTC().Format(time.RFC3339)}
	log := h.deps.Logger.With("bucket", obj.Bucket, "key", obj.Key, "backfill", true)
	defer recoverRecord(log, img, &res)
	if reason := h.filterObject(img); reason != "" {
		return skip(log, img.result(), reason)
	}
	cur, res, ok := h.look(ctx, log, img)
	if !ok {
		return res
	}
	if dryRun {
		log.Info("would recognise (dry run)", "etag", cur.info.ETag, "card_side", cur.side)
		res.Outcome = outcome.Planned
		return res
	}
	return h.recognise(ctx, log, cur, res)
}

package handler

import (
	"context"
	"log/slog"

	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

// lastAttempt writes a failed result for a record that still failed on
// FC's last attempt, so that the image does not vanish: its outcome,
// attempts and last error are on record, and a later delivery or a
// backfill retries it (failed documents are not final).
//
// The record may have failed before or long after the pipeline read the
// image, so it looks again, with the pipeline's own look: a deleted image
// gets no document, and a final result that another invocation (a
// duplicate delivery, a backfill) wrote for this very ETag meanwhile is
// left as it is.
func (h *Handler) lastAttempt(ctx context.Context, log *slog.Logger, img image, failed RecordResult) RecordResult {
	cur, res, ok := h.look(ctx, log, img)
	switch {
	case ok:
	case res.Outcome == outcome.Skipped:
		return res
	default:
		// OSS did not answer: the event's own ETag and size stand, and the
		// document is written all the same, since it is the only trace left.
		cur = current{image: img, key: img.key, resultKey: img.key + h.opts.ResultSuffix, side: h.opts.CardSide,
			info: objectstore.ObjectInfo{ETag: objectstore.NormalizeETag(img.etag), Size: img.size}}
	}

	doc := h.newDocument(cur, failed.Outcome, failed.Attempts)
	// The document is the only trace left: it keeps more of the error than a log line.
	doc.Error = &DocumentError{Class: failed.Outcome, Message: clipTo(failed.Reason, 2000)}
	if o, reason := h.writeDocument(ctx, log, cur.bucket, cur.resultKey, doc); o != "" {
		log.Error("last attempt: the failed result could not be written either", "reason", reason)
		return failed
	}
	log.Warn("last attempt: failed result written", "outcome", failed.Outcome, "result_key", cur.resultKey)
	failed.ResultKey = cur.resultKey
	failed.Reason += " (FC's last attempt: failed result document written)"
	return failed
}

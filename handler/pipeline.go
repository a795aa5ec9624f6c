package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vlicense/fc-vehicle-license/internal/config"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/internal/recognition"
	"github.com/vlicense/fc-vehicle-license/internal/vehicle"
)

// image is one object to recognise, as an event or a listing announced it.
type image struct {
	bucket, key string
	size        int64
	etag        string // as the event saw it; "" from a listing
	eventName   string
	eventTime   string
	// redo and redoResultETag ask to recognise the image again although
	// its result is final: a local backfill's --redo, or an event of
	// `backfill --on-fc --redo` naming the very result to replace.
	redo           Redo
	redoResultETag string
}

func imageOf(rec Record) image {
	img := image{bucket: rec.OSS.Bucket.Name, key: rec.OSS.Object.Key, size: rec.OSS.Object.Size,
		etag: rec.OSS.Object.ETag, eventName: rec.EventName, eventTime: rec.EventTime}
	if rec.Redo != nil {
		img.redoResultETag = rec.Redo.ResultETag
	}
	return img
}

// redoes reports whether a final result is to be replaced on purpose. An
// event names the result by its ETag, so that a duplicate delivery, which
// finds the new result, pays nothing twice.
func (img image) redoes(result objectstore.ObjectInfo) bool {
	return img.redo.Matches(result) || (img.redoResultETag != "" && img.redoResultETag == result.ETag)
}

// result is the summary line of an image before anything happened to it.
func (img image) result() RecordResult {
	return RecordResult{Bucket: img.bucket, Key: img.key}
}

// ReasonGone is why a record whose image is not (or no longer) in OSS is
// skipped.
const ReasonGone = "the image no longer exists"

// current is an image as OSS has it now: what the pipeline decides on.
type current struct {
	image
	key       string // as found in OSS (decoded if the announced one was URL-encoded)
	info      objectstore.ObjectInfo
	resultKey string
	side      string
	// replacesResult is the ETag of the final result this recognition
	// replaces on purpose (a redo that matched), or "".
	replacesResult string
}

// source names the exact image version a document describes.
func (c current) source() Source {
	return Source{Bucket: c.bucket, Key: c.key, ETag: c.info.ETag, VersionID: c.info.VersionID, Size: c.info.Size,
		EventName: c.eventName, EventTime: c.eventTime}
}

// process runs the pipeline for one image that passed the filters: look,
// dedupe, sign, recognise, re-check, write.
func (h *Handler) process(ctx context.Context, log *slog.Logger, img image) RecordResult {
	cur, res, ok := h.look(ctx, log, img)
	if !ok {
		return res
	}
	return h.recognise(ctx, log, cur, res)
}

// look reads the image as it is now and its result, and decides whether
// there is anything to do: none of it costs a recognition call. ok is false
// when the record ends here (skipped, or failed reading OSS); res says how.
func (h *Handler) look(ctx context.Context, log *slog.Logger, img image) (cur current, res RecordResult, ok bool) {
	res = img.result()

	// The image's ETag is what the result must match, its metadata may
	// choose the card side; its result is read at the same time, since two
	// internal round trips then cost one.
	resultHead := make(chan headAnswer, 1)
	go func() { resultHead <- h.head(ctx, img.bucket, img.key+h.opts.ResultSuffix) }()
	info, key, err := h.headImage(ctx, log, img.bucket, img.key)
	existing := <-resultHead
	res.Key = key
	switch {
	case errors.Is(err, objectstore.ErrNotFound):
		return cur, skip(log, res, ReasonGone), false
	case err != nil:
		o, reason := h.classifyStoreError(err)
		return cur, fail(log, res, o, reason), false
	case info.Size == 0:
		return cur, skip(log, res, "empty object"), false
	}

	// Dedupe: never pay twice for the same image version.
	resultKey := key + h.opts.ResultSuffix
	if key != img.key {
		existing = h.head(ctx, img.bucket, resultKey) // the announced key was URL-encoded
	}
	redoETag := ""
	switch {
	case existing.err == nil && isFinalFor(existing.info, info.ETag) && img.redoes(existing.info):
		redoETag = existing.info.ETag
		log.Info("recognising again on purpose (redo)", "etag", info.ETag, "result_key", resultKey, "result_etag", redoETag)
	case existing.err == nil && isFinalFor(existing.info, info.ETag):
		return cur, skip(log, res, "already recognised for this ETag", "etag", info.ETag, "result_key", resultKey), false
	case existing.err != nil && !errors.Is(existing.err, objectstore.ErrNotFound):
		o, reason := h.classifyStoreError(existing.err)
		return cur, fail(log, res, o, reason), false
	}

	cur = current{image: img, key: key, info: info, resultKey: resultKey, side: h.cardSide(log, info), replacesResult: redoETag}
	return cur, res, true
}

// isFinalFor reports whether a result document (by its metadata) ends the
// story of the image version with this ETag: see outcome.Final. A failure
// written on FC's last attempt is retried by a later delivery or a backfill.
func isFinalFor(result objectstore.ObjectInfo, etag string) bool {
	return result.Meta[metaSourceETag] == etag && outcome.Outcome(result.Meta[metaOutcome]).Final()
}

// headAnswer is a HEAD's answer, to pass across goroutines.
type headAnswer struct {
	info objectstore.ObjectInfo
	err  error
}

func (h *Handler) head(ctx context.Context, bucket, key string) headAnswer {
	info, err := h.deps.Store.Head(ctx, bucket, key)
	return headAnswer{info, err}
}

// headImage reads the image's current state. Events carry the key as
// stored, but if it is not found and looks URL-encoded, the decoded key is
// tried once: some producers encode it.
func (h *Handler) headImage(ctx context.Context, log *slog.Logger, bucket, key string) (objectstore.ObjectInfo, string, error) {
	info, err := h.deps.Store.Head(ctx, bucket, key)
	if !errors.Is(err, objectstore.ErrNotFound) || !strings.ContainsAny(key, "%+") {
		return info, key, err
	}
	decoded, derr := url.QueryUnescape(key)
	if derr != nil || decoded == key {
		return info, key, err
	}
	info, err = h.deps.Store.Head(ctx, bucket, decoded)
	if err == nil {
		log.Info("key was URL-encoded in the event; using the decoded key", "decoded_key", decoded)
		return info, decoded, nil
	}
	return info, key, err
}

// cardSide applies the image's x-oss-meta-card-side over CARD_SIDE.
func (h *Handler) cardSide(log *slog.Logger, info objectstore.ObjectInfo) string {
	raw, ok := info.Meta[metaCardSide]
	if !ok {
		return h.opts.CardSide
	}
	side, valid := config.ParseCardSide(raw)
	if !valid {
		log.Warn("x-oss-meta-card-side is neither FRONT nor BACK; using CARD_SIDE", "card_side_meta", raw, "card_side", h.opts.CardSide)
		return h.opts.CardSide
	}
	return side
}

// recognise signs, calls the vendor and writes the result.
func (h *Handler) recognise(ctx context.Context, log *slog.Logger, cur current, res RecordResult) RecordResult {
	signed, err := h.deps.Store.SignGetURL(cur.bucket, cur.key, cur.info.VersionID, h.opts.SignedURLTTL)
	if err != nil {
		o, reason := h.classifyStoreError(err)
		return fail(log, res, o, "signing the image URL: "+reason)
	}
	log.Info("recognising", "etag", cur.info.ETag, "version_id", cur.info.VersionID, "size", cur.info.Size, "card_side", cur.side,
		"url", objectstore.RedactURL(signed), "url_ttl", h.opts.SignedURLTTL.String())

	// Recognition leaves time to write the result before the deadline.
	rctx, cancel := h.recognitionContext(ctx)
	result := h.deps.Recognizer.Recognize(rctx, recognition.Request{ImageURL: signed, CardSide: cur.side, Log: log})
	cancel()
	res.Attempts = result.Attempts

	switch result.Outcome {
	case outcome.Transient, outcome.Misconfigured:
		return fail(log, res, result.Outcome, result.Reason)
	case outcome.Succeeded, outcome.Rejected:
	default:
		return fail(log, res, outcome.Transient, fmt.Sprintf("unknown recognition outcome %q", result.Outcome))
	}

	if reason := h.replacedMeanwhile(ctx, log, cur); reason != "" {
		return skip(log, res, reason, "etag", cur.info.ETag, "billed", result.Outcome == outcome.Succeeded)
	}

	doc := h.newDocument(cur, result.Outcome, result.Attempts)
	doc.Response = result.Body
	switch result.Outcome {
	case outcome.Rejected:
		doc.Error = &DocumentError{HTTPStatus: result.HTTPStatus, Status: result.Status, Code: result.Code, Message: result.Message}
	case outcome.Succeeded:
		doc.Vehicle, doc.Review = reviewed(result.Body, cur.side, h.deps.Now())
	}
	if o, reason := h.writeDocument(ctx, log, cur.bucket, cur.resultKey, doc); o != "" {
		return fail(log, res, o, "writing the result: "+reason)
	}

	res.Outcome, res.ResultKey = result.Outcome, cur.resultKey
	attrs := []any{"outcome", res.Outcome, "result_key", cur.resultKey, "attempts", result.Attempts,
		"http_status", result.HTTPStatus, "code", result.Code, "message", clip(result.Message)}
	switch {
	case result.Outcome == outcome.Rejected:
		res.Reason = fmt.Sprintf("the vendor refused the image: HTTP %d, code %d: %s", result.HTTPStatus, result.Code, clip(result.Message))
	case doc.Review != nil:
		// The codes, never the values: those are personal data.
		res.ReviewStatus = doc.Review.Status
		attrs = append(attrs, "review_status", doc.Review.Status, "review_issues", issueCodes(doc.Review.Issues))
	}
	log.Info("result written", attrs...)
	return res
}

// issueCodes lists a review's issues as field:code, for the log line.
func issueCodes(issues []vehicle.Issue) []string {
	out := make([]string, len(issues))
	for i, is := range issues {
		out[i] = is.Field + ":" + is.Code
	}
	return out
}

// recognitionContext ends WriteReserve before the invocation's deadline, or
// a quarter of the time left when that is less, so that a function with a
// short timeout still gets most of it for recognition.
func (h *Handler) recognitionContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	reserve := min(h.opts.WriteReserve, time.Until(deadline)/4)
	return context.WithDeadline(ctx, deadline.Add(-reserve))
}

// replacedMeanwhile HEADs the image again after recognition and says why
// the answer must not be written, or "". Without bucket versioning the URL
// names the key, not the version: if the image was replaced while the
// vendor worked, the answer may describe the new content, and a document
// naming the old ETag would be wrong. The new upload's own event
// recognises it. A failed HEAD does not stop the write: the image almost
// certainly did not change, and failing here would make FC pay again.
func (h *Handler) replacedMeanwhile(ctx context.Context, log *slog.Logger, cur current) string {
	if cur.info.VersionID != "" {
		return "" // the URL was pinned to the version read: nothing to re-check
	}
	now, err := h.deps.Store.Head(ctx, cur.bucket, cur.key)
	switch {
	case errors.Is(err, objectstore.ErrNotFound):
		return "the image was deleted during recognition"
	case err != nil:
		log.Warn("could not re-check the image after recognition; writing the result for the ETag read before", "error", err.Error())
		return ""
	case now.ETag != cur.info.ETag:
		return fmt.Sprintf("the image was replaced during recognition (ETag %s → %s): its own event recognises the new version", cur.info.ETag, now.ETag)
	}
	return ""
}

// clip shortens text from elsewhere (vendor messages, errors) for log
// lines and summaries; documents keep the vendor's body whole.
func clip(s string) string { return clipTo(s, 300) }

// clipTo cuts s to at most max bytes on a character boundary, marking the cut.
func clipTo(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// skip ends a record as skipped, with its log line.
func skip(log *slog.Logger, res RecordResult, reason string, attrs ...any) RecordResult {
	log.Info("skipped", append([]any{"reason", reason}, attrs...)...)
	res.Outcome, res.Reason = outcome.Skipped, reason
	return res
}

// fail ends a record as transient or misconfigured, with its log line.
func fail(log *slog.Logger, res RecordResult, o outcome.Outcome, reason string) RecordResult {
	log.Error("record failed", "outcome", o, "reason", reason)
	res.Outcome, res.Reason = o, reason
	return res
}

// Package handler is the function: for each record of an OSS trigger event
// it filters, deduplicates, signs a URL for the image, has the vendor
// recognise it and writes the result next to the image.
//
// The handler is an ordinary function of (ctx, Event); main wires it to the
// FC runtime and tests call it directly against local servers.
package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"github.com/vlicense/fc-vehicle-license/internal/config"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/recognition"
)

// ObjectStore is what the handler needs of OSS.
type ObjectStore interface {
	Head(ctx context.Context, bucket, key string) (objectstore.ObjectInfo, error)
	Put(ctx context.Context, bucket, key string, body []byte, contentType string, meta map[string]string) error
	SignGetURL(bucket, key, versionID string, ttl time.Duration) (string, error)
}

// Recognizer is what the handler needs of the recognition API.
type Recognizer interface {
	Recognize(ctx context.Context, req recognition.Request) recognition.Result
}

// CredentialsSink takes the STS credentials each invocation brings.
type CredentialsSink interface {
	SetCredentials(objectstore.Credentials)
}

// Options are the handler's settings (see internal/config).
type Options struct {
	CardSide        string
	ResultSuffix    string
	ImageExtensions []string
	SignedURLTTL    time.Duration
	Concurrency     int
	// WriteReserve is kept free before the invocation deadline for writing
	// results: recognition stops waiting that much earlier.
	WriteReserve time.Duration
	// SourceBuckets and SourcePrefix are what the function serves; records
	// for anything else are refused before anything is read or signed.
	SourceBuckets []string
	SourcePrefix  string
	// MaxAsyncRetryAttempts is FC's retry count for the function (s.yaml):
	// the invocation with that x-fc-retry-count is the last one.
	MaxAsyncRetryAttempts int
	// WriteAttempts bounds the PUTs of one result document (default 3).
	WriteAttempts int
}

// Deps are the handler's collaborators, built once per instance.
type Deps struct {
	Store       ObjectStore
	Recognizer  Recognizer
	Credentials CredentialsSink // may be nil when credentials never change
	Logger      *slog.Logger
	Now         func() time.Time
}

// Handler processes OSS trigger events.
type Handler struct {
	opts Options
	deps Deps
}

// User metadata the function reads and writes (without "x-oss-meta-").
const (
	metaCardSide     = "card-side"
	metaSourceETag   = "source-etag"
	metaResultStatus = "result-status"
	metaOutcome      = "outcome"
)

// maxKeyBytes is OSS's limit on an object key.
const maxKeyBytes = 1023

const resultContentType = "application/json; charset=utf-8"

// New builds a handler from config-validated options.
func New(opts Options, deps Deps) *Handler {
	if opts.Concurrency < 1 {
		opts.Concurrency = 1
	}
	if opts.WriteReserve <= 0 {
		opts.WriteReserve = 3 * time.Second
	}
	if opts.WriteAttempts <= 0 {
		opts.WriteAttempts = 3
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Handler{opts: opts, deps: deps}
}

// OptionsFrom maps the instance configuration to handler options.
func OptionsFrom(c config.Config) Options {
	return Options{
		CardSide:        c.CardSide,
		ResultSuffix:    c.ResultSuffix,
		ImageExtensions: c.ImageExtensions,
		SignedURLTTL:    c.SignedURLTTL,
		Concurrency:     c.Concurrency,

		SourceBuckets:         c.SourceBuckets,
		SourcePrefix:          c.SourcePrefix,
		MaxAsyncRetryAttempts: c.MaxAsyncRetryAttempts,
	}
}

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
	inv := invocation{log: log, lastChance: h.isLastChance(fc)}
	if inv.lastChance {
		log.Warn("FC's last attempt at this event: records that fail now get a failed result document", "retry_count", fc.RetryCount)
	}

	// A pool of at most Concurrency workers, not a goroutine per record: a
	// batch of filtered records would otherwise pay for stack growth of
	// goroutines that each do microseconds of work.
	results := make([]RecordResult, len(ev.Events))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(h.opts.Concurrency, len(ev.Events)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = h.processSafely(ctx, inv, ev.Events[i])
			}
		}()
	}
	for i := range ev.Events {
		next <- i
	}
	close(next)
	wg.Wait()

	summary := newSummary(fc.RequestID, results)
	log.Info("invocation finished",
		"succeeded", summary.Counts[Succeeded], "rejected", summary.Counts[Rejected], "skipped", summary.Counts[Skipped],
		"transient", summary.Counts[Transient], "misconfigured", summary.Counts[Misconfigured])
	if summary.needsRetry() {
		return summary, &InvocationError{Summary: summary}
	}
	return summary, nil
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

// invocation is what every record of one invocation shares.
type invocation struct {
	log        *slog.Logger
	lastChance bool // FC will not retry this event: write what failed
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

// processSafely turns a panic in one record into a transient failure of
// that record, so the others still finish and FC retries the event.
func (h *Handler) processSafely(ctx context.Context, inv invocation, rec Record) (res RecordResult) {
	log := inv.log.With("bucket", rec.OSS.Bucket.Name, "key", rec.OSS.Object.Key)
	defer h.recoverRecord(log, rec, &res)
	res = h.process(ctx, log, rec)
	if inv.lastChance && (res.Outcome == Transient || res.Outcome == Misconfigured) {
		res = h.writeLastChance(ctx, log, rec, res)
	}
	return res
}

// recoverRecord, deferred, replaces the result of a record that panicked.
func (h *Handler) recoverRecord(log *slog.Logger, rec Record, res *RecordResult) {
	if p := recover(); p != nil {
		log.Error("record panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		*res = RecordResult{Bucket: rec.OSS.Bucket.Name, Key: rec.OSS.Object.Key, Outcome: Transient, Reason: "internal error"}
	}
}

// job is a record that passed every check and is to be recognised.
type job struct {
	rec       Record
	bucket    string
	key       string // the key as found in OSS (decoded if the event's was encoded)
	resultKey string
	image     objectstore.ObjectInfo
	side      string
}

// process runs the flow of DESIGN.md for one record.
func (h *Handler) process(ctx context.Context, log *slog.Logger, rec Record) RecordResult {
	j, res, ok := h.prepare(ctx, log, rec)
	if !ok {
		return res
	}
	return h.recognise(ctx, log, j, res)
}

// prepare runs the steps that cost no recognition call: filter, HEAD of the
// image, dedupe against its result, card side. ok is false when the record
// ends here (skipped or failed), res then says how.
func (h *Handler) prepare(ctx context.Context, log *slog.Logger, rec Record) (j job, res RecordResult, ok bool) {
	bucket, key := rec.OSS.Bucket.Name, rec.OSS.Object.Key
	res = RecordResult{Bucket: bucket, Key: key}

	// 1. Filter, cheapest checks first: none of these costs a request.
	if reason := h.filter(rec); reason != "" {
		return j, skip(log, res, reason), false
	}

	// The image as it is now (its ETag is what the result must match, its
	// metadata may choose the card side) and its result, if any, read at
	// the same time: two internal round trips cost one.
	eventKey := key
	resultHead := make(chan headAnswer, 1)
	go func() { resultHead <- h.head(ctx, bucket, eventKey+h.opts.ResultSuffix) }()
	image, key, err := h.headImage(ctx, log, bucket, key)
	existing := <-resultHead
	res.Key = key
	switch {
	case errors.Is(err, objectstore.ErrNotFound):
		return j, skip(log, res, "the image no longer exists"), false
	case err != nil:
		outcome, reason := classifyStoreError(err)
		return j, fail(log, res, outcome, reason), false
	case image.Size == 0:
		return j, skip(log, res, "empty object"), false
	}

	// 2. Dedupe: never pay twice for the same image version.
	resultKey := key + h.opts.ResultSuffix
	if key != eventKey {
		existing = h.head(ctx, bucket, resultKey) // the event's key was URL-encoded
	}
	switch {
	case existing.err == nil && existing.info.Meta[metaSourceETag] == image.ETag && isFinal(existing.info.Meta):
		return j, skip(log, res, "already recognised for this ETag", "etag", image.ETag, "result_key", resultKey), false
	case existing.err != nil && !errors.Is(existing.err, objectstore.ErrNotFound):
		outcome, reason := classifyStoreError(existing.err)
		return j, fail(log, res, outcome, reason), false
	}

	// 3. Side.
	side := h.cardSide(log, image)
	return job{rec: rec, bucket: bucket, key: key, resultKey: resultKey, image: image, side: side}, res, true
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

// recognise signs, calls the vendor and writes the result of a prepared job.
func (h *Handler) recognise(ctx context.Context, log *slog.Logger, j job, res RecordResult) RecordResult {
	// 4. Sign.
	signed, err := h.deps.Store.SignGetURL(j.bucket, j.key, j.image.VersionID, h.opts.SignedURLTTL)
	if err != nil {
		outcome, reason := classifyStoreError(err)
		return fail(log, res, outcome, "signing the image URL: "+reason)
	}
	log.Info("recognising", "etag", j.image.ETag, "version_id", j.image.VersionID, "size", j.image.Size, "card_side", j.side,
		"url", objectstore.RedactURL(signed), "url_ttl", h.opts.SignedURLTTL.String())

	// 5. Recognise, leaving time to write the result before the deadline.
	rctx, cancel := h.recognitionContext(ctx)
	result := h.deps.Recognizer.Recognize(rctx, recognition.Request{ImageURL: signed, CardSide: j.side, Log: log})
	cancel()
	res.Attempts = result.Attempts

	switch result.Class {
	case recognition.Transient:
		return fail(log, res, Transient, result.Reason)
	case recognition.Misconfigured:
		return fail(log, res, Misconfigured, result.Reason)
	case recognition.Succeeded, recognition.Rejected:
	default:
		return fail(log, res, Transient, fmt.Sprintf("unknown recognition class %q", result.Class))
	}

	// Without bucket versioning the URL names the key, not the version: if
	// the image was replaced while the vendor worked, the answer may describe
	// the new content, and a document naming the old ETag would be wrong
	// (and, should the old content come back, wrong for good). The new
	// upload's own event recognises it.
	if reason := h.replacedMeanwhile(ctx, log, j); reason != "" {
		return skip(log, res, reason, "etag", j.image.ETag, "billed", result.Class == recognition.Succeeded)
	}

	// 6. Write.
	src := Source{Bucket: j.bucket, Key: j.key, ETag: j.image.ETag, VersionID: j.image.VersionID, Size: j.image.Size, EventName: j.rec.EventName, EventTime: j.rec.EventTime}
	doc := newDocument(src, j.side, result, h.deps.Now())
	if outcome, reason := h.writeDocument(ctx, log, j.bucket, j.resultKey, doc); outcome != "" {
		return fail(log, res, outcome, "writing the result: "+reason)
	}

	res.Outcome, res.ResultKey = Outcome(result.Class), j.resultKey
	if result.Class == recognition.Rejected {
		res.Reason = fmt.Sprintf("the vendor refused the image: HTTP %d, code %d: %s", result.HTTPStatus, result.Code, clip(result.Message))
	}
	log.Info("result written", "outcome", res.Outcome, "result_key", j.resultKey, "attempts", result.Attempts,
		"http_status", result.HTTPStatus, "code", result.Code, "message", clip(result.Message))
	return res
}

// replacedMeanwhile HEADs the image again after recognition and says why
// the answer must not be written, or "". A failed HEAD does not stop the
// write: the image almost certainly did not change, and failing here would
// make FC pay for the recognition again.
func (h *Handler) replacedMeanwhile(ctx context.Context, log *slog.Logger, j job) string {
	if j.image.VersionID != "" {
		return "" // the URL was pinned to the version read: nothing to re-check
	}
	now, err := h.deps.Store.Head(ctx, j.bucket, j.key)
	switch {
	case errors.Is(err, objectstore.ErrNotFound):
		return "the image was deleted during recognition"
	case err != nil:
		log.Warn("could not re-check the image after recognition; writing the result for the ETag read before", "error", err.Error())
		return ""
	case now.ETag != j.image.ETag:
		return fmt.Sprintf("the image was replaced during recognition (ETag %s → %s): its own event recognises the new version", j.image.ETag, now.ETag)
	}
	return ""
}

// isFinal reports whether a result document (by its metadata) ends the
// story of its image version: succeeded or rejected. A failure written on
// FC's last attempt (transient, misconfigured) is retried by a later
// delivery or a backfill. Documents older than the outcome metadata were
// only ever succeeded or rejected.
func isFinal(meta map[string]string) bool {
	switch meta[metaOutcome] {
	case "", string(Succeeded), string(Rejected):
		return true
	}
	return false
}

// writeDocument PUTs a result, retrying what may pass on a second try,
// within the invocation's deadline. An empty outcome means written and
// verified; otherwise it says how the write failed.
func (h *Handler) writeDocument(ctx context.Context, log *slog.Logger, bucket, key string, doc Document) (Outcome, string) {
	body, err := doc.encode()
	if err != nil {
		return Transient, "encoding the result document: " + err.Error()
	}
	meta := map[string]string{metaSourceETag: doc.Source.ETag, metaResultStatus: doc.Status, metaOutcome: doc.Outcome}
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := h.deps.Store.Put(ctx, bucket, key, body, resultContentType, meta)
		if err == nil {
			return "", ""
		}
		outcome, reason := classifyStoreError(err)
		if outcome != Transient || attempt >= h.opts.WriteAttempts || !timeLeft(ctx, wait+time.Second) {
			return outcome, reason
		}
		log.Warn("writing the result failed, retrying", "attempt", attempt, "reason", reason, "retry_in_ms", wait.Milliseconds())
		select {
		case <-ctx.Done():
			return Transient, reason
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// timeLeft reports whether ctx's deadline, if any, is at least d away.
func timeLeft(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) >= d
}

// writeLastChance writes a failed result for a record that failed on FC's
// last attempt, so that the image does not vanish: its class, attempts and
// last error are on record, and a later delivery or backfill retries it.
func (h *Handler) writeLastChance(ctx context.Context, log *slog.Logger, rec Record, res RecordResult) RecordResult {
	if h.filter(rec) != "" {
		return res // never write for what the function does not serve
	}
	src := Source{Bucket: res.Bucket, Key: res.Key, ETag: objectstore.NormalizeETag(rec.OSS.Object.ETag), Size: rec.OSS.Object.Size,
		EventName: rec.EventName, EventTime: rec.EventTime}
	resultKey := res.Key + h.opts.ResultSuffix
	// The record may have failed before or long after prepare read the
	// image: read it, and its result, as they are now. A failed document
	// must neither litter a deleted image nor replace the final result
	// that another invocation (a duplicate delivery, a backfill) wrote for
	// this very ETag while this one failed.
	info, err := h.deps.Store.Head(ctx, res.Bucket, res.Key)
	switch {
	case errors.Is(err, objectstore.ErrNotFound):
		return skip(log, res, "the image no longer exists")
	case err == nil:
		src.ETag, src.Size, src.VersionID = info.ETag, info.Size, info.VersionID
		existing := h.head(ctx, res.Bucket, resultKey)
		if existing.err == nil && existing.info.Meta[metaSourceETag] == src.ETag && isFinal(existing.info.Meta) {
			return skip(log, res, "already recognised for this ETag (by another invocation, while this one failed)",
				"etag", src.ETag, "result_key", resultKey)
		}
	}
	// Otherwise (OSS did not answer) the event's own ETag and size stand,
	// and the document is written all the same: it is the only trace left.
	doc := Document{
		SchemaVersion: SchemaVersion,
		Status:        DocumentFailed,
		Outcome:       string(res.Outcome),
		Source:        src,
		CardSide:      h.opts.CardSide,
		RecognizedAt:  h.deps.Now().UTC().Format(time.RFC3339),
		Attempts:      res.Attempts,
		Error:         &DocumentError{Class: string(res.Outcome), Message: clip(res.Reason)},
	}
	if outcome, reason := h.writeDocument(ctx, log, res.Bucket, resultKey, doc); outcome != "" {
		log.Error("last attempt: the failed result could not be written either", "reason", reason)
		return res
	}
	log.Warn("last attempt: failed result written", "outcome", res.Outcome, "result_key", resultKey)
	res.ResultKey = resultKey
	res.Reason += " (FC's last attempt: failed result document written)"
	return res
}

// clip shortens text from elsewhere (vendor messages, errors) for log
// lines and summaries; documents keep the vendor's body whole.
func clip(s string) string {
	const max = 300
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
	res.Outcome, res.Reason = Skipped, reason
	return res
}

// fail ends a record as transient or misconfigured, with its log line.
func fail(log *slog.Logger, res RecordResult, outcome Outcome, reason string) RecordResult {
	log.Error("record failed", "outcome", outcome, "reason", reason)
	res.Outcome, res.Reason = outcome, reason
	return res
}

// filter returns why a record is not ours to recognise, or "". None of
// these checks costs a request, and none lets a forged event reach the
// signing step for an object the function does not serve.
func (h *Handler) filter(rec Record) string {
	bucket, key := rec.OSS.Bucket.Name, rec.OSS.Object.Key
	switch {
	case !strings.HasPrefix(rec.EventName, "ObjectCreated:") && rec.EventName != BackfillEventName:
		return fmt.Sprintf("not an ObjectCreated event (%s)", rec.EventName)
	case !slices.Contains(h.opts.SourceBuckets, bucket):
		return "bucket not served by this function (SOURCE_BUCKETS)"
	case !strings.HasPrefix(key, h.opts.SourcePrefix):
		return "key outside SOURCE_PREFIX"
	}
	if why := unsafeKey(key); why != "" {
		return "unsafe key: " + why
	}
	switch {
	case strings.HasSuffix(key, "/"):
		return "folder marker"
	case strings.HasSuffix(key, h.opts.ResultSuffix):
		// Recursion guard: our own output must never trigger recognition,
		// even if the trigger's suffix filter is misconfigured.
		return "our own result document"
	case !h.isImage(key):
		return "not an image (extension not in IMAGE_EXTENSIONS)"
	case len(key)+len(h.opts.ResultSuffix) > maxKeyBytes:
		return fmt.Sprintf("the result key would exceed OSS's %d-byte key limit", maxKeyBytes)
	case rec.OSS.Object.Size <= 0:
		return "empty object"
	}
	return ""
}

// unsafeKey says why a key is refused, or "". OSS stores such keys, but
// control characters corrupt logs and tools, and "." or ".." segments are
// rewritten by HTTP clients and proxies that normalise paths, so a signed
// URL for them may fetch a different object, or none.
func unsafeKey(key string) string {
	if !utf8.ValidString(key) {
		return "not valid UTF-8"
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return "control character"
		}
	}
	for rest := key; rest != ""; {
		seg, tail, _ := strings.Cut(rest, "/")
		if seg == "." || seg == ".." {
			return `"." or ".." path segment`
		}
		rest = tail
	}
	return ""
}

func (h *Handler) isImage(key string) bool {
	lower := strings.ToLower(key)
	for _, ext := range h.opts.ImageExtensions {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
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
func (h *Handler) cardSide(log *slog.Logger, image objectstore.ObjectInfo) string {
	raw, ok := image.Meta[metaCardSide]
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

// classifyStoreError sorts an OSS failure: refusals that a retry cannot
// fix point at the function's role or configuration; the rest is transient.
func classifyStoreError(err error) (Outcome, string) {
	switch status := objectstore.StatusOf(err); {
	case errors.Is(err, objectstore.ErrNoCredentials):
		return Misconfigured, err.Error() + ": give the function a role (s.yaml role) so that FC passes credentials"
	case status == 403:
		return Misconfigured, err.Error() + ": check the function's role (RAM policy) and the bucket policy"
	case status == 404:
		return Misconfigured, err.Error() + ": check the bucket name and OSS_ENDPOINT"
	case status == 400:
		return Misconfigured, err.Error() + ": check OSS_ENDPOINT and OSS_REGION"
	}
	return Transient, err.Error()
}

package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/internal/retry"
	"github.com/vlicense/fc-vehicle-license/internal/vehicle"
)

// SchemaVersion of the result document. Fields may be added; renaming or
// removing one needs a new version.
const SchemaVersion = 1

// Document is the result written next to the image as <key><RESULT_SUFFIX>.
type Document struct {
	SchemaVersion int             `json:"schemaVersion"`
	Status        string          `json:"status"`  // succeeded or failed
	Outcome       outcome.Outcome `json:"outcome"` // succeeded, rejected, or on FC's last attempt transient or misconfigured
	Source        Source          `json:"source"`
	CardSide      string          `json:"cardSide"`
	RecognizedAt  string          `json:"recognizedAt"`
	Attempts      int             `json:"attempts"`
	Response      json.RawMessage `json:"response,omitempty"` // the vendor's body verbatim
	// Vehicle and Review are the normalised fields and the verdict on them,
	// on succeeded documents (see internal/vehicle).
	Vehicle *vehicle.Vehicle `json:"vehicle,omitempty"`
	Review  *vehicle.Review  `json:"review,omitempty"`
	Error   *DocumentError   `json:"error,omitempty"` // only when status is failed
}

// Source identifies the exact image version the document describes.
type Source struct {
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	ETag      string `json:"etag"`
	VersionID string `json:"versionId,omitempty"` // versioned buckets: the version recognised
	Size      int64  `json:"size"`
	EventName string `json:"eventName"`
	EventTime string `json:"eventTime"`
}

// DocumentError says why the image has no recognition: the vendor refused
// it, or (Class set) it still failed on FC's last attempt.
type DocumentError struct {
	Class      outcome.Outcome `json:"class,omitempty"` // transient or misconfigured, for last-attempt failures
	HTTPStatus int             `json:"httpStatus,omitempty"`
	Status     int             `json:"status,omitempty"`
	Code       int             `json:"code,omitempty"`
	Message    string          `json:"message"`
}

// Document statuses.
const (
	DocumentSucceeded = "succeeded"
	DocumentFailed    = "failed"
)

// User metadata the function reads and writes (without "x-oss-meta-").
const (
	metaCardSide     = "card-side"
	metaSourceETag   = "source-etag"
	metaResultStatus = "result-status"
	metaOutcome      = "outcome"
	// metaReviewStatus lets listings and OSS inventory find the results a
	// person should look at without reading them.
	metaReviewStatus = "review-status"
)

const (
	resultContentType = "application/json; charset=utf-8"
	resultACL         = "private"
)

// newDocument is the document of an image version with an outcome; the
// caller adds the vendor's response or the error.
func (h *Handler) newDocument(cur current, o outcome.Outcome, attempts int) Document {
	status := DocumentSucceeded
	if o != outcome.Succeeded {
		status = DocumentFailed
	}
	return Document{
		SchemaVersion: SchemaVersion,
		Status:        status,
		Outcome:       o,
		Source:        cur.source(),
		CardSide:      cur.side,
		RecognizedAt:  h.deps.Now().UTC().Format(time.RFC3339),
		Attempts:      attempts,
	}
}

// encode renders the document as indented UTF-8 JSON, Chinese left
// readable and no HTML escaping, since people open these files.
func (d Document) encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// documentMeta is the user metadata a result is written with.
func documentMeta(doc Document) map[string]string {
	meta := map[string]string{metaSourceETag: doc.Source.ETag, metaResultStatus: doc.Status, metaOutcome: string(doc.Outcome)}
	if doc.Review != nil {
		meta[metaReviewStatus] = doc.Review.Status
	}
	return meta
}

// reviewed reads the vendor's fields of a succeeded answer. An answer
// without data (the vendor's success with nothing in it) reviews as an
// empty licence: every field the side needs is missing.
func reviewed(body []byte, side string, at time.Time) (*vehicle.Vehicle, *vehicle.Review) {
	v, r, err := vehicle.Read(body, side, at)
	if err != nil {
		v, r, _ = vehicle.Read([]byte(`{"data":{}}`), side, at)
	}
	return &v, &r
}

// writePolicy retries a result PUT that may pass on a second try, keeping a
// second for the attempt itself before the invocation's deadline.
func (h *Handler) writePolicy() retry.Policy {
	return retry.Policy{Attempts: h.opts.WriteAttempts, Base: 100 * time.Millisecond, Max: time.Second, MinAttempt: time.Second}
}

// writeDocument PUTs a result, retrying transient failures within the
// invocation's deadline. An empty outcome means written and verified;
// otherwise it says how the write failed.
func (h *Handler) writeDocument(ctx context.Context, log *slog.Logger, bucket, key string, doc Document) (outcome.Outcome, string) {
	body, err := doc.encode()
	if err != nil {
		return outcome.Transient, "encoding the result document: " + err.Error()
	}
	obj := objectstore.Object{
		Body:        body,
		ContentType: resultContentType,
		Meta:        documentMeta(doc),
		// Results carry the licence's personal data: never let them inherit
		// a public bucket ACL.
		ACL:        resultACL,
		Encryption: h.opts.ResultEncryption,
		KMSKeyID:   h.opts.ResultKMSKeyID,
	}
	_, _, err = retry.Do(ctx, h.writePolicy(), func(int) error {
		err := h.deps.Store.Put(ctx, bucket, key, obj)
		if err == nil {
			return nil
		}
		if o, _ := h.classifyStoreError(err); o != outcome.Transient {
			return retry.Permanent(err)
		}
		return err
	}, func(attempt int, err error, wait time.Duration) {
		_, reason := h.classifyStoreError(err)
		log.Warn("writing the result failed, retrying", "attempt", attempt, "reason", reason, "retry_in_ms", wait.Milliseconds())
	})
	if err != nil {
		return h.classifyStoreError(err)
	}
	return "", ""
}

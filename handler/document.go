package handler

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/recognition"
)

// SchemaVersion of the result document. Fields may be added; renaming or
// removing one needs a new version.
const SchemaVersion = 1

// Document is the result written next to the image as <key><RESULT_SUFFIX>.
type Document struct {
	SchemaVersion int             `json:"schemaVersion"`
	Status        string          `json:"status"`  // succeeded or failed
	Outcome       string          `json:"outcome"` // succeeded, rejected, or on FC's last attempt transient or misconfigured
	Source        Source          `json:"source"`
	CardSide      string          `json:"cardSide"`
	RecognizedAt  string          `json:"recognizedAt"`
	Attempts      int             `json:"attempts"`
	Response      json.RawMessage `json:"response,omitempty"` // the vendor's body verbatim
	Error         *DocumentError  `json:"error,omitempty"`    // only when status is failed
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
	Class      string `json:"class,omitempty"` // transient or misconfigured, for last-attempt failures
	HTTPStatus int    `json:"httpStatus,omitempty"`
	Status     int    `json:"status,omitempty"`
	Code       int    `json:"code,omitempty"`
	Message    string `json:"message"`
}

// Document statuses.
const (
	DocumentSucceeded = "succeeded"
	DocumentFailed    = "failed"
)

// newDocument builds the document for a succeeded or rejected answer.
func newDocument(src Source, side string, res recognition.Result, now time.Time) Document {
	d := Document{
		SchemaVersion: SchemaVersion,
		Status:        DocumentSucceeded,
		Outcome:       string(res.Class),
		Source:        src,
		CardSide:      side,
		RecognizedAt:  now.UTC().Format(time.RFC3339),
		Attempts:      res.Attempts,
		Response:      res.Body,
	}
	if res.Class != recognition.Succeeded {
		d.Status = DocumentFailed
		d.Error = &DocumentError{HTTPStatus: res.HTTPStatus, Status: res.Status, Code: res.Code, Message: res.Message}
	}
	return d
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

package handler

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vlicense/fc-vehicle-license/internal/config"
)

// Event is the payload an OSS trigger delivers: {"events":[...]}.
// The types are plain structs, so tests and tools build them directly.
type Event struct {
	Events []Record `json:"events"`
}

// Record is one OSS notification.
type Record struct {
	EventName    string    `json:"eventName"`
	EventSource  string    `json:"eventSource"`
	EventTime    string    `json:"eventTime"`
	EventVersion string    `json:"eventVersion"`
	Region       string    `json:"region"`
	OSS          OSSEntity `json:"oss"`
	// Redo is set only in events of `vlicense backfill --on-fc --redo`: OSS
	// never sends it.
	Redo *RecordRedo `json:"redo,omitempty"`
}

// RecordRedo asks to recognise an image again although its result is
// final. It names that result by its ETag: once the new result is written
// the ETag differs, so a duplicate delivery pays nothing twice.
type RecordRedo struct {
	ResultETag string `json:"resultETag"`
}

// OSSEntity names the bucket and object of a record.
type OSSEntity struct {
	Bucket Bucket `json:"bucket"`
	Object Object `json:"object"`
}

// Bucket is the bucket an object landed in.
type Bucket struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
}

// Object is the object as OSS saw it when it sent the event. Key is the key
// as stored (not URL-encoded, in Alibaba's own samples).
type Object struct {
	Key  string `json:"key"`
	ETag string `json:"eTag"`
	Size int64  `json:"size"`
}

// Validate checks what the handler relies on: at least one record, and a
// bucket and key in each. OSS never sends less, so anything else is a
// broken or forged payload and nothing of it is processed.
func (e Event) Validate() error {
	if len(e.Events) == 0 {
		return errors.New("payload has no events: expected an OSS trigger event {\"events\":[...]}")
	}
	var problems []error
	for i, r := range e.Events {
		switch name := r.OSS.Bucket.Name; {
		case name == "":
			problems = append(problems, fmt.Errorf("events[%d] has no oss.bucket.name", i))
		case !config.ValidBucketName(name):
			problems = append(problems, fmt.Errorf("events[%d] names bucket %q, which is not a valid OSS bucket name", i, name))
		}
		if r.OSS.Object.Key == "" {
			problems = append(problems, fmt.Errorf("events[%d] has no oss.object.key", i))
		}
	}
	return errors.Join(problems...)
}

// DecodeEvent parses and validates a payload. The FC entry point takes the
// raw bytes and calls this, so that a payload that is not JSON gets a
// message that says what was expected instead of a bare parser error.
func DecodeEvent(payload []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(payload, &e); err != nil {
		return Event{}, fmt.Errorf("payload is not an OSS trigger event {\"events\":[...]}: %w", err)
	}
	return e, e.Validate()
}

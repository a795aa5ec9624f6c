package ossserver

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
)

// The JSON FC hands a function for an OSS trigger, field for field as in
// the fc3 component's OSS event template (reference/fc3-oss-event-template.json).
// Field order follows the template; encoding/json keeps declaration order.

type ossEventPayload struct {
	Events []ossEventRecord `json:"events"`
}

type ossEventRecord struct {
	EventName    string `json:"eventName"`
	EventSource  string `json:"eventSource"`
	EventTime    string `json:"eventTime"`
	EventVersion string `json:"eventVersion"`
	OSS          struct {
		Bucket struct {
			ARN           string `json:"arn"`
			Name          string `json:"name"`
			OwnerIdentity string `json:"ownerIdentity"`
			VirtualBucket string `json:"virtualBucket"`
		} `json:"bucket"`
		Object struct {
			DeltaSize int64  `json:"deltaSize"`
			ETag      string `json:"eTag"`
			Key       string `json:"key"`
			Size      int64  `json:"size"`
		} `json:"object"`
		OSSSchemaVersion string `json:"ossSchemaVersion"`
		RuleID           string `json:"ruleId"`
	} `json:"oss"`
	Region            string `json:"region"`
	RequestParameters struct {
		SourceIPAddress string `json:"sourceIPAddress"`
	} `json:"requestParameters"`
	ResponseElements struct {
		RequestID string `json:"requestId"`
	} `json:"responseElements"`
	UserIdentity struct {
		PrincipalID string `json:"principalId"`
	} `json:"userIdentity"`
}

// EventPayload returns the payload FC delivers to a function for an OSS
// trigger on ev: {"events":[{...}]} with one record, eventSource "acs:oss",
// eventTime in UTC with milliseconds, the bucket's ARN
// acs:oss:<region>:<accountID>:<bucket>, and accountID as the bucket owner
// and the uploader. The key is the stored key, not URL-encoded, and the
// ETag unquoted, as OSS sends them. ruleId, which names the trigger rule on
// OSS, is a stable 40-hex-digit digest of the bucket name.
func EventPayload(ev ObjectCreated, accountID string) []byte {
	var r ossEventRecord
	r.EventName = ev.EventName
	r.EventSource = "acs:oss"
	r.EventTime = ev.Time.UTC().Format(listTimeFormat)
	r.EventVersion = "1.0"
	r.OSS.Bucket.ARN = "acs:oss:" + ev.Region + ":" + accountID + ":" + ev.Bucket
	r.OSS.Bucket.Name = ev.Bucket
	r.OSS.Bucket.OwnerIdentity = accountID
	r.OSS.Object.DeltaSize = ev.DeltaSize
	r.OSS.Object.ETag = ev.ETag
	r.OSS.Object.Key = ev.Key
	r.OSS.Object.Size = ev.Size
	r.OSS.OSSSchemaVersion = "1.0"
	rule := sha1.Sum([]byte(ev.Bucket))
	r.OSS.RuleID = hex.EncodeToString(rule[:])
	r.Region = ev.Region
	r.RequestParameters.SourceIPAddress = ev.SourceIP
	r.ResponseElements.RequestID = ev.RequestID
	r.UserIdentity.PrincipalID = accountID

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keys may hold '&', '<', '>': keep them readable
	if err := enc.Encode(ossEventPayload{Events: []ossEventRecord{r}}); err != nil {
		panic("ossserver: encoding an event payload: " + err.Error()) // strings and numbers only: cannot fail
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

package handler_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// runAttempt invokes put-object.json as FC's attempt number retry+1.
func (w *world) runAttempt(retry int, timeout time.Duration) (handler.Summary, error) {
	ctx := invocation(w.t, "req-retry", timeout)
	fcContext(ctx).RetryCount = retry
	return w.handler.HandlePayload(ctx, readEvent(w.t, "put-object.json"))
}

func TestLastAttemptWritesAFailedDocumentInsteadOfLosingTheImage(t *testing.T) {
	cases := []struct {
		name      string
		reply     ocrserver.Reply
		wantClass outcome.Outcome
		wantCalls int
	}{
		{name: "still transient", reply: ocrserver.HTTPStatus(503), wantClass: outcome.Transient, wantCalls: 3},
		{name: "still misconfigured", reply: ocrserver.HTTPStatus(402), wantClass: outcome.Misconfigured, wantCalls: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			failing := atomic.Bool{}
			failing.Store(true)
			w := newWorld(t, worldOptions{decide: func(ocrserver.Request) ocrserver.Reply {
				if failing.Load() {
					return tc.reply
				}
				return ocrserver.Success()
			}})
			etag := w.upload("uploads/car-001.jpg", jpegImage(1), map[string]string{"card-side": "BACK"})

			_, err := w.runAttempt(2, 20*time.Second)
			require.Error(t, err)
			assert.False(t, w.hasDocument("uploads/car-001.jpg"), "FC will retry once more: nothing written yet")

			summary, err := w.runAttempt(3, 20*time.Second)

			require.Error(t, err, "the event still failed: FC hands it to the failure destination")
			assert.Contains(t, err.Error(), "failed result document written")
			assert.Equal(t, 1, summary.Counts[tc.wantClass])
			doc, obj := w.document("uploads/car-001.jpg")
			assert.Equal(t, "failed", doc.Status)
			assert.Equal(t, tc.wantClass, doc.Outcome)
			require.NotNil(t, doc.Error)
			assert.Equal(t, tc.wantClass, doc.Error.Class)
			assert.NotEmpty(t, doc.Error.Message, "the last error")
			assert.Equal(t, tc.wantCalls, doc.Attempts)
			assert.Equal(t, etag, doc.Source.ETag)
			assert.Equal(t, "BACK", doc.CardSide, "the side the image's x-oss-meta-card-side asks for, as recognition used")
			assert.Equal(t, string(tc.wantClass), obj.Meta["outcome"])

			// A later delivery (or a backfill) tries again: such a document
			// does not count as done.
			failing.Store(false)
			summary, err = w.runAttempt(0, 20*time.Second)
			require.NoError(t, err)
			assert.Equal(t, 1, summary.Counts[outcome.Succeeded])
			doc, _ = w.document("uploads/car-001.jpg")
			assert.Equal(t, "succeeded", doc.Status)
			assert.Equal(t, outcome.Succeeded, doc.Outcome)
		})
	}
}

// What happens to the image while the last attempt fails must win over the
// failed document: a final result that another invocation wrote for the
// same ETag stays, and a deleted image gets nothing. A final result for an
// older version is stale, and the failed document replaces it.
func TestLastAttemptRespectsWhatHappenedMeanwhile(t *testing.T) {
	const key = "uploads/car-001.jpg"
	cases := []struct {
		name        string
		meanwhile   func(w *world, etag string)
		wantOutcome outcome.Outcome
		wantReason  string
		wantDoc     string // status of the document afterwards; "" for none
	}{
		{
			name: "another invocation recognised this ETag",
			meanwhile: func(w *world, etag string) {
				w.oss.PutObject(bucket, key+".json", []byte(`{"status":"succeeded"}`), "application/json",
					map[string]string{"source-etag": etag, "outcome": "succeeded"})
			},
			wantOutcome: outcome.Skipped, wantReason: "already recognised for this ETag", wantDoc: "succeeded",
		},
		{
			name:        "the user deleted the image",
			meanwhile:   func(w *world, _ string) { w.oss.DeleteObject(bucket, key) },
			wantOutcome: outcome.Skipped, wantReason: "no longer exists",
		},
		{
			name: "a final result names an older version",
			meanwhile: func(w *world, _ string) {
				w.oss.PutObject(bucket, key+".json", []byte(`{"status":"succeeded"}`), "application/json",
					map[string]string{"source-etag": "0123456789ABCDEF0123456789ABCDEF", "outcome": "succeeded"})
			},
			wantOutcome: outcome.Transient, wantReason: "failed result document written", wantDoc: "failed",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var etag string
			w := worldWithMeanwhile(t, ocrserver.HTTPStatus(503), func(w *world) { tc.meanwhile(w, etag) })
			etag = w.upload(key, jpegImage(1), nil)

			summary, err := w.runAttempt(3, 20*time.Second)

			require.Len(t, summary.Records, 1)
			assert.Equal(t, tc.wantOutcome, summary.Records[0].Outcome)
			assert.Contains(t, summary.Records[0].Reason, tc.wantReason)
			if tc.wantOutcome == outcome.Skipped {
				assert.NoError(t, err, "nothing left for FC's failure destination")
			} else {
				assert.Error(t, err)
			}
			obj, ok := w.oss.Object(bucket, key+".json")
			if tc.wantDoc == "" {
				assert.False(t, ok, "no document for a deleted image")
				return
			}
			require.True(t, ok)
			var doc struct {
				Status string `json:"status"`
			}
			require.NoError(t, json.Unmarshal(obj.Body, &doc))
			assert.Equal(t, tc.wantDoc, doc.Status)
		})
	}
}

func TestLastAttemptAgainstAHangingAPIStillWritesBeforeTheDeadline(t *testing.T) {
	w := newWorld(t, worldOptions{ocrTimeout: 10 * time.Second, decide: func(ocrserver.Request) ocrserver.Reply {
		return ocrserver.Success().After(time.Minute)
	}})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)
	ctx := invocation(t, "req-hang", 2*time.Second)
	fcContext(ctx).RetryCount = 3
	deadline, _ := ctx.Deadline()

	_, err := w.handler.HandlePayload(ctx, readEvent(t, "put-object.json"))

	require.Error(t, err)
	assert.True(t, time.Now().Before(deadline), "returned before FC's deadline")
	doc, _ := w.document("uploads/car-001.jpg")
	assert.Equal(t, outcome.Transient, doc.Outcome)
	assert.Contains(t, doc.Error.Message, "deadline")
}

func TestResultWritesAreRetriedAndVerified(t *testing.T) {
	cases := []struct {
		name        string
		failPuts    int32 // PUTs answered with the fault before OSS recovers
		status      int
		want        outcome.Outcome
		wantWritten bool
	}{
		{name: "one failed PUT is retried", failPuts: 1, status: 500, want: outcome.Succeeded, wantWritten: true},
		{name: "two failed PUTs are retried", failPuts: 2, status: 503, want: outcome.Succeeded, wantWritten: true},
		{name: "PUT failing every time", failPuts: 100, status: 503, want: outcome.Transient},
		{name: "PUT refused by the role is not retried", failPuts: 100, status: 403, want: outcome.Misconfigured},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{})
			w.upload("uploads/car-001.jpg", jpegImage(1), nil)
			var puts atomic.Int32
			w.oss.SetFault(func(r ossserver.Request) *ossserver.Fault {
				if r.Method == http.MethodPut && puts.Add(1) <= tc.failPuts {
					code := "InternalError"
					if tc.status == 403 {
						code = "AccessDenied"
					}
					return &ossserver.Fault{Status: tc.status, Code: code}
				}
				return nil
			})

			summary, _ := w.run("put-object.json")

			assert.Equal(t, 1, summary.Counts[tc.want], "%+v", summary.Records)
			assert.Equal(t, tc.wantWritten, w.hasDocument("uploads/car-001.jpg"))
			if tc.status == 403 {
				assert.Equal(t, int32(1), puts.Load(), "a refusal is not retried")
			}
			assert.Equal(t, 1, w.ocr.Billed(), "a write retry never calls the vendor again")
		})
	}
}

func TestForgedEventsAreRefusedBeforeAnythingIsSigned(t *testing.T) {
	cases := []struct {
		name, bucket, key, reason string
	}{
		{name: "bucket not served", bucket: "payroll-private", key: "uploads/car.jpg", reason: "bucket not served"},
		{name: "outside the served prefix", bucket: bucket, key: "private/car.jpg", reason: "outside SOURCE_PREFIX"},
		{name: "dot-dot segment", bucket: bucket, key: "uploads/../private/car.jpg", reason: "unsafe key"},
		{name: "control character", bucket: bucket, key: "uploads/car\n.jpg", reason: "unsafe key"},
		{name: "result key too long", bucket: bucket, key: "uploads/" + strings.Repeat("行", 338) + ".jpg", reason: "1023-byte key limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := defaultOptions()
			opts.SourcePrefix = "uploads/"
			w := newWorld(t, worldOptions{options: opts})
			w.oss.CreateBucket("payroll-private")
			w.oss.PutObject(tc.bucket, tc.key, jpegImage(1), "image/jpeg", nil)
			payload := strings.Replace(string(event("ObjectCreated:PutObject", tc.key, 100)), `"name":"`+bucket+`"`, `"name":"`+tc.bucket+`"`, 1)

			summary, err := w.handle([]byte(payload))

			require.NoError(t, err, "refused, not retried")
			assert.Equal(t, 1, summary.Counts[outcome.Skipped])
			assert.Contains(t, summary.Records[0].Reason, tc.reason)
			assert.Empty(t, w.oss.Requests(), "nothing read")
			assert.Empty(t, w.ocr.Calls(), "nothing signed or sent")
		})
	}
}

func TestLongestKeyThatFitsWorks(t *testing.T) {
	w := newWorld(t, worldOptions{})
	key := "uploads/" + strings.Repeat("行", 335) + ".jpg" // 8 + 1005 + 4 = 1017 bytes; with .json 1022
	require.LessOrEqual(t, len(key)+len(".json"), 1023)
	w.upload(key, jpegImage(1), nil)

	summary, err := w.handle(event("ObjectCreated:PutObject", key, 100))

	require.NoError(t, err)
	assert.Equal(t, 1, summary.Counts[outcome.Succeeded], "%+v", summary.Records)
	assert.True(t, w.hasDocument(key))
}

func TestEventSizeThatDisagreesWithTheObject(t *testing.T) {
	w := newWorld(t, worldOptions{})
	img := jpegImage(1)
	w.upload("uploads/car-001.jpg", img, nil)

	summary, err := w.handle(event("ObjectCreated:PutObject", "uploads/car-001.jpg", 3)) // the event claims 3 bytes

	require.NoError(t, err)
	assert.Equal(t, 1, summary.Counts[outcome.Succeeded])
	doc, _ := w.document("uploads/car-001.jpg")
	assert.Equal(t, int64(len(img)), doc.Source.Size, "the object's real size, from HEAD")
}

func TestHostileAnswersGetAClearOutcome(t *testing.T) {
	cases := []struct {
		name    string
		reply   ocrserver.Reply
		want    outcome.Outcome
		written bool
	}{
		{name: "HTML error page", reply: ocrserver.Raw(200, "text/html", []byte("<html><body>502 Bad Gateway</body></html>")), want: outcome.Transient},
		{name: "truncated JSON", reply: ocrserver.Raw(200, "application/json", []byte(`{"status":200,"data":{"frontInfo":`)), want: outcome.Transient},
		{name: "JSON array", reply: ocrserver.Raw(200, "application/json", []byte(`[{"status":200}]`)), want: outcome.Transient},
		{name: "status of the wrong type", reply: ocrserver.Raw(200, "application/json", []byte(`{"status":"200","data":{}}`)), want: outcome.Transient},
		{name: "invalid UTF-8", reply: ocrserver.Raw(200, "application/json", []byte("{\"status\":200,\"message\":\"\xff\"}")), want: outcome.Transient},
		{name: "more than 1 MiB", reply: ocrserver.Raw(200, "application/json", []byte(`{"status":200,"message":"`+strings.Repeat("x", 1<<20)+`"}`)), want: outcome.Transient},
		{name: "megabyte-long message in a rejection", reply: ocrserver.Raw(400, "application/json", []byte(`{"status":400,"code":1009,"message":"`+strings.Repeat("长", 300000)+`"}`)), want: outcome.Rejected, written: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{maxAttempts: 1, decide: func(ocrserver.Request) ocrserver.Reply { return tc.reply }})
			w.upload("uploads/car-001.jpg", jpegImage(1), nil)

			summary, err := w.run("put-object.json")

			assert.Equal(t, 1, summary.Counts[tc.want], "%+v", summary.Records)
			assert.Equal(t, tc.written, w.hasDocument("uploads/car-001.jpg"))
			if err != nil {
				assert.Less(t, len(err.Error()), 2000, "the invocation error stays readable")
			}
			for _, l := range w.logs.lines(t) {
				for k, v := range l {
					if s, ok := v.(string); ok {
						assert.Less(t, len(s), 2000, "log field %s stays readable", k)
					}
				}
			}
		})
	}
}

// Clients are built once per instance: later invocations reuse the
// connections of the first instead of dialling again.
func TestConnectionsAreReusedAcrossInvocations(t *testing.T) {
	w := newWorld(t, worldOptions{})
	const invocations = 6
	for i := range invocations {
		key := fmt.Sprintf("uploads/car-%03d.jpg", i)
		w.upload(key, jpegImage(byte(i)), nil)
		summary, err := w.handle(event("ObjectCreated:PutObject", key, 100))
		require.NoError(t, err)
		require.Equal(t, 1, summary.Counts[outcome.Succeeded])
	}

	// One record makes at most two OSS requests at once (the image's and its
	// result's HEAD), so two connections serve every invocation.
	assert.LessOrEqual(t, w.oss.Connections("internal"), 2, "connections to OSS do not grow with invocations")
	assert.Positive(t, w.oss.Connections("internal"))
}

// The signed URL names the key, not the version: an image replaced while
// the vendor works must not get a document that names the old ETag.
func TestImageReplacedDuringRecognitionGetsNoWrongDocument(t *testing.T) {
	w := worldWithMeanwhile(t, ocrserver.Success(), func(w *world) {
		w.upload("uploads/car-001.jpg", jpegImage(2), nil) // the user uploads again mid-recognition
	})
	oldETag := w.upload("uploads/car-001.jpg", jpegImage(1), nil)

	summary, err := w.run("put-object.json")

	require.NoError(t, err)
	assert.Equal(t, 1, summary.Counts[outcome.Skipped])
	assert.Contains(t, summary.Records[0].Reason, "replaced during recognition")
	assert.Contains(t, summary.Records[0].Reason, oldETag)
	assert.False(t, w.hasDocument("uploads/car-001.jpg"), "no document naming the old ETag")

	// The new upload's own event recognises the new version.
	summary, err = w.run("put-object.json")
	require.NoError(t, err)
	assert.Equal(t, 1, summary.Counts[outcome.Succeeded])
	doc, _ := w.document("uploads/car-001.jpg")
	assert.NotEqual(t, oldETag, doc.Source.ETag)
	assert.Equal(t, ocrserver.Recognize(jpegImage(2), "FRONT").FrontInfo.PlateNo, decodeResponse(t, doc).Data.FrontInfo["plateNo"])
}

// A vendor that cannot download the signed URL (here: OSS_PUBLIC_ENDPOINT
// names a host nobody answers on) says so with a business error. The image
// is not at fault, so it is a misconfiguration: retried, and on FC's last
// attempt a failed document that names the causes and does not count as
// done, so the next delivery recognises the image once the setting is fixed.
func TestAVendorThatCannotDownloadTheImageIsAMisconfiguration(t *testing.T) {
	w := newWorld(t, worldOptions{publicEndpoint: "127.0.0.1:1"})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)

	summary, err := w.runAttempt(0, 20*time.Second)
	require.Error(t, err, "FC retries the event")
	assert.Equal(t, 1, summary.Counts[outcome.Misconfigured])
	assert.Contains(t, summary.Records[0].Reason, "OSS_PUBLIC_ENDPOINT")
	assert.False(t, w.hasDocument("uploads/car-001.jpg"), "no result: not the image's fault")

	summary, err = w.runAttempt(3, 20*time.Second)
	require.Error(t, err)
	assert.Equal(t, 1, summary.Counts[outcome.Misconfigured])
	doc, obj := w.document("uploads/car-001.jpg")
	assert.Equal(t, "failed", doc.Status)
	assert.Equal(t, outcome.Misconfigured, doc.Outcome)
	require.NotNil(t, doc.Error)
	for _, cause := range []string{"OSS_PUBLIC_ENDPOINT", "oss:GetObject", "bucket policy"} {
		assert.Contains(t, doc.Error.Message, cause)
	}
	assert.Equal(t, "misconfigured", obj.Meta["outcome"])

	calls := len(w.ocr.Calls())
	_, err = w.runAttempt(0, 20*time.Second)
	require.Error(t, err)
	assert.Greater(t, len(w.ocr.Calls()), calls, "a later delivery tries again: the failed document is not final")
}

// Results hold the licence's personal data: every one is written private,
// whatever the bucket's ACL, and encrypted as RESULT_ENCRYPTION says.
func TestResultsArePrivateAndEncryptedAsConfigured(t *testing.T) {
	cases := []struct {
		name                string
		encryption, keyID   string
		wantMethod, wantKey string
	}{
		{name: "the bucket's default encryption"},
		{name: "AES256", encryption: "AES256", wantMethod: "AES256"},
		{name: "KMS with a key", encryption: "KMS", keyID: "key-hzz0123456789", wantMethod: "KMS", wantKey: "key-hzz0123456789"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := defaultOptions()
			opts.ResultEncryption, opts.ResultKMSKeyID = tc.encryption, tc.keyID
			w := newWorld(t, worldOptions{options: opts})
			w.upload("uploads/car-001.jpg", jpegImage(1), nil)
			_, err := w.run("put-object.json")
			require.NoError(t, err)

			_, obj := w.document("uploads/car-001.jpg")
			assert.Equal(t, "private", obj.ACL, "never the bucket's ACL")
			assert.Equal(t, tc.wantMethod, obj.Encryption)
			assert.Equal(t, tc.wantKey, obj.KMSKeyID)
		})
	}
	t.Run("failed documents of FC's last attempt too", func(t *testing.T) {
		opts := defaultOptions()
		opts.ResultEncryption = "AES256"
		w := newWorld(t, worldOptions{options: opts, decide: func(ocrserver.Request) ocrserver.Reply { return ocrserver.HTTPStatus(402) }})
		w.upload("uploads/car-001.jpg", jpegImage(1), nil)
		_, err := w.runAttempt(3, 20*time.Second)
		require.Error(t, err)
		doc, obj := w.document("uploads/car-001.jpg")
		require.Equal(t, "failed", doc.Status)
		assert.Equal(t, "private", obj.ACL)
		assert.Equal(t, "AES256", obj.Encryption)
	})
}

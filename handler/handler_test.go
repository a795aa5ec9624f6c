package handler_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/internal/vehicle"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// vendorResponse is the part of a stored vendor body the tests read.
type vendorResponse struct {
	Status int    `json:"status"`
	Code   int    `json:"code"`
	ReqID  string `json:"reqId"`
	Data   struct {
		FrontInfo map[string]string `json:"frontInfo"`
		BackInfo  map[string]string `json:"backInfo"`
	} `json:"data"`
}

func decodeResponse(t *testing.T, doc handler.Document) vendorResponse {
	t.Helper()
	var r vendorResponse
	require.NoError(t, json.Unmarshal(doc.Response, &r))
	return r
}

func TestRecognisesEachTriggerEvent(t *testing.T) {
	cases := []struct {
		name, eventFile, key, eventName string
		image                           []byte
	}{
		{name: "PutObject", eventFile: "put-object.json", key: "uploads/car-001.jpg", eventName: "ObjectCreated:PutObject", image: jpegImage(1)},
		{name: "PostObject", eventFile: "post-object.json", key: "uploads/car-002.png", eventName: "ObjectCreated:PostObject", image: pngImage(2)},
		{name: "CompleteMultipartUpload", eventFile: "complete-multipart-upload.json", key: "uploads/car-003.jpeg", eventName: "ObjectCreated:CompleteMultipartUpload", image: jpegImage(3)},
		{name: "Chinese and spaces in the key", eventFile: "chinese-space-key.json", key: "uploads/行驶证 正面 京A12345.jpg", eventName: "ObjectCreated:PutObject", image: jpegImage(4)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{})
			etag := w.upload(tc.key, tc.image, nil)

			summary, err := w.run(tc.eventFile)

			require.NoError(t, err)
			assert.Equal(t, 1, summary.Counts[outcome.Succeeded])
			require.Len(t, summary.Records, 1)
			assert.Equal(t, handler.RecordResult{Bucket: bucket, Key: tc.key, Outcome: outcome.Succeeded, ResultKey: tc.key + ".json", Attempts: 1,
				ReviewStatus: vehicle.Accepted}, summary.Records[0])
			assert.Equal(t, map[string]int{vehicle.Accepted: 1, vehicle.NeedsReview: 0}, summary.ReviewCounts)

			doc, obj := w.document(tc.key)
			assert.Equal(t, 1, doc.SchemaVersion)
			assert.Equal(t, "succeeded", doc.Status)
			assert.Equal(t, bucket, doc.Source.Bucket)
			assert.Equal(t, tc.key, doc.Source.Key)
			assert.Equal(t, etag, doc.Source.ETag)
			assert.Equal(t, int64(len(tc.image)), doc.Source.Size)
			assert.Equal(t, tc.eventName, doc.Source.EventName)
			assert.NotEmpty(t, doc.Source.EventTime)
			assert.Equal(t, "FRONT", doc.CardSide)
			assert.Equal(t, 1, doc.Attempts)
			assert.Nil(t, doc.Error)
			_, err = time.Parse(time.RFC3339, doc.RecognizedAt)
			assert.NoError(t, err)

			want := ocrserver.Recognize(tc.image, "FRONT")
			resp := decodeResponse(t, doc)
			assert.Equal(t, 200, resp.Status)
			assert.Equal(t, want.FrontInfo.PlateNo, resp.Data.FrontInfo["plateNo"], "号牌号码 from the vendor")
			assert.Equal(t, want.FrontInfo.VIN, resp.Data.FrontInfo["vin"], "车辆识别代号 from the vendor")
			require.NotNil(t, doc.Vehicle, "normalised fields on a succeeded document")
			assert.Equal(t, want.FrontInfo.PlateNo, doc.Vehicle.PlateNo)
			assert.Equal(t, want.FrontInfo.VIN, doc.Vehicle.VIN)
			require.NotNil(t, doc.Review)
			assert.Equal(t, vehicle.Accepted, doc.Review.Status, "the stand-in answers a clean licence: %v", doc.Review.Issues)
			assert.Equal(t, vehicle.Accepted, obj.Meta["review-status"], "listings find what needs a look without reading bodies")

			assert.Equal(t, "application/json; charset=utf-8", obj.ContentType)
			assert.Equal(t, etag, obj.Meta["source-etag"])
			assert.Equal(t, "succeeded", obj.Meta["result-status"])

			calls := w.callsFor(tc.key)
			require.Len(t, calls, 1)
			assert.Equal(t, "FRONT", calls[0].CardSide)
			assert.Equal(t, http.StatusOK, calls[0].FetchStatus, "the vendor fetched the image through the signed URL")
			assert.Equal(t, len(tc.image), calls[0].FetchedBytes)
		})
	}
}

func TestResponseIsKeptVerbatim(t *testing.T) {
	w := newWorld(t, worldOptions{decide: func(ocrserver.Request) ocrserver.Reply {
		return ocrserver.Raw(200, "application/json", []byte(`{"status":200,"code":0,"message":"success","reqId":"r","serialNo":"1","data":{"frontInfo":{"plateNo":"粤V12345"},"backInfo":{}},"newField":{"nested":[1,2]}}`))
	}})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)

	_, err := w.run("put-object.json")
	require.NoError(t, err)

	doc, _ := w.document("uploads/car-001.jpg")
	assert.JSONEq(t, `{"status":200,"code":0,"message":"success","reqId":"r","serialNo":"1","data":{"frontInfo":{"plateNo":"粤V12345"},"backInfo":{}},"newField":{"nested":[1,2]}}`, string(doc.Response))
}

func TestCardSide(t *testing.T) {
	cases := []struct {
		name        string
		defaultSide string
		meta        map[string]string
		want        string
	}{
		{name: "default FRONT", defaultSide: "FRONT", want: "FRONT"},
		{name: "CARD_SIDE BACK", defaultSide: "BACK", want: "BACK"},
		{name: "metadata overrides the default", defaultSide: "FRONT", meta: map[string]string{"card-side": "BACK"}, want: "BACK"},
		{name: "metadata is case-insensitive", defaultSide: "BACK", meta: map[string]string{"card-side": "front"}, want: "FRONT"},
		{name: "unknown metadata falls back to the default", defaultSide: "BACK", meta: map[string]string{"card-side": "sideways"}, want: "BACK"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := defaultOptions()
			opts.CardSide = tc.defaultSide
			w := newWorld(t, worldOptions{options: opts})
			img := jpegImage(7)
			w.upload("uploads/car-001.jpg", img, tc.meta)

			_, err := w.run("put-object.json")
			require.NoError(t, err)

			calls := w.callsFor("uploads/car-001.jpg")
			require.Len(t, calls, 1)
			assert.Equal(t, tc.want, calls[0].CardSide, "cardSide sent to the vendor")
			doc, _ := w.document("uploads/car-001.jpg")
			assert.Equal(t, tc.want, doc.CardSide)
			resp := decodeResponse(t, doc)
			if tc.want == "BACK" {
				assert.Equal(t, ocrserver.Recognize(img, "BACK").BackInfo.FileNo, resp.Data.BackInfo["fileNo"], "档案编号 from the back page")
			} else {
				assert.NotEmpty(t, resp.Data.FrontInfo["plateNo"])
			}
		})
	}
}

func TestRejectedImagesGetAFailedDocument(t *testing.T) {
	cases := []struct {
		name        string
		reply       ocrserver.Reply
		wantHTTP    int
		wantCode    int
		wantMessage string
	}{
		{name: "business error 400", reply: ocrserver.BusinessError(1009, "存在非法参数"), wantHTTP: 400, wantCode: 1009, wantMessage: "存在非法参数"},
		{name: "request too large 413", reply: ocrserver.HTTPStatus(413), wantHTTP: 413, wantCode: 413, wantMessage: "客户发送的请求大小超过了2MB限制。"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{decide: func(ocrserver.Request) ocrserver.Reply { return tc.reply }})
			etag := w.upload("uploads/car-001.jpg", jpegImage(1), nil)

			summary, err := w.run("put-object.json")

			require.NoError(t, err, "a retry cannot help: the invocation succeeds")
			assert.Equal(t, 1, summary.Counts[outcome.Rejected])
			assert.Contains(t, summary.Records[0].Reason, tc.wantMessage)
			doc, obj := w.document("uploads/car-001.jpg")
			assert.Equal(t, "failed", doc.Status)
			require.NotNil(t, doc.Error)
			assert.Equal(t, tc.wantHTTP, doc.Error.HTTPStatus)
			assert.Equal(t, tc.wantCode, doc.Error.Code)
			assert.Equal(t, tc.wantMessage, doc.Error.Message)
			assert.Equal(t, etag, doc.Source.ETag)
			assert.Equal(t, "failed", obj.Meta["result-status"])
			assert.Len(t, w.callsFor("uploads/car-001.jpg"), 1, "a rejection is not retried")
		})
	}
}

func TestTransientFailuresAreRetriedInProcess(t *testing.T) {
	cases := []struct {
		name    string
		replies []ocrserver.Reply
	}{
		{name: "502 then success", replies: []ocrserver.Reply{ocrserver.HTTPStatus(502), ocrserver.Success()}},
		{name: "503 then success", replies: []ocrserver.Reply{ocrserver.HTTPStatus(503), ocrserver.Success()}},
		{name: "throttled then success", replies: []ocrserver.Reply{ocrserver.Throttled(), ocrserver.Success()}},
		{name: "dropped connection then success", replies: []ocrserver.Reply{ocrserver.Disconnect(), ocrserver.Success()}},
		{name: "slower than OCR_TIMEOUT then success", replies: []ocrserver.Reply{ocrserver.Success().After(5 * time.Second), ocrserver.Success()}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{ocrTimeout: 500 * time.Millisecond, decide: script(map[string][]ocrserver.Reply{"uploads/car-001.jpg": tc.replies})})
			w.upload("uploads/car-001.jpg", jpegImage(1), nil)

			summary, err := w.run("put-object.json")

			require.NoError(t, err)
			assert.Equal(t, 1, summary.Counts[outcome.Succeeded])
			doc, _ := w.document("uploads/car-001.jpg")
			assert.Equal(t, "succeeded", doc.Status)
			assert.Equal(t, 2, doc.Attempts)
			assert.Equal(t, 1, w.ocr.Billed(), "only the answer that succeeded is billed")
		})
	}
}

func TestTransientUntilAttemptsRunOutFailsTheInvocation(t *testing.T) {
	w := newWorld(t, worldOptions{decide: func(ocrserver.Request) ocrserver.Reply { return ocrserver.HTTPStatus(503) }})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)

	summary, err := w.run("put-object.json")

	require.Error(t, err)
	var ie *handler.InvocationError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), "uploads/car-001.jpg: transient")
	assert.Contains(t, err.Error(), "503")
	assert.Equal(t, 1, summary.Counts[outcome.Transient])
	assert.False(t, w.hasDocument("uploads/car-001.jpg"), "no document: FC retries the event later")
	assert.Len(t, w.callsFor("uploads/car-001.jpg"), 3, "OCR_MAX_ATTEMPTS")
}

func TestTransientUntilTheDeadlineReturnsInTime(t *testing.T) {
	w := newWorld(t, worldOptions{ocrTimeout: 10 * time.Second, decide: func(ocrserver.Request) ocrserver.Reply {
		return ocrserver.Success().After(time.Minute)
	}})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)
	ctx := invocation(t, "req-deadline", 2*time.Second)
	deadline, _ := ctx.Deadline()

	summary, err := w.handler.HandlePayload(ctx, readEvent(t, "put-object.json"))

	require.Error(t, err)
	assert.True(t, time.Now().Before(deadline), "the handler returned before FC's deadline")
	assert.Equal(t, 1, summary.Counts[outcome.Transient])
	assert.Contains(t, err.Error(), "deadline")
	assert.False(t, w.hasDocument("uploads/car-001.jpg"))
}

func TestMisconfigurationFailsWithoutRetryOrDocument(t *testing.T) {
	cases := []struct {
		name        string
		reply       ocrserver.Reply
		appCode     string
		wantSetting string
	}{
		{name: "401", reply: ocrserver.HTTPStatus(401), wantSetting: "OCR_APPCODE"},
		{name: "402 no calls left", reply: ocrserver.HTTPStatus(402), wantSetting: "subscription"},
		{name: "404 wrong path", reply: ocrserver.HTTPStatus(404), wantSetting: "OCR_ENDPOINT"},
		{name: "gateway refuses the AppCode", appCode: "wrong-appcode-77", wantSetting: "OCR_APPCODE"},
		{name: "gateway Invalid Url", reply: ocrserver.GatewayError(400, "Invalid Url"), wantSetting: "OCR_ENDPOINT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reply := tc.reply
			w := newWorld(t, worldOptions{appCode: tc.appCode, decide: func(ocrserver.Request) ocrserver.Reply { return reply }})
			w.upload("uploads/car-001.jpg", jpegImage(1), nil)

			summary, err := w.run("put-object.json")

			require.Error(t, err)
			assert.Contains(t, err.Error(), "uploads/car-001.jpg: misconfigured")
			assert.Contains(t, err.Error(), tc.wantSetting, "the error names the setting to check")
			assert.NotContains(t, err.Error(), "wrong-appcode-77")
			assert.Equal(t, 1, summary.Counts[outcome.Misconfigured])
			assert.False(t, w.hasDocument("uploads/car-001.jpg"))
			assert.Len(t, w.ocr.Calls(), 1, "not retried in process")
			assert.Zero(t, w.ocr.Billed())
		})
	}
}

func TestDuplicateDeliveryIsNotPaidTwice(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)

	_, err := w.run("put-object.json")
	require.NoError(t, err)
	first, _ := w.document("uploads/car-001.jpg")

	summary, err := w.run("put-object.json")

	require.NoError(t, err)
	assert.Equal(t, 1, summary.Counts[outcome.Skipped])
	assert.Equal(t, "already recognised for this ETag", summary.Records[0].Reason)
	assert.Equal(t, 1, w.ocr.Billed(), "one billed call for one image version")
	assert.Len(t, w.ocr.Calls(), 1)
	second, _ := w.document("uploads/car-001.jpg")
	assert.Equal(t, first, second, "the document is untouched")
}

func TestNewUploadOfTheSameKeyIsRecognisedAgain(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)
	_, err := w.run("put-object.json")
	require.NoError(t, err)

	newImage := jpegImage(2)
	newETag := w.upload("uploads/car-001.jpg", newImage, nil)
	summary, err := w.run("put-object.json")

	require.NoError(t, err)
	assert.Equal(t, 1, summary.Counts[outcome.Succeeded])
	assert.Equal(t, 2, w.ocr.Billed())
	doc, obj := w.document("uploads/car-001.jpg")
	assert.Equal(t, newETag, doc.Source.ETag)
	assert.Equal(t, newETag, obj.Meta["source-etag"])
	assert.Equal(t, ocrserver.Recognize(newImage, "FRONT").FrontInfo.PlateNo, decodeResponse(t, doc).Data.FrontInfo["plateNo"])
}

func TestSkipsWithoutTouchingOSSOrTheVendor(t *testing.T) {
	cases := []struct {
		name, reason string
		payload      []byte
	}{
		{name: "our own result document (recursion guard)", payload: readEvent(t, "own-result.json"), reason: "our own result document"},
		{name: "not an image", payload: readEvent(t, "non-image.json"), reason: "not an image"},
		{name: "empty object", payload: event("ObjectCreated:PutObject", "uploads/empty.jpg", 0), reason: "empty object"},
		{name: "folder marker", payload: event("ObjectCreated:PutObject", "uploads/2026/", 0), reason: "folder marker"},
		{name: "not ObjectCreated", payload: event("ObjectRemoved:DeleteObject", "uploads/car-001.jpg", 10), reason: "not an ObjectCreated event"},
		{name: "upper-case extension of another type", payload: event("ObjectCreated:PutObject", "uploads/scan.PDF", 10), reason: "not an image"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{})

			summary, err := w.handle(tc.payload)

			require.NoError(t, err)
			assert.Equal(t, 1, summary.Counts[outcome.Skipped])
			assert.Contains(t, summary.Records[0].Reason, tc.reason)
			assert.Empty(t, w.oss.Requests(), "no OSS request")
			assert.Empty(t, w.ocr.Calls(), "no recognition call")
		})
	}
}

func TestSkipsWhatOSSSaysIsNotThere(t *testing.T) {
	t.Run("object empty although the event says otherwise", func(t *testing.T) {
		w := newWorld(t, worldOptions{})
		w.upload("uploads/car-001.jpg", []byte{}, nil)
		summary, err := w.run("put-object.json")
		require.NoError(t, err)
		assert.Equal(t, "empty object", summary.Records[0].Reason)
		assert.Empty(t, w.ocr.Calls())
	})
	t.Run("image deleted before the event arrived", func(t *testing.T) {
		w := newWorld(t, worldOptions{})
		summary, err := w.run("put-object.json")
		require.NoError(t, err)
		assert.Equal(t, "the image no longer exists", summary.Records[0].Reason)
		assert.Empty(t, w.ocr.Calls())
		assert.False(t, w.hasDocument("uploads/car-001.jpg"))
	})
}

func TestAwkwardKeysWorkEndToEnd(t *testing.T) {
	cases := []struct {
		name, stored, inEvent string
	}{
		{name: "plus sign", stored: "uploads/a+b.jpg", inEvent: "uploads/a+b.jpg"},
		{name: "percent sign", stored: "uploads/100%.jpg", inEvent: "uploads/100%.jpg"},
		{name: "percent escape that is part of the name", stored: "uploads/a%20b.jpg", inEvent: "uploads/a%20b.jpg"},
		{name: "hash", stored: "uploads/#1 car.jpg", inEvent: "uploads/#1 car.jpg"},
		{name: "Chinese", stored: "行驶证/粤V·副页.png", inEvent: "行驶证/粤V·副页.png"},
		{name: "URL-encoded in the event", stored: "uploads/京A 1+2.jpg", inEvent: "uploads/%E4%BA%ACA%201%2B2.jpg"},
		{name: "form-encoded space in the event", stored: "uploads/a b.jpg", inEvent: "uploads/a+b.jpg"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{})
			img := jpegImage(9)
			etag := w.upload(tc.stored, img, nil)

			summary, err := w.handle(event("ObjectCreated:PutObject", tc.inEvent, len(img)))

			require.NoError(t, err)
			require.Equal(t, 1, summary.Counts[outcome.Succeeded], "%+v", summary.Records)
			assert.Equal(t, tc.stored, summary.Records[0].Key)
			doc, _ := w.document(tc.stored)
			assert.Equal(t, tc.stored, doc.Source.Key)
			assert.Equal(t, etag, doc.Source.ETag)
			calls := w.callsFor(tc.stored)
			require.Len(t, calls, 1)
			assert.Equal(t, http.StatusOK, calls[0].FetchStatus)
		})
	}
}

func TestBatchWithMixedOutcomes(t *testing.T) {
	opts := defaultOptions()
	opts.Concurrency = 2
	w := newWorld(t, worldOptions{options: opts, decide: func(r ocrserver.Request) ocrserver.Reply {
		switch r.ImagePath {
		case "/" + bucket + "/uploads/batch-2.JPG":
			return ocrserver.BusinessError(1009, "存在非法参数")
		case "/" + bucket + "/uploads/batch-3.png":
			return ocrserver.HTTPStatus(503)
		}
		return ocrserver.Success().After(150 * time.Millisecond)
	}})
	w.upload("uploads/batch-1.jpg", jpegImage(1), nil)
	w.upload("uploads/batch-2.JPG", jpegImage(2), nil)
	w.upload("uploads/batch-3.png", pngImage(3), nil)
	w.upload("uploads/batch-4.bmp", bmpImage(4), nil)
	w.upload("uploads/batch-5.jpeg", jpegImage(5), nil)

	summary, err := w.run("batch.json")

	require.Error(t, err, "one record is transient: FC must retry the event")
	assert.Contains(t, err.Error(), "1 of 5 records")
	assert.Contains(t, err.Error(), "uploads/batch-3.png: transient")
	assert.NotContains(t, err.Error(), "batch-1")
	assert.Equal(t, map[outcome.Outcome]int{outcome.Succeeded: 3, outcome.Rejected: 1, outcome.Transient: 1, outcome.Skipped: 0, outcome.Misconfigured: 0}, summary.Counts)
	for _, key := range []string{"uploads/batch-1.jpg", "uploads/batch-4.bmp", "uploads/batch-5.jpeg"} {
		doc, _ := w.document(key)
		assert.Equal(t, "succeeded", doc.Status, key)
	}
	doc, _ := w.document("uploads/batch-2.JPG")
	assert.Equal(t, "failed", doc.Status)
	assert.False(t, w.hasDocument("uploads/batch-3.png"))
	assert.LessOrEqual(t, w.inFlight.max(), 2, "never more than CONCURRENCY records at once")
	assert.Equal(t, 2, w.inFlight.max(), "records do run concurrently")

	// FC's retry of the same event: finished records are skipped, only the
	// transient one is tried again, and nothing is paid twice.
	billedBefore := w.ocr.Billed()
	summary, err = w.run("batch.json")
	require.Error(t, err)
	assert.Equal(t, 4, summary.Counts[outcome.Skipped])
	assert.Equal(t, 1, summary.Counts[outcome.Transient])
	assert.Equal(t, billedBefore, w.ocr.Billed())
}

func TestMalformedPayloadsAreRefusedClearly(t *testing.T) {
	cases := []struct{ name, payload, want string }{
		{name: "not JSON", payload: "<xml/>", want: "payload is not an OSS trigger event"},
		{name: "no events", payload: `{"events":[]}`, want: "payload has no events"},
		{name: "missing key", payload: `{"events":[{"eventName":"ObjectCreated:PutObject","oss":{"bucket":{"name":"vehicle-docs"},"object":{"size":3}}}]}`, want: "has no oss.object.key"},
		{name: "missing bucket", payload: `{"events":[{"eventName":"ObjectCreated:PutObject","oss":{"object":{"key":"a.jpg","size":3}}}]}`, want: "has no oss.bucket.name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{})
			_, err := w.handle([]byte(tc.payload))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, w.oss.Requests())
			assert.Empty(t, w.ocr.Calls())
		})
	}
}

func TestSignedURLsArePublicAndReadsAndWritesInternal(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)

	_, err := w.run("put-object.json")
	require.NoError(t, err)

	calls := w.ocr.Calls()
	require.Len(t, calls, 1)
	assert.Contains(t, calls[0].ImgURL, w.public+"/", "imgUrl points at the public endpoint")
	assert.Contains(t, calls[0].ImgURL, "x-oss-signature-version=OSS4-HMAC-SHA256")
	assert.Contains(t, calls[0].ImgURL, "x-oss-security-token=", "the STS token travels with the URL")

	var public, internal []ossserver.Request
	for _, r := range w.oss.Requests() {
		switch r.Listener {
		case "public":
			public = append(public, r)
		case "internal":
			internal = append(internal, r)
		}
	}
	require.Len(t, public, 1, "only the vendor's fetch reaches the public endpoint")
	assert.Equal(t, "GET", public[0].Method)
	assert.Equal(t, ossserver.AuthURLV4, public[0].Auth)
	assert.Equal(t, http.StatusOK, public[0].Status)

	var methods []string
	for _, r := range internal {
		assert.Equal(t, ossserver.AuthHeaderV4, r.Auth)
		assert.Equal(t, stsCredentials.AccessKeyID, r.AccessKeyID)
		methods = append(methods, r.Method+" "+r.Key)
	}
	assert.ElementsMatch(t, []string{"HEAD uploads/car-001.jpg", "HEAD uploads/car-001.jpg.json", "HEAD uploads/car-001.jpg", "PUT uploads/car-001.jpg.json"}, methods,
		"the function reads and writes through the internal endpoint, and never downloads the image itself")
}

func TestEachInvocationUsesItsOwnCredentials(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)
	_, err := w.run("put-object.json")
	require.NoError(t, err)

	// FC rotates the role's STS credentials: the old ones stop working.
	w.oss.RevokeCredentials(stsCredentials.AccessKeyID)
	rotated := ossserver.Credentials{AccessKeyID: "STS.NRotated", AccessKeySecret: "rotated-secret", SecurityToken: "rotated-token"}
	w.oss.AllowCredentials(rotated)
	w.upload("uploads/car-002.png", pngImage(2), nil)
	ctx := invocation(t, "req-rotated", 20*time.Second)
	fcc := fcContext(ctx)
	fcc.Credentials.AccessKeyId, fcc.Credentials.AccessKeySecret, fcc.Credentials.SecurityToken = rotated.AccessKeyID, rotated.AccessKeySecret, rotated.SecurityToken

	summary, err := w.handler.HandlePayload(ctx, readEvent(t, "post-object.json"))

	require.NoError(t, err)
	assert.Equal(t, 1, summary.Counts[outcome.Succeeded], "%+v", summary.Records)
	calls := w.callsFor("uploads/car-002.png")
	require.Len(t, calls, 1)
	assert.Equal(t, http.StatusOK, calls[0].FetchStatus, "the URL was signed with the new credentials")
}

func TestNoCredentialsIsAMisconfiguration(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)
	ctx := invocation(t, "req-nocreds", 20*time.Second)
	fcContext(ctx).Credentials = fcCredentials{}

	_, err := w.handler.HandlePayload(ctx, readEvent(t, "put-object.json"))

	require.Error(t, err)
	assert.Contains(t, err.Error(), "misconfigured")
	assert.Contains(t, err.Error(), "role")
}

func TestOSSFailures(t *testing.T) {
	cases := []struct {
		name        string
		fault       func(r ossserver.Request) *ossserver.Fault
		wantOutcome outcome.Outcome
		wantText    string
		wantCalls   int
	}{
		{
			name: "result PUT fails with 500",
			fault: func(r ossserver.Request) *ossserver.Fault {
				if r.Method == "PUT" {
					return &ossserver.Fault{Status: 500, Code: "InternalError"}
				}
				return nil
			},
			wantOutcome: outcome.Transient, wantText: "writing the result", wantCalls: 1,
		},
		{
			name: "image HEAD answers 503",
			fault: func(r ossserver.Request) *ossserver.Fault {
				if r.Method == "HEAD" && r.Key == "uploads/car-001.jpg" {
					return &ossserver.Fault{Status: 503, Code: "ServiceUnavailable"}
				}
				return nil
			},
			wantOutcome: outcome.Transient, wantText: "503",
		},
		{
			name: "role may not read the image",
			fault: func(r ossserver.Request) *ossserver.Fault {
				if r.Method == "HEAD" {
					return &ossserver.Fault{Status: 403, Code: "AccessDenied"}
				}
				return nil
			},
			wantOutcome: outcome.Misconfigured, wantText: "role",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{})
			w.upload("uploads/car-001.jpg", jpegImage(1), nil)
			w.oss.SetFault(tc.fault)

			summary, err := w.run("put-object.json")

			require.Error(t, err)
			assert.Equal(t, 1, summary.Counts[tc.wantOutcome])
			assert.Contains(t, err.Error(), tc.wantText)
			assert.False(t, w.hasDocument("uploads/car-001.jpg"), "never reported as written")
			assert.Len(t, w.ocr.Calls(), tc.wantCalls)
		})
	}
}

func TestLogsTellWhatHappenedWithoutSecrets(t *testing.T) {
	w := newWorld(t, worldOptions{decide: script(map[string][]ocrserver.Reply{
		"uploads/batch-2.JPG": {ocrserver.HTTPStatus(502), ocrserver.Success()},
		"uploads/batch-3.png": {ocrserver.BusinessError(1009, "存在非法参数")},
	})})
	for i, key := range []string{"uploads/batch-1.jpg", "uploads/batch-2.JPG", "uploads/batch-3.png", "uploads/batch-4.bmp", "uploads/batch-5.jpeg"} {
		w.upload(key, jpegImage(byte(i)), nil)
	}
	_, err := w.run("batch.json")
	require.NoError(t, err)
	_, err = w.run("batch.json")
	require.NoError(t, err)

	lines := w.logs.lines(t)
	byMsg := map[string]int{}
	for _, l := range lines {
		assert.Equal(t, "req-batch.json", l["request_id"], "every line carries the FC request id: %v", l)
		if l["msg"] != "invocation finished" {
			assert.NotEmpty(t, l["key"], "every record line names the object key: %v", l)
		}
		byMsg[l["msg"].(string)]++
	}
	assert.Equal(t, 5, byMsg["recognising"])
	assert.Equal(t, 1, byMsg["recognition attempt failed, retrying"])
	assert.Equal(t, 5, byMsg["result written"])
	assert.Equal(t, 5, byMsg["skipped"], "the second delivery is skipped, one line per record")
	assert.Equal(t, 2, byMsg["invocation finished"])

	all := w.logs.String()
	for _, call := range w.ocr.Calls() {
		assert.NotContains(t, all, signatureOf(t, call.ImgURL), "the signature of a signed URL")
	}
	for _, secret := range []string{appCode, stsCredentials.AccessKeySecret, stsCredentials.SecurityToken} {
		assert.NotContains(t, all, secret)
	}
}

func TestHandlerSurvivesAPanickingRecognizer(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)
	h := handler.New(defaultOptions(), handler.Deps{Store: w.store, Recognizer: panicky{}, Credentials: w.store})

	summary, err := h.HandlePayload(invocation(t, "req-panic", 5*time.Second), readEvent(t, "put-object.json"))

	require.Error(t, err)
	assert.Equal(t, 1, summary.Counts[outcome.Transient])
	assert.Contains(t, err.Error(), "internal error")
	assert.False(t, w.hasDocument("uploads/car-001.jpg"))
}

// manualExample is the vendor manual's own "success" answer, whose values
// sit in the wrong fields (values as printed there; no real person).
const manualExample = `{"code":0,"reqId":"e9e6ee20-bd20-11eb-82a1-b42e99a9afd7","status":200,"message":"success","serialNo":"360562482416189440",
"data":{"backInfo":{},"frontInfo":{"owner":"5人","address":"0k4582X1T95X1458","vehicleType":"质","model":"","registerDate":"20","issueDate":"20",
"seal":"广东省揭阳市公安局交通警察支队","vin":"","plateNo":"粤V","useCharacter":"非营运","engineNo":"1820KG"}}}`

// A "success" a person must look at: the document says needs_review and
// why, its metadata lets listings find it, and the log line names the
// issue codes but never the values (personal data).
func TestAGarbledSuccessNeedsReview(t *testing.T) {
	w := newWorld(t, worldOptions{decide: func(ocrserver.Request) ocrserver.Reply {
		return ocrserver.Raw(http.StatusOK, "application/json", []byte(manualExample))
	}})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)

	summary, err := w.run("put-object.json")
	require.NoError(t, err)
	assert.Equal(t, 1, summary.Counts[outcome.Succeeded], "the vendor answered: the record is done")
	assert.Equal(t, vehicle.NeedsReview, summary.Records[0].ReviewStatus)
	assert.Equal(t, map[string]int{vehicle.Accepted: 0, vehicle.NeedsReview: 1}, summary.ReviewCounts)

	doc, obj := w.document("uploads/car-001.jpg")
	assert.JSONEq(t, manualExample, string(doc.Response), "the vendor's body stays verbatim")
	require.NotNil(t, doc.Review)
	assert.Equal(t, vehicle.NeedsReview, doc.Review.Status)
	var got []string
	for _, is := range doc.Review.Issues {
		got = append(got, is.Field+":"+is.Code)
	}
	for _, want := range []string{"owner:misplaced", "address:misplaced", "engineNo:misplaced", "vin:missing", "plateNo:plate_format", "registerDate:date_format"} {
		assert.Contains(t, got, want)
	}
	assert.Empty(t, doc.Vehicle.Owner, "a misplaced value is not kept as the owner")
	assert.Equal(t, vehicle.NeedsReview, obj.Meta["review-status"])

	var line map[string]any
	for _, l := range w.logs.lines(t) {
		if l["msg"] == "result written" {
			line = l
		}
	}
	require.NotNil(t, line, "one line per result")
	assert.Equal(t, vehicle.NeedsReview, line["review_status"])
	assert.Contains(t, line["review_issues"], "owner:misplaced")
	raw, _ := json.Marshal(w.logs.lines(t))
	for _, value := range []string{"5人", "0k4582X1T95X1458", "1820KG", "粤V", "揭阳"} {
		assert.NotContains(t, string(raw), value, "values are personal data: never logged")
	}
}

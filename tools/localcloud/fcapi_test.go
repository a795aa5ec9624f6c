package localcloud

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	fc "github.com/alibabacloud-go/fc-20230330/v4/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcapi"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// fcClient is the official FC 3.0 SDK's client for the local FC API, set up
// as a user would: Endpoint host:port, Protocol http, an AccessKey.
func fcClient(t *testing.T, c *Cloud, keyID, secret, token string) *fc.Client {
	t.Helper()
	host := strings.TrimPrefix(c.FCEndpoint, "http://")
	cfg := &openapi.Config{
		Endpoint: tea.String(host), Protocol: tea.String("http"), RegionId: tea.String(c.Region),
		AccessKeyId: tea.String(keyID), AccessKeySecret: tea.String(secret), NoProxy: tea.String(host),
	}
	if token != "" {
		cfg.SecurityToken = tea.String(token)
	}
	cl, err := fc.NewClient(cfg)
	require.NoError(t, err)
	return cl
}

// storeImage puts an image into the bucket without an upload event, as
// images that were there before the trigger are, and returns the event an
// OSS trigger would have sent for it.
func storeImage(t *testing.T, c *Cloud, key, sampleName string) []byte {
	t.Helper()
	body := sample(t, sampleName)
	etag := c.OSS.PutObject(c.Buckets[0], key, body, "image/jpeg", nil)
	return ossserver.EventPayload(ossserver.ObjectCreated{
		EventName: "ObjectCreated:PutObject", Bucket: c.Buckets[0], Key: key, Size: int64(len(body)), DeltaSize: int64(len(body)),
		ETag: etag, Time: time.Now(), Region: c.Region, RequestID: "LOCALTEST", SourceIP: "127.0.0.1",
	}, AccountID)
}

// The FC API of the local cloud, driven by the official SDK as `vlicense
// backfill --on-fc` drives FC: asynchronous invocations, with and without
// task ids, reach the real function under the FC emulator and its results
// land in the local OSS.
func TestFCAPIInvokesTheFunction(t *testing.T) {
	c, rec, _ := startCloud(t, Config{})
	require.True(t, c.Function.AsyncTask, "s.yaml turns asynchronous tasks on")
	user := fcClient(t, c, UserCredentials.AccessKeyID, UserCredentials.AccessKeySecret, "")
	prefix := c.UploadPrefix()

	type expect struct {
		status int
		code   string // FC error code when refused
		task   string // x-fc-async-task-id answered
		// result: the key whose result document must appear; attempts: how
		// many attempts the emulator made for the request (0: none).
		result   string
		attempts int
	}
	cases := []struct {
		name   string
		client *fc.Client
		fn     string
		typ    string
		task   string
		event  func(t *testing.T) []byte
		want   expect
		check  func(t *testing.T, res *fc.InvokeFunctionResponse)
	}{
		{
			name: "async without task id", client: user, fn: c.Function.Name, typ: fcapi.Async,
			event: func(t *testing.T) []byte { return storeImage(t, c, prefix+"api/no-task.jpg", "front.jpg") },
			want:  expect{status: 202, result: prefix + "api/no-task.jpg", attempts: 1},
		},
		{
			name: "async with task id", client: user, fn: c.Function.Name, typ: fcapi.Async, task: "img-0001",
			event: func(t *testing.T) []byte { return storeImage(t, c, prefix+"api/task.jpg", "back.jpg") },
			want:  expect{status: 202, task: "img-0001", result: prefix + "api/task.jpg", attempts: 1},
		},
		{
			name: "duplicate task id: already queued", client: user, fn: c.Function.Name, typ: fcapi.Async, task: "img-0001",
			event: func(t *testing.T) []byte { return storeImage(t, c, prefix+"api/task-again.jpg", "back.jpg") },
			want:  expect{status: 409, code: fcapi.CodeTaskAlreadyExists},
		},
		{
			name: "invalid task id", client: user, fn: c.Function.Name, typ: fcapi.Async, task: "uploads/a.jpg",
			event: func(t *testing.T) []byte { return []byte(`{"events":[]}`) },
			want:  expect{status: 400, code: fcapi.CodeInvalidArgument},
		},
		{
			name: "an async event that fails is retried by the emulator", client: user, fn: c.Function.Name, typ: fcapi.Async, task: "flaky-0001",
			event: func(t *testing.T) []byte { return storeImage(t, c, prefix+"api/flaky-one.jpg", "front.jpg") },
			want:  expect{status: 202, task: "flaky-0001", result: prefix + "api/flaky-one.jpg", attempts: 2},
		},
		{
			name: "sync invocation answers the function's summary", client: user, fn: c.Function.Name, typ: fcapi.Sync,
			event: func(t *testing.T) []byte { return storeImage(t, c, prefix+"api/sync.jpg", "front.jpg") },
			want:  expect{status: 200, result: prefix + "api/sync.jpg", attempts: 1},
			check: func(t *testing.T, res *fc.InvokeFunctionResponse) {
				var summary struct {
					Counts map[string]int `json:"counts"`
				}
				body, err := io.ReadAll(res.Body)
				require.NoError(t, err)
				require.NoError(t, json.Unmarshal(body, &summary), string(body))
				assert.Equal(t, 1, summary.Counts["succeeded"], string(body))
				assert.Empty(t, tea.StringValue(res.Headers[fcapi.HeaderErrorType]))
			},
		},
		{
			name: "sync invocation of an event that fails: FC's function error", client: user, fn: c.Function.Name, typ: fcapi.Sync,
			event: func(t *testing.T) []byte { return storeImage(t, c, prefix+"api/misconfigured.jpg", "front.jpg") },
			want:  expect{status: 200, attempts: 1},
			check: func(t *testing.T, res *fc.InvokeFunctionResponse) {
				assert.Equal(t, fcapi.ErrorTypeUnhandled, tea.StringValue(res.Headers[fcapi.HeaderErrorType]))
				var fnErr fcemulator.FunctionError
				body, err := io.ReadAll(res.Body)
				require.NoError(t, err)
				require.NoError(t, json.Unmarshal(body, &fnErr), string(body))
				assert.Contains(t, fnErr.Message, "OCR_APPCODE")
			},
		},
		{
			name: "bad signature (wrong secret)", client: fcClient(t, c, UserCredentials.AccessKeyID, "not-the-secret", ""), fn: c.Function.Name, typ: fcapi.Async,
			event: func(t *testing.T) []byte { return []byte(`{"events":[]}`) },
			want:  expect{status: 403, code: fcapi.CodeSignatureNotMatch},
		},
		{
			name: "wrong key: the function's own STS key is not an FC API key", client: fcClient(t, c, functionCredentials.AccessKeyID, functionCredentials.AccessKeySecret, functionCredentials.SecurityToken),
			fn: c.Function.Name, typ: fcapi.Async,
			event: func(t *testing.T) []byte { return []byte(`{"events":[]}`) },
			want:  expect{status: 403, code: fcapi.CodeInvalidAccessKeyID},
		},
		{
			name: "unknown function", client: user, fn: "no-such-function", typ: fcapi.Async,
			event: func(t *testing.T) []byte { return []byte(`{"events":[]}`) },
			want:  expect{status: 404, code: fcapi.CodeFunctionNotFound},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(rec.Attempts())
			h := &fc.InvokeFunctionHeaders{XFcInvocationType: tea.String(tc.typ)}
			if tc.task != "" {
				h.XFcAsyncTaskId = tea.String(tc.task)
			}
			res, err := tc.client.InvokeFunctionWithOptions(tea.String(tc.fn),
				&fc.InvokeFunctionRequest{Body: bytes.NewReader(tc.event(t)), Qualifier: tea.String("LATEST")}, h, &util.RuntimeOptions{})
			settle(t, c)
			attempts := rec.Attempts()[before:]

			if tc.want.code != "" {
				var sdkErr *tea.SDKError
				require.True(t, errors.As(err, &sdkErr), "%v", err)
				assert.Equal(t, tc.want.status, tea.IntValue(sdkErr.StatusCode))
				assert.Equal(t, tc.want.code, tea.StringValue(sdkErr.Code), tea.StringValue(sdkErr.Message))
				assert.Empty(t, attempts, "a refused request invokes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want.status, int(tea.Int32Value(res.StatusCode)))
			requestID := tea.StringValue(res.Headers[fcapi.HeaderRequestID])
			switch {
			case tc.want.task != "":
				assert.Equal(t, tc.want.task, tea.StringValue(res.Headers[fcapi.HeaderAsyncTaskID]))
			case tc.typ == fcapi.Async:
				assert.Equal(t, requestID, tea.StringValue(res.Headers[fcapi.HeaderAsyncTaskID]), "with tasks on, the request id names the task")
			}
			require.Len(t, attempts, tc.want.attempts)
			for i, a := range attempts {
				assert.Equal(t, requestID, a.RequestID, "the function runs under the request id the API answered")
				assert.Equal(t, i, a.RetryCount)
			}
			if tc.want.attempts > 1 {
				assert.NotNil(t, attempts[0].Error, "the first attempt failed")
				assert.True(t, attempts[0].WillRetry)
				assert.Nil(t, attempts[len(attempts)-1].Error, "FC's retry succeeded")
			}
			if tc.want.result != "" {
				doc := readDoc(t, c, tc.want.result)
				assert.Equal(t, "succeeded", doc.Status)
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}

	var tasks []string
	for _, task := range c.FCAPI.Tasks() {
		tasks = append(tasks, task.ID)
	}
	assert.Contains(t, tasks, "img-0001")
	assert.Contains(t, tasks, "flaky-0001")
	assert.Empty(t, rec.Failures())
	assert.Len(t, c.FCAPI.Requests(), len(cases), "every request is logged, refused ones too")
}

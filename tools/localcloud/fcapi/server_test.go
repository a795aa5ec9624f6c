package fcapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	fc "github.com/alibabacloud-go/fc-20230330/v4/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
)

// fakeInvoker stands in for the emulator: it records what it is given and
// answers synchronous invocations with result.
type fakeInvoker struct {
	mu     sync.Mutex
	async  []fcemulator.AsyncOptions
	events [][]byte
	sync   []fcemulator.InvokeOptions
	result fcemulator.Result
}

func (f *fakeInvoker) Invoke(_ context.Context, payload []byte, opts fcemulator.InvokeOptions) (fcemulator.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sync = append(f.sync, opts)
	f.events = append(f.events, payload)
	res := f.result
	res.RequestID = opts.RequestID
	return res, nil
}

func (f *fakeInvoker) InvokeAsync(payload []byte, opts fcemulator.AsyncOptions) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.async = append(f.async, opts)
	f.events = append(f.events, payload)
	return opts.RequestID, nil
}

func (f *fakeInvoker) Events() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.events...)
}

var (
	userKey  = Credentials{AccessKeyID: "LTAI5tTestUser", AccessKeySecret: "test-user-secret"}
	stsKey   = Credentials{AccessKeyID: "STS.TestRole", AccessKeySecret: "test-role-secret", SecurityToken: "test-sts-token"}
	otherKey = Credentials{AccessKeyID: "LTAI5tNobody", AccessKeySecret: "nobody-secret"}
)

const (
	plainFn = "plain-fn" // asynchronous tasks off
	taskFn  = "task-fn"  // asynchronous tasks on
)

type fixture struct {
	srv      *Server
	endpoint string
	plain    *fakeInvoker
	tasks    *fakeInvoker
}

func start(t *testing.T, now func() time.Time) *fixture {
	t.Helper()
	f := &fixture{plain: &fakeInvoker{}, tasks: &fakeInvoker{}}
	f.srv = New(Config{Region: "cn-hangzhou", AccountID: "1234567890123456", Now: now})
	f.srv.AllowCredentials(userKey)
	f.srv.AllowCredentials(stsKey)
	f.srv.AddFunction(Function{Name: plainFn, Invoker: f.plain})
	f.srv.AddFunction(Function{Name: taskFn, AsyncTask: true, Invoker: f.tasks})
	var err error
	f.endpoint, err = f.srv.Listen("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, f.srv.Close()) })
	return f
}

// client is the official SDK's client, configured as a user would for the
// local endpoint; proxy, when set, carries its requests.
func client(t *testing.T, endpoint string, c Credentials, proxy string) *fc.Client {
	t.Helper()
	host := strings.TrimPrefix(endpoint, "http://")
	cfg := &openapi.Config{
		Endpoint: tea.String(host), Protocol: tea.String("http"), RegionId: tea.String("cn-hangzhou"),
		AccessKeyId: tea.String(c.AccessKeyID), AccessKeySecret: tea.String(c.AccessKeySecret),
		NoProxy: tea.String(host),
	}
	if c.SecurityToken != "" {
		cfg.SecurityToken = tea.String(c.SecurityToken)
	}
	if proxy != "" {
		cfg.HttpProxy = tea.String(proxy)
		cfg.NoProxy = nil
	}
	cl, err := fc.NewClient(cfg)
	require.NoError(t, err)
	return cl
}

type call struct {
	function, typ, task, qualifier string
	body                           []byte
}

func (c call) do(cl *fc.Client) (*fc.InvokeFunctionResponse, error) {
	req := &fc.InvokeFunctionRequest{Body: bytes.NewReader(c.body)}
	if c.qualifier != "" {
		req.Qualifier = tea.String(c.qualifier)
	}
	h := &fc.InvokeFunctionHeaders{}
	if c.typ != "" {
		h.XFcInvocationType = tea.String(c.typ)
	}
	if c.task != "" {
		h.XFcAsyncTaskId = tea.String(c.task)
	}
	return cl.InvokeFunctionWithOptions(tea.String(c.function), req, h, &util.RuntimeOptions{})
}

// sdkError reads the status and FC error code out of the SDK's error.
func sdkError(t *testing.T, err error) (status int, code, message string) {
	t.Helper()
	var e *tea.SDKError
	require.True(t, errors.As(err, &e), "not an SDK error: %v", err)
	return tea.IntValue(e.StatusCode), tea.StringValue(e.Code), tea.StringValue(e.Message)
}

func header(res *fc.InvokeFunctionResponse, name string) string {
	return tea.StringValue(res.Headers[name])
}

func TestInvokeFunctionThroughTheSDK(t *testing.T) {
	f := start(t, nil)
	f.plain.result = fcemulator.Result{Payload: []byte(`{"ok":true}`)}
	f.tasks.result = fcemulator.Result{Payload: []byte(`{"errorMessage":"boom","errorType":"Error"}`), Error: &fcemulator.FunctionError{Message: "boom"}}
	user := client(t, f.endpoint, userKey, "")
	event := []byte(`{"events":[{"eventName":"ObjectCreated:PutObject"}]}`)

	cases := []struct {
		name       string
		call       call
		status     int
		code       string // FC error code, "" when the call succeeds
		taskHeader string // x-fc-async-task-id expected; "=request" for the request id
		body       string
		errorType  string
	}{
		{name: "async without task id", call: call{function: plainFn, typ: Async, body: event}, status: 202},
		{name: "async with task id", call: call{function: taskFn, typ: Async, task: "backfill-0001", body: event}, status: 202, taskHeader: "backfill-0001"},
		{name: "async tasks on, no task id: the request id names the task", call: call{function: taskFn, typ: Async, body: event}, status: 202, taskHeader: "=request"},
		{name: "duplicate task id", call: call{function: taskFn, typ: Async, task: "backfill-0001", body: event}, status: 409, code: CodeTaskAlreadyExists},
		{name: "task id on a function without tasks", call: call{function: plainFn, typ: Async, task: "t-1", body: event}, status: 400, code: CodeInvalidArgument},
		{name: "task id with a sync invocation", call: call{function: taskFn, typ: Sync, task: "t-2", body: event}, status: 400, code: CodeInvalidArgument},
		{name: "sync invocation answers the function's result", call: call{function: plainFn, body: event}, status: 200, body: `{"ok":true}`},
		{name: "sync, qualifier LATEST", call: call{function: plainFn, typ: Sync, qualifier: "LATEST", body: event}, status: 200, body: `{"ok":true}`},
		{name: "sync function error", call: call{function: taskFn, typ: Sync, body: event}, status: 200, body: `{"errorMessage":"boom","errorType":"Error"}`, errorType: ErrorTypeUnhandled},
		{name: "unknown function", call: call{function: "no-such-fn", typ: Async, body: event}, status: 404, code: CodeFunctionNotFound},
		{name: "unknown alias", call: call{function: plainFn, qualifier: "prod", body: event}, status: 404, code: CodeAliasNotFound},
		{name: "unknown version", call: call{function: plainFn, qualifier: "3", body: event}, status: 404, code: CodeVersionNotFound},
		{name: "invocation type neither Sync nor Async", call: call{function: plainFn, typ: "Later", body: event}, status: 400, code: CodeInvalidArgument},
		{name: "async payload over 128 KB", call: call{function: plainFn, typ: Async, body: bytes.Repeat([]byte("x"), MaxAsyncPayload+1)}, status: 400, code: CodeEntityTooLarge},
		{name: "sync payload of 128 KB and more is fine", call: call{function: plainFn, body: bytes.Repeat([]byte("x"), MaxAsyncPayload+1)}, status: 200, body: `{"ok":true}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.call.do(user)
			if tc.code != "" {
				status, code, msg := sdkError(t, err)
				assert.Equal(t, tc.status, status)
				assert.Equal(t, tc.code, code, msg)
				assert.Regexp(t, `request id: [0-9a-f-]{36}`, msg, "FC's RequestId is in the body")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.status, int(tea.Int32Value(res.StatusCode)))
			id := header(res, HeaderRequestID)
			assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
			want := tc.taskHeader
			if want == "=request" {
				want = id
			}
			assert.Equal(t, want, header(res, HeaderAsyncTaskID))
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			assert.Equal(t, tc.body, string(body))
			assert.Equal(t, tc.errorType, header(res, HeaderErrorType))
		})
	}

	assert.Len(t, f.tasks.async, 2, "a refused task is not queued")
	for _, o := range append(f.plain.async, f.tasks.async...) {
		assert.NotEmpty(t, o.RequestID, "the invoker runs the event under the request id the client got")
	}
	for _, e := range f.plain.Events()[:1] {
		assert.Equal(t, event, e, "the body reaches the function unchanged")
	}
	var ids []string
	for _, task := range f.srv.Tasks() {
		ids = append(ids, task.ID)
		assert.Equal(t, "acs:fc:cn-hangzhou:1234567890123456:functions/"+taskFn, task.FunctionArn)
	}
	assert.Contains(t, ids, "backfill-0001")
	assert.Len(t, ids, 2)
}

func TestTaskIDRule(t *testing.T) {
	f := start(t, nil)
	user := client(t, f.endpoint, userKey, "")
	cases := map[string]bool{
		"a":                           true,
		"_underscore-first":           true,
		"Backfill_2024-01-01_img-001": true,
		strings.Repeat("a", 128):      true,
		strings.Repeat("a", 129):      false,
		"1-digit-first":               false,
		"-hyphen-first":               false,
		"has space":                   false,
		"has.dot":                     false,
		"uploads/car.jpg":             false,
		"行驶证":                         false,
	}
	for id, ok := range cases {
		t.Run(id[:min(len(id), 20)], func(t *testing.T) {
			assert.Equal(t, ok, ValidTaskID(id))
			_, err := call{function: taskFn, typ: Async, task: id, body: []byte(`{}`)}.do(user)
			if ok {
				assert.NoError(t, err)
				return
			}
			status, code, _ := sdkError(t, err)
			assert.Equal(t, 400, status)
			assert.Equal(t, CodeInvalidArgument, code)
		})
	}
}

func TestSignatureIsVerifiedLikeFC(t *testing.T) {
	skewed := func() time.Time { return time.Now().Add(MaxClockSkew + time.Minute) }
	cases := []struct {
		name   string
		key    Credentials
		now    func() time.Time
		tamper func(r *http.Request) // applied by a proxy between the SDK and the server
		status int
		code   string
	}{
		{name: "user key", key: userKey, status: 202},
		{name: "STS key with its token", key: stsKey, status: 202},
		{name: "unknown AccessKey", key: otherKey, status: 403, code: CodeInvalidAccessKeyID},
		{name: "wrong secret", key: Credentials{AccessKeyID: userKey.AccessKeyID, AccessKeySecret: "guessed"}, status: 403, code: CodeSignatureNotMatch},
		{name: "STS key without token", key: Credentials{AccessKeyID: stsKey.AccessKeyID, AccessKeySecret: stsKey.AccessKeySecret}, status: 403, code: CodeAccessDenied},
		{name: "STS key with another token", key: Credentials{AccessKeyID: stsKey.AccessKeyID, AccessKeySecret: stsKey.AccessKeySecret, SecurityToken: "forged"}, status: 403, code: CodeAccessDenied},
		{name: "permanent key with a token", key: Credentials{AccessKeyID: userKey.AccessKeyID, AccessKeySecret: userKey.AccessKeySecret, SecurityToken: "x"}, status: 403, code: CodeAccessDenied},
		{name: "clock more than 15 minutes off", key: userKey, now: skewed, status: 403, code: CodeAccessDenied},
		{name: "body replaced", key: userKey, status: 403, code: CodeSignatureNotMatch, tamper: func(r *http.Request) {
			setBody(r, []byte(`{"events":[{"eventName":"ObjectCreated:PutObject","forged":1}]}`))
		}},
		{name: "body replaced with a matching x-acs-content-sha256", key: userKey, status: 403, code: CodeSignatureNotMatch, tamper: func(r *http.Request) {
			setBody(r, []byte(`{}`))
			r.Header.Set("x-acs-content-sha256", "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
		}},
		{name: "query added", key: userKey, status: 403, code: CodeSignatureNotMatch, tamper: func(r *http.Request) {
			r.URL.RawQuery = "qualifier=LATEST"
		}},
		{name: "date moved", key: userKey, status: 403, code: CodeSignatureNotMatch, tamper: func(r *http.Request) {
			d, _ := time.Parse(dateFormat, r.Header.Get("x-acs-date"))
			r.Header.Set("x-acs-date", d.Add(-time.Second).Format(dateFormat))
		}},
		{name: "unsigned x-acs header added", key: userKey, status: 403, code: CodeSignatureNotMatch, tamper: func(r *http.Request) {
			r.Header.Set("x-acs-extra", "1")
		}},
		{name: "no Authorization", key: userKey, status: 400, code: CodeMissingRequiredHeader, tamper: func(r *http.Request) {
			r.Header.Del("Authorization")
		}},
		{name: "no x-acs-date", key: userKey, status: 400, code: CodeMissingRequiredHeader, tamper: func(r *http.Request) {
			r.Header.Del("x-acs-date")
		}},
		{name: "another algorithm", key: userKey, status: 400, code: CodeInvalidArgument, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), Algorithm, "ACS3-HMAC-SM3", 1))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := start(t, tc.now)
			proxy := ""
			if tc.tamper != nil {
				proxy = tamperingProxy(t, tc.tamper)
			}
			res, err := call{function: plainFn, typ: Async, body: []byte(`{"events":[]}`)}.do(client(t, f.endpoint, tc.key, proxy))
			if tc.code == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.status, int(tea.Int32Value(res.StatusCode)))
				assert.Len(t, f.plain.Events(), 1)
				return
			}
			status, code, msg := sdkError(t, err)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.code, code, msg)
			assert.Empty(t, f.plain.Events(), "a refused request invokes nothing")
			for _, secret := range []string{userKey.AccessKeySecret, stsKey.AccessKeySecret, stsKey.SecurityToken} {
				assert.NotContains(t, msg, secret)
			}
			log := f.srv.Requests()
			require.Len(t, log, 1)
			assert.Equal(t, tc.code, log[0].ErrorCode)
		})
	}
}

// The path and method are checked once the signature holds.
func TestOtherOperationsAreNotServed(t *testing.T) {
	f := start(t, nil)
	user := client(t, f.endpoint, userKey, "")
	_, err := user.CallApi(&openapi.Params{
		Action: tea.String("GetFunction"), Version: tea.String(APIVersion), Protocol: tea.String("HTTP"),
		Pathname: tea.String("/2023-03-30/functions/" + plainFn), Method: tea.String("GET"),
		AuthType: tea.String("AK"), Style: tea.String("ROA"), ReqBodyType: tea.String("json"), BodyType: tea.String("json"),
	}, &openapi.OpenApiRequest{}, &util.RuntimeOptions{})
	status, code, _ := sdkError(t, err)
	assert.Equal(t, 400, status)
	assert.Equal(t, CodePathNotSupported, code)
}

// A function name is percent-encoded in the path; the signature covers the
// encoded form.
func TestEncodedFunctionName(t *testing.T) {
	f := start(t, nil)
	inv := &fakeInvoker{}
	f.srv.AddFunction(Function{Name: "fn with space+plus", Invoker: inv})
	_, err := call{function: "fn with space+plus", typ: Async, body: []byte(`{}`)}.do(client(t, f.endpoint, userKey, ""))
	require.NoError(t, err)
	assert.Len(t, inv.Events(), 1)
}

func TestCloseRefusesAndIsIdempotent(t *testing.T) {
	f := start(t, nil)
	require.NoError(t, f.srv.Close())
	require.NoError(t, f.srv.Close())
	_, err := call{function: plainFn, typ: Async, body: []byte(`{}`)}.do(client(t, f.endpoint, userKey, ""))
	assert.Error(t, err)
}

func setBody(r *http.Request, b []byte) {
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
}

// tamperingProxy is an HTTP proxy that changes each request with tamper
// before passing it on: what a man in the middle could do.
func tamperingProxy(t *testing.T, tamper func(*http.Request)) string {
	t.Helper()
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := r.Clone(context.Background())
		out.RequestURI = ""
		body, _ := io.ReadAll(r.Body)
		setBody(out, body)
		tamper(out)
		res, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
	}))
	t.Cleanup(p.Close)
	u, err := url.Parse(p.URL)
	require.NoError(t, err)
	return u.String()
}

package localcloud

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
	"github.com/vlicense/fc-vehicle-license/tools/resultschema"
	"github.com/vlicense/fc-vehicle-license/tools/syncbuf"
)

var functionBinary string

// TestMain builds the function once, as `make build` does, so that every
// test runs the binary FC would run.
func TestMain(m *testing.M) {
	code := func() int {
		root, err := deployspec.RepoRoot()
		if err != nil {
			panic(err)
		}
		dir, err := os.MkdirTemp("", "localcloud-fn-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		functionBinary = filepath.Join(dir, "main")
		cmd := exec.Command("go", "build", "-trimpath", "-o", functionBinary, ".")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			os.Stderr.Write(out)
			panic(err)
		}
		return m.Run()
	}()
	os.Exit(code)
}

// recorder keeps what the observer heard.
type recorder struct {
	mu        sync.Mutex
	triggered []string
	ignored   []string
	attempts  []fcemulator.Attempt
	failures  []fcemulator.FailureRecord
}

// Copies of what was heard so far.
func (r *recorder) Triggered() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.triggered...)
}

func (r *recorder) Ignored() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ignored...)
}

func (r *recorder) Attempts() []fcemulator.Attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]fcemulator.Attempt(nil), r.attempts...)
}

func (r *recorder) Failures() []fcemulator.FailureRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]fcemulator.FailureRecord(nil), r.failures...)
}

func (r *recorder) observer() Observer {
	return Observer{
		Triggered: func(ev ossserver.ObjectCreated, _ string, _ string) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.triggered = append(r.triggered, ev.Key)
		},
		Ignored: func(ev ossserver.ObjectCreated) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.ignored = append(r.ignored, ev.Key)
		},
		Attempt: func(a fcemulator.Attempt) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.attempts = append(r.attempts, a)
		},
		Failed: func(f fcemulator.FailureRecord) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.failures = append(r.failures, f)
		},
	}
}

func startCloud(t *testing.T, cfg Config) (*Cloud, *recorder, *syncbuf.Buffer) {
	t.Helper()
	root, err := deployspec.RepoRoot()
	require.NoError(t, err)
	rec := &recorder{}
	logs := &syncbuf.Buffer{}
	cfg.BinaryPath = functionBinary
	cfg.SpecPath = filepath.Join(root, "s.yaml")
	cfg.Observer = rec.observer()
	cfg.FunctionOutput = logs
	if cfg.RetryBackoff == 0 {
		cfg.RetryBackoff = 10 * time.Millisecond
	}
	c, err := Start(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, c.Close()) })
	return c, rec, logs
}

func sample(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("samples", name))
	require.NoError(t, err)
	return b
}

func settle(t *testing.T, c *Cloud) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.Settle(ctx))
}

type resultDoc struct {
	Status   string `json:"status"`
	Outcome  string `json:"outcome"`
	Attempts int    `json:"attempts"`
	Source   struct {
		Key, ETag, EventName string
	} `json:"source"`
	CardSide string `json:"cardSide"`
	Response struct {
		Data struct {
			FrontInfo map[string]string `json:"frontInfo"`
			BackInfo  map[string]string `json:"backInfo"`
		} `json:"data"`
	} `json:"response"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func readDoc(t *testing.T, c *Cloud, key string) resultDoc {
	t.Helper()
	obj, ok := c.OSS.Object(c.Buckets[0], key+".json")
	require.True(t, ok, "no result document for %s", key)
	resultschema.Check(t, obj.Body)
	var d resultDoc
	require.NoError(t, json.Unmarshal(obj.Body, &d))
	return d
}

func TestUploadTriggersTheRealFunction(t *testing.T) {
	c, rec, logs := startCloud(t, Config{})
	b, err := c.Bucket(c.Buckets[0])
	require.NoError(t, err)

	require.NoError(t, b.PutObject(c.UploadPrefix()+"京A 12345 front.jpg", bytes.NewReader(sample(t, "front.jpg"))))
	require.NoError(t, b.PutObject(c.UploadPrefix()+"back.jpg", bytes.NewReader(sample(t, "back.jpg")), oss.Meta("card-side", "BACK")))
	settle(t, c)

	front := readDoc(t, c, c.UploadPrefix()+"京A 12345 front.jpg")
	assert.Equal(t, "succeeded", front.Status)
	assert.Equal(t, "ObjectCreated:PutObject", front.Source.EventName)
	assert.NotEmpty(t, front.Response.Data.FrontInfo["plateNo"])
	back := readDoc(t, c, c.UploadPrefix()+"back.jpg")
	assert.Equal(t, "BACK", back.CardSide)
	assert.NotEmpty(t, back.Response.Data.BackInfo["fileNo"])

	assert.ElementsMatch(t, []string{c.UploadPrefix() + "京A 12345 front.jpg", c.UploadPrefix() + "back.jpg"}, rec.Triggered())
	assert.ElementsMatch(t, []string{c.UploadPrefix() + "京A 12345 front.jpg.json", c.UploadPrefix() + "back.jpg.json"}, rec.Ignored(),
		"the function's own results trigger nothing (s.yaml's suffix filter)")
	for _, a := range rec.Attempts() {
		assert.Nil(t, a.Error, "%+v", a.Error)
		assert.Equal(t, 0, a.RetryCount)
	}
	assert.Contains(t, logs.String(), `"msg":"result written"`, "the function's JSON logs reach the caller")
	assert.Equal(t, 2, c.OCR.Billed())
}

func TestTransientFailureSucceedsOnFCRetry(t *testing.T) {
	c, rec, _ := startCloud(t, Config{})
	b, err := c.Bucket(c.Buckets[0])
	require.NoError(t, err)

	require.NoError(t, b.PutObject(c.UploadPrefix()+"flaky-front.jpg", bytes.NewReader(sample(t, "front.jpg"))))
	settle(t, c)

	require.Len(t, rec.Attempts(), 2, "the first invocation fails, FC's retry succeeds")
	first, retry := rec.Attempts()[0], rec.Attempts()[1]
	require.NotNil(t, first.Error)
	assert.Contains(t, first.Error.Message, "transient")
	assert.True(t, first.WillRetry)
	assert.Equal(t, 1, retry.RetryCount, "the second attempt sees x-fc-retry-count 1")
	assert.Nil(t, retry.Error)
	doc := readDoc(t, c, c.UploadPrefix()+"flaky-front.jpg")
	assert.Equal(t, "succeeded", doc.Status)
	assert.Equal(t, 1, c.OCR.Billed(), "the failed calls were not billed")
	assert.Empty(t, rec.Failures())
}

func TestRejectedImageGetsAFailedDocument(t *testing.T) {
	c, rec, _ := startCloud(t, Config{})
	b, err := c.Bucket(c.Buckets[0])
	require.NoError(t, err)

	require.NoError(t, b.PutObject(c.UploadPrefix()+"reject-blurry.jpg", bytes.NewReader(sample(t, "blurry.jpg"))))
	settle(t, c)

	doc := readDoc(t, c, c.UploadPrefix()+"reject-blurry.jpg")
	assert.Equal(t, "failed", doc.Status)
	require.NotNil(t, doc.Error)
	assert.Equal(t, 1009, doc.Error.Code)
	require.Len(t, rec.Attempts(), 1, "a rejection is final: no FC retry")
	assert.Nil(t, rec.Attempts()[0].Error)
}

func TestFailingEveryAttemptReachesTheFailureDestination(t *testing.T) {
	c, rec, _ := startCloud(t, Config{Decide: Rules(1000)}) // "flaky" for ever
	b, err := c.Bucket(c.Buckets[0])
	require.NoError(t, err)

	require.NoError(t, b.PutObject(c.UploadPrefix()+"flaky.jpg", bytes.NewReader(sample(t, "front.jpg"))))
	settle(t, c)

	assert.Len(t, rec.Attempts(), 1+c.Function.MaxAsyncRetryAttempts, "maxAsyncRetryAttempts from s.yaml")
	require.Len(t, rec.Failures(), 1)
	assert.Equal(t, 1+c.Function.MaxAsyncRetryAttempts, rec.Failures()[0].Attempts)
	doc := readDoc(t, c, c.UploadPrefix()+"flaky.jpg")
	assert.Equal(t, "failed", doc.Status, "FC's last attempt leaves a failed result instead of nothing")
	assert.Equal(t, "transient", doc.Outcome)
}

// Phones and scanners write upper-case extensions, and OSS suffix filters
// are case-sensitive: s.yaml's triggers must fire for those too.
func TestCameraUploadsWithUpperCaseExtensionsAreRecognised(t *testing.T) {
	c, rec, _ := startCloud(t, Config{})
	b, err := c.Bucket(c.Buckets[0])
	require.NoError(t, err)

	keys := []string{c.UploadPrefix() + "DCIM/IMG_0001.JPG", c.UploadPrefix() + "scan-0001.PNG", c.UploadPrefix() + "IMG_0002.JPEG", c.UploadPrefix() + "scan-0002.BMP"}
	for _, k := range keys {
		require.NoError(t, b.PutObject(k, bytes.NewReader(sample(t, "front.jpg"))))
	}
	settle(t, c)

	assert.ElementsMatch(t, keys, rec.Triggered())
	for _, k := range keys {
		assert.Equal(t, "succeeded", readDoc(t, c, k).Status, k)
	}
}

func TestTriggerRulesComeFromSYAML(t *testing.T) {
	c, rec, _ := startCloud(t, Config{})
	b, err := c.Bucket(c.Buckets[0])
	require.NoError(t, err)

	require.NoError(t, b.PutObject("elsewhere/a.jpg", bytes.NewReader(sample(t, "front.jpg"))), "outside the prefix")
	require.NoError(t, b.PutObject(c.UploadPrefix()+"a.gif", bytes.NewReader(sample(t, "front.jpg"))), "a suffix without a trigger")
	require.NoError(t, b.PutObject(c.UploadPrefix()+"a.jpg.json", bytes.NewReader([]byte(`{}`))), "a result document")
	settle(t, c)

	assert.Empty(t, rec.Triggered())
	assert.ElementsMatch(t, []string{"elsewhere/a.jpg", c.UploadPrefix() + "a.gif", c.UploadPrefix() + "a.jpg.json"}, rec.Ignored())
	assert.Empty(t, rec.Attempts(), "nothing invoked the function")
	assert.Empty(t, c.OCR.Calls())
}

func TestOverrunIsReportedAsATimeoutAndTheInstanceReplaced(t *testing.T) {
	c, rec, _ := startCloud(t, Config{Timeout: 2 * time.Second, Env: map[string]string{"OCR_TIMEOUT": "1s"}})
	b, err := c.Bucket(c.Buckets[0])
	require.NoError(t, err)
	// Warm the instance, then freeze it mid-invocation the way a stuck
	// process would be: it cannot answer before its deadline.
	require.NoError(t, b.PutObject(c.UploadPrefix()+"warm.jpg", bytes.NewReader(sample(t, "front.jpg"))))
	settle(t, c)
	first, ok := c.FC.Instance()
	require.True(t, ok)
	c.OSS.SetFault(func(r ossserver.Request) *ossserver.Fault {
		if r.Key == c.UploadPrefix()+"stuck.jpg" && r.Method == "HEAD" {
			_ = syscall.Kill(first.PID, syscall.SIGSTOP)
		}
		return nil
	})

	require.NoError(t, b.PutObject(c.UploadPrefix()+"stuck.jpg", bytes.NewReader(sample(t, "back.jpg"))))
	settle(t, c)

	require.GreaterOrEqual(t, len(rec.Attempts()), 3)
	stuck := rec.Attempts()[1]
	assert.True(t, stuck.TimedOut, "%+v", stuck.Result)
	require.NotNil(t, stuck.Error)
	assert.Equal(t, fcemulator.ErrorTypeTimeout, stuck.Error.Type)
	retry := rec.Attempts()[2]
	assert.Equal(t, 1, retry.RetryCount)
	assert.True(t, retry.ColdStart, "FC replaces an instance that overran")
	assert.Nil(t, retry.Error)
	now, ok := c.FC.Instance()
	require.True(t, ok)
	assert.NotEqual(t, first.PID, now.PID)
	assert.Equal(t, "succeeded", readDoc(t, c, c.UploadPrefix()+"stuck.jpg").Status)
}

func TestMisconfiguredByNameFailsNamingTheSetting(t *testing.T) {
	c, rec, _ := startCloud(t, Config{})
	b, err := c.Bucket(c.Buckets[0])
	require.NoError(t, err)

	require.NoError(t, b.PutObject(c.UploadPrefix()+"misconfigured.jpg", bytes.NewReader(sample(t, "front.jpg"))))
	settle(t, c)

	attempts := rec.Attempts()
	require.Len(t, attempts, 1+c.Function.MaxAsyncRetryAttempts, "FC retries a misconfiguration too")
	require.NotNil(t, attempts[0].Error)
	assert.Contains(t, attempts[0].Error.Message, "misconfigured")
	assert.Contains(t, attempts[0].Error.Message, "OCR_APPCODE")
	doc := readDoc(t, c, c.UploadPrefix()+"misconfigured.jpg")
	assert.Equal(t, "misconfigured", doc.Outcome, "FC's last attempt writes what happened")
	assert.Zero(t, c.OCR.Billed())
}
